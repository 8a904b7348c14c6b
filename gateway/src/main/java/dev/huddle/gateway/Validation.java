package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.json.Json;
import dev.huddle.service.RoomPassword;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of protocol.md "Validation" for every request's {@code data}. Each method returns the normalised data
 * (NFC, trimmed, only the fields the protocol defines) that goes into the {@link dev.huddle.events.Command}, or
 * throws {@link Invalid} with a message saying what was wrong and what is allowed. {@code null} is absent.
 * The rules for a room name, a chat text and a peerId are public: the admin API checks an operator's input with
 * them, so an operator can name nothing a client could not.
 */
public final class Validation {
    static final int ROOM_MAX = 64;
    static final int NICKNAME_MAX = 32;
    static final int PASSWORD_MAX = 128;
    static final int TEXT_MAX = 2000;
    static final int PEER_ID_MAX = 64;
    static final int SDP_MAX_BYTES = 32 * 1024;
    static final int CANDIDATE_MAX = 2048;
    static final int LIST_LIMIT_MAX = 200;
    static final int LIST_LIMIT_DEFAULT = 50;
    private static final List<String> MEDIA_KINDS = List.of("audio", "video", "screen");
    /** The reactions of protocol.md, exactly: thumbs up, clap, tears of joy, open mouth, red heart, party popper. */
    static final List<String> EMOJI = List.of("\uD83D\uDC4D", "\uD83D\uDC4F", "\uD83D\uDE02", "\uD83D\uDE2E",
            "\u2764\uFE0F", "\uD83C\uDF89");
    private static final Set<String> DESCRIPTION_TYPES = Set.of("offer", "answer", "pranswer", "rollback");
    // <peerId>.<secret>, both url-safe base64 as Ids makes them; loose on lengths so older tokens keep working
    private static final Pattern RESUME_TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,64}\\.[A-Za-z0-9_-]{22,128}");

    /** A field broke its rule; the message goes to the client. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private Validation() {
    }

    static ObjectNode join(JsonNode data) throws Invalid {
        ObjectNode out = Json.object();
        out.put("room", room(data));
        out.put("nickname", nickname(data));
        JsonNode password = field(data, "password");
        if (password != null) {
            if (!password.isTextual() || Unicode.codePoints(password.asText()) > PASSWORD_MAX) {
                throw new Invalid("data.password must be a string of at most " + PASSWORD_MAX + " characters");
            }
            if (!password.asText().isEmpty()) { // an empty password field means none
                // The costly key is derived here, on the joiner's own thread; the password never goes to Kafka.
                out.put("passwordKey", RoomPassword.key(out.get("room").asText(), password.asText()));
            }
        }
        Boolean priv = optionalBoolean(data, "private");
        if (priv != null) {
            out.put("private", priv);
        }
        out.set("media", joinMedia(field(data, "media")));
        return out;
    }

    /** A joiner's {@code media}: each of audio, video, screen true or false, absent (or null) false. */
    private static ObjectNode joinMedia(JsonNode media) throws Invalid {
        if (media != null && !media.isObject()) {
            throw new Invalid("data.media must be an object {audio, video, screen} of true or false");
        }
        ObjectNode out = Json.object();
        for (String kind : MEDIA_KINDS) {
            JsonNode on = media == null ? null : field(media, kind);
            if (on != null && !on.isBoolean()) {
                throw new Invalid("data.media." + kind + " must be true or false");
            }
            out.put(kind, on != null && on.asBoolean());
        }
        return out;
    }

    static ObjectNode hand(JsonNode data) throws Invalid {
        ObjectNode out = Json.object();
        out.put("room", room(data));
        Boolean raised = optionalBoolean(data, "raised");
        if (raised == null) {
            throw new Invalid("data.raised is required: true or false");
        }
        out.put("raised", raised);
        return out;
    }

    static ObjectNode react(JsonNode data) throws Invalid {
        ObjectNode out = Json.object();
        out.put("room", room(data));
        JsonNode emoji = field(data, "emoji");
        if (emoji == null || !emoji.isTextual() || !EMOJI.contains(emoji.asText())) {
            throw new Invalid("data.emoji must be one of " + String.join(" ", EMOJI) + " (\u2764\ufe0f is"
                    + " U+2764 U+FE0F)");
        }
        out.put("emoji", emoji.asText());
        return out;
    }

    static ObjectNode leave(JsonNode data) throws Invalid {
        ObjectNode out = Json.object();
        out.put("room", room(data));
        return out;
    }

    static ObjectNode rename(JsonNode data) throws Invalid {
        ObjectNode out = Json.object();
        out.put("room", room(data));
        out.put("nickname", nickname(data));
        return out;
    }

    static ObjectNode media(JsonNode data) throws Invalid {
        ObjectNode out = Json.object();
        out.put("room", room(data));
        for (String kind : MEDIA_KINDS) {
            Boolean on = optionalBoolean(data, kind);
            if (on == null) {
                throw new Invalid("data." + kind + " is required: true or false");
            }
            out.put(kind, on);
        }
        return out;
    }

    static ObjectNode chat(JsonNode data) throws Invalid {
        ObjectNode out = Json.object();
        out.put("room", room(data));
        JsonNode text = field(data, "text");
        if (text == null || !text.isTextual()) {
            throw new Invalid("data.text is required: a string of 1 to " + TEXT_MAX + " characters");
        }
        out.put("text", text(text.asText(), "data.text"));
        String to = optionalPeerId(data, "to");
        if (to != null) {
            out.put("to", to);
        }
        return out;
    }

    static ObjectNode signal(JsonNode data) throws Invalid {
        ObjectNode out = Json.object();
        out.put("room", room(data));
        String to = optionalPeerId(data, "to");
        if (to == null) {
            throw new Invalid("data.to is required: the peerId of a peer in the room");
        }
        out.put("to", to);
        JsonNode description = field(data, "description");
        JsonNode candidate = field(data, "candidate");
        if (description == null && candidate == null) {
            throw new Invalid("signal needs data.description ({type, sdp}) or data.candidate (RTCIceCandidateInit)"
                    + " or both");
        }
        if (description != null) {
            out.set("description", description(description));
        }
        if (candidate != null) {
            out.set("candidate", candidate(candidate));
        }
        return out;
    }

    /** {@code watch} (null: leave the watch as it is) and {@code limit}. */
    record ListRooms(Boolean watch, int limit) {
    }

    /**
     * The value of a number from {@code min} (at least 0) to {@code max} with no fraction, however JSON wrote it
     * ({@code 50}, {@code 50.0}, {@code 5e1}: JSON has one number type); -1 for anything else.
     */
    static int wholeNumber(JsonNode n, int min, int max) {
        if (!n.isNumber() || n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue())) {
            return -1;
        }
        BigDecimal value = n.decimalValue();
        if (value.stripTrailingZeros().scale() > 0) {
            return -1;
        }
        return value.compareTo(BigDecimal.valueOf(min)) >= 0 && value.compareTo(BigDecimal.valueOf(max)) <= 0
                ? value.intValue() : -1;
    }

    static ListRooms listRooms(JsonNode data) throws Invalid {
        Boolean watch = optionalBoolean(data, "watch");
        JsonNode limit = field(data, "limit");
        int n = LIST_LIMIT_DEFAULT;
        if (limit != null) {
            n = wholeNumber(limit, 1, LIST_LIMIT_MAX);
            if (n < 0) {
                throw new Invalid("data.limit must be a whole number from 1 to " + LIST_LIMIT_MAX
                        + " (default " + LIST_LIMIT_DEFAULT + ")");
            }
        }
        return new ListRooms(watch, n);
    }

    /**
     * The token of a resume, a string (else {@link Invalid}); whether it has a token's shape is
     * {@link #wellFormedToken}'s question (presence knows whether it is real).
     */
    static String resumeToken(JsonNode data) throws Invalid {
        JsonNode token = field(data, "resumeToken");
        if (token == null || !token.isTextual()) {
            throw new Invalid("data.resumeToken is required: the resumeToken of an earlier hello or resume");
        }
        return token.asText();
    }

    /** Shaped like a token ({@code <peerId>.<secret>}, as hello gives it); a malformed one is resume_failed. */
    static boolean wellFormedToken(String token) {
        return RESUME_TOKEN.matcher(token).matches();
    }

    /** The peerId part of a token that passed {@link #resumeToken}. */
    static String tokenPeer(String token) {
        return token.substring(0, token.indexOf('.'));
    }

    private static ObjectNode description(JsonNode d) throws Invalid {
        if (!d.isObject()) {
            throw new Invalid("data.description must be an object {type, sdp}");
        }
        JsonNode type = field(d, "type");
        if (type == null || !type.isTextual() || !DESCRIPTION_TYPES.contains(type.asText())) {
            throw new Invalid("data.description.type must be one of offer, answer, pranswer, rollback");
        }
        JsonNode sdp = field(d, "sdp");
        String text = "";
        if (sdp != null) {
            if (!sdp.isTextual()) {
                throw new Invalid("data.description.sdp must be a string");
            }
            text = sdp.asText();
        } else if (!type.asText().equals("rollback")) {
            throw new Invalid("data.description.sdp is required for " + type.asText());
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > SDP_MAX_BYTES) {
            throw new Invalid("data.description.sdp must be at most 32 KiB");
        }
        ObjectNode out = Json.object();
        out.put("type", type.asText());
        out.put("sdp", text);
        return out;
    }

    private static ObjectNode candidate(JsonNode c) throws Invalid {
        if (!c.isObject()) {
            throw new Invalid("data.candidate must be an RTCIceCandidateInit object {candidate, sdpMid?, "
                    + "sdpMLineIndex?, usernameFragment?}");
        }
        ObjectNode out = Json.object();
        JsonNode candidate = field(c, "candidate");
        if (candidate == null || !candidate.isTextual() || candidate.asText().length() > CANDIDATE_MAX) {
            throw new Invalid("data.candidate.candidate must be a string of at most " + CANDIDATE_MAX
                    + " characters (empty for end of candidates)");
        }
        out.put("candidate", candidate.asText());
        JsonNode mid = field(c, "sdpMid");
        if (mid != null) {
            if (!mid.isTextual() || mid.asText().length() > 64) {
                throw new Invalid("data.candidate.sdpMid must be a string of at most 64 characters or null");
            }
            out.put("sdpMid", mid.asText());
        }
        JsonNode index = field(c, "sdpMLineIndex");
        if (index != null) {
            int i = wholeNumber(index, 0, 65535);
            if (i < 0) {
                throw new Invalid("data.candidate.sdpMLineIndex must be a whole number from 0 to 65535 or null");
            }
            out.put("sdpMLineIndex", i);
        }
        JsonNode ufrag = field(c, "usernameFragment");
        if (ufrag != null) {
            if (!ufrag.isTextual() || ufrag.asText().length() > 256) {
                throw new Invalid("data.candidate.usernameFragment must be a string of at most 256 characters or null");
            }
            out.put("usernameFragment", ufrag.asText());
        }
        return out;
    }

    static String room(JsonNode data) throws Invalid {
        JsonNode node = field(data, "room");
        if (node == null || !node.isTextual()) {
            throw new Invalid("data.room is required: a room name of 1 to " + ROOM_MAX + " characters");
        }
        return roomName(node.asText(), "data.room");
    }

    /**
     * A room name: NFC, trimmed, then 1 to 64 code points of letters, combining marks, decimal digits, space, '-',
     * '_' and '.'. {@code name} says in the message which field it was.
     */
    public static String roomName(String raw, String name) throws Invalid {
        String room = Unicode.normalise(raw);
        int length = Unicode.codePoints(room);
        if (length < 1 || length > ROOM_MAX) {
            throw new Invalid(name + " must be 1 to " + ROOM_MAX + " characters long after trimming (got "
                    + length + ")");
        }
        for (int i = 0; i < room.length(); ) {
            int cp = room.codePointAt(i);
            if (!roomCharacter(cp)) {
                throw new Invalid(name + " may contain only letters, combining marks, digits, space, '-', '_' and"
                        + " '.' (not U+" + String.format("%04X", cp) + ")");
            }
            i += Character.charCount(cp);
        }
        return room;
    }

    /** A chat text (as sent: not trimmed): 1 to 2000 code points of well-formed Unicode. */
    public static String text(String text, String name) throws Invalid {
        int length = Unicode.codePoints(text);
        if (length < 1 || length > TEXT_MAX) {
            throw new Invalid(name + " must be 1 to " + TEXT_MAX + " characters long (got " + length + ")");
        }
        if (!Unicode.wellFormed(text)) {
            throw new Invalid(name + " is not valid Unicode (unpaired surrogate)");
        }
        return text;
    }

    /**
     * A peerId as a request may name one: a string of 1 to 64 characters. Whether such a peer exists is the
     * services' question ({@code unknown_peer}), not a field rule.
     */
    public static String peerId(String peerId, String name) throws Invalid {
        if (peerId.isEmpty() || peerId.length() > PEER_ID_MAX) {
            throw new Invalid(name + " must be a peerId (a string of 1 to " + PEER_ID_MAX + " characters)");
        }
        return peerId;
    }

    private static String nickname(JsonNode data) throws Invalid {
        JsonNode node = field(data, "nickname");
        if (node == null || !node.isTextual()) {
            throw new Invalid("data.nickname is required: a name of 1 to " + NICKNAME_MAX + " characters");
        }
        String nickname = Unicode.normalise(node.asText());
        int length = Unicode.codePoints(nickname);
        if (length < 1 || length > NICKNAME_MAX) {
            throw new Invalid("data.nickname must be 1 to " + NICKNAME_MAX + " characters long after trimming (got "
                    + length + ")");
        }
        if (!Unicode.wellFormed(nickname) || nickname.codePoints().anyMatch(Character::isISOControl)) {
            throw new Invalid("data.nickname must not contain control characters");
        }
        return nickname;
    }

    private static String optionalPeerId(JsonNode data, String name) throws Invalid {
        JsonNode node = field(data, name);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw new Invalid("data." + name + " must be a peerId (a string of 1 to " + PEER_ID_MAX + " characters)");
        }
        return peerId(node.asText(), "data." + name);
    }

    private static Boolean optionalBoolean(JsonNode data, String name) throws Invalid {
        JsonNode node = field(data, name);
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            throw new Invalid("data." + name + " must be true or false");
        }
        return node.asBoolean();
    }

    /** The field, or {@code null} when missing or JSON null (the protocol treats both as absent). */
    static JsonNode field(JsonNode object, String name) {
        JsonNode node = object.get(name);
        return node == null || node.isNull() ? null : node;
    }

    private static boolean roomCharacter(int cp) {
        if (cp == ' ' || cp == '-' || cp == '_' || cp == '.') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                 Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER -> true;
            default -> false;
        };
    }
}
