package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.json.Json;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The field rules of protocol.md "Validation", one by one (pure: no broker, no socket). */
class ValidationTest {
    @FunctionalInterface
    interface Check {
        Object run() throws Validation.Invalid;
    }

    private static JsonNode data(String json) {
        return Json.tree(json);
    }

    private static String invalid(Check check) {
        return assertThrows(Validation.Invalid.class, check::run).getMessage();
    }

    @Test
    void roomIsNormalisedAndTrimmedOfUnicodeSpace() throws Exception {
        // NFC: "e" + combining acute becomes one code point; no-break spaces and ideographic space are trimmed
        ObjectNode out = Validation.leave(data("{\"room\": \"\\u00a0\\u3000Cafe\\u0301 standup\\u2003\"}"));
        assertThat(out.get("room").asText(), is("Caf\u00e9 standup"));
        assertThat(Validation.leave(data("{\"room\": \"会議室-1_a.b\"}")).get("room").asText(), is("会議室-1_a.b"));
        assertThat(Validation.leave(data("{\"room\": \"Δωμάτιο ٣\"}")).get("room").asText(), is("Δωμάτιο ٣"));
    }

    @Test
    void everyWhiteSpaceCharacterIsTrimmedAndNothingElse() throws Exception {
        int[] space = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
                0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
        for (int cp : space) {
            String s = Character.toString(cp);
            assertThat(Integer.toHexString(cp), Unicode.normalise(s + "Ann" + s + s), is("Ann"));
        }
        // not White_Space: zero-width space, word joiner, BOM stay (and a room name refuses them)
        for (int cp : new int[] {0x200B, 0x2060, 0xFEFF, 0x180E}) {
            assertThat(Integer.toHexString(cp), Unicode.normalise(Character.toString(cp) + "a"),
                    is(Character.toString(cp) + "a"));
        }
        assertThat(Validation.rename(data("{\"room\": \"\u2003r\u2003\", \"nickname\": \"\u2003Ann\u0085\"}"))
                .get("nickname").asText(), is("Ann"));
    }

    @Test
    void joinMediaHandAndReact() throws Exception {
        ObjectNode join = Validation.join(data("{\"room\": \"r\", \"nickname\": \"n\"}"));
        assertThat(join.get("media"), is(data("{\"audio\": false, \"video\": false, \"screen\": false}")));
        join = Validation.join(data("{\"room\": \"r\", \"nickname\": \"n\", \"media\": {\"screen\": true, \"audio\": null}}"));
        assertThat(join.get("media"), is(data("{\"audio\": false, \"video\": false, \"screen\": true}")));
        assertThat(invalid(() -> Validation.join(data("{\"room\": \"r\", \"nickname\": \"n\", \"media\": [true]}"))),
                containsString("data.media must be an object"));
        assertThat(invalid(() -> Validation.join(data("{\"room\": \"r\", \"nickname\": \"n\", \"media\": {\"video\": 1}}"))),
                containsString("data.media.video must be true or false"));
        assertThat(Validation.hand(data("{\"room\": \"r\", \"raised\": false}")).get("raised").asBoolean(), is(false));
        assertThat(invalid(() -> Validation.hand(data("{\"room\": \"r\", \"raised\": \"true\"}"))),
                containsString("data.raised"));
        for (String emoji : List.of("\uD83D\uDC4D", "\uD83D\uDC4F", "\uD83D\uDE02", "\uD83D\uDE2E", "\u2764\uFE0F", "\uD83C\uDF89")) {
            assertThat(Validation.react(Json.object().put("room", "r").put("emoji", emoji)).get("emoji").asText(),
                    is(emoji));
        }
        for (String bad : List.of("\u2764", "\uD83D\uDC4D\uD83D\uDC4D", " \uD83C\uDF89", "", "heart")) {
            assertThat(invalid(() -> Validation.react(Json.object().put("room", "r").put("emoji", bad))),
                    containsString("data.emoji must be one of"));
        }
    }

    @Test
    void roomRules() {
        assertThat(invalid(() -> Validation.leave(data("{}"))), containsString("data.room is required"));
        assertThat(invalid(() -> Validation.leave(data("{\"room\": null}"))), containsString("required"));
        assertThat(invalid(() -> Validation.leave(data("{\"room\": 5}"))), containsString("required"));
        assertThat(invalid(() -> Validation.leave(data("{\"room\": \"   \"}"))), containsString("1 to 64"));
        assertThat(invalid(() -> Validation.leave(data("{\"room\": \"" + "a".repeat(65) + "\"}"))),
                containsString("1 to 64"));
        Check sixtyFour = () -> Validation.leave(data("{\"room\": \"" + "é".repeat(64) + "\"}"));
        assertThat(noThrow(sixtyFour), is(true));
        assertThat(invalid(() -> Validation.leave(data("{\"room\": \"a/b\"}"))), containsString("U+002F"));
        assertThat(invalid(() -> Validation.leave(data("{\"room\": \"a😀\"}"))), containsString("letters"));
        assertThat(invalid(() -> Validation.leave(data("{\"room\": \"a\\tb\"}"))), containsString("U+0009"));
    }

    @Test
    void nicknameRules() throws Exception {
        String ok = "{\"room\": \"r\", \"nickname\": \"  Ann 😀 \"}";
        assertThat(Validation.rename(data(ok)).get("nickname").asText(), is("Ann 😀"));
        assertThat(invalid(() -> Validation.rename(data("{\"room\": \"r\"}"))), containsString("nickname is required"));
        assertThat(invalid(() -> Validation.rename(data("{\"room\": \"r\", \"nickname\": \" \"}"))),
                containsString("1 to 32"));
        assertThat(invalid(() -> Validation.rename(data("{\"room\": \"r\", \"nickname\": \"" + "x".repeat(33) + "\"}"))),
                containsString("1 to 32"));
        // 32 code points that are 64 UTF-16 units are fine
        assertThat(noThrow(() -> Validation.rename(data("{\"room\": \"r\", \"nickname\": \"" + "😀".repeat(32) + "\"}"))),
                is(true));
        assertThat(invalid(() -> Validation.rename(data("{\"room\": \"r\", \"nickname\": \"a\\u0007b\"}"))),
                containsString("control"));
        assertThat(invalid(() -> Validation.rename(data("{\"room\": \"r\", \"nickname\": \"a\\ud800b\"}"))),
                containsString("control"));
    }

    @Test
    void joinFields() throws Exception {
        ObjectNode out = Validation.join(data("{\"room\": \"r\", \"nickname\": \"n\", \"password\": \"pw\","
                + " \"private\": true, \"extra\": 1}"));
        assertThat(out.has("password"), is(false)); // the key, derived here: never the password itself
        assertThat(out.get("passwordKey").asText(), is(dev.huddle.service.RoomPassword.key("r", "pw")));
        assertThat(out.get("private").asBoolean(), is(true));
        assertThat(out.has("extra"), is(false));
        ObjectNode nulls = Validation.join(data("{\"room\": \"r\", \"nickname\": \"n\", \"password\": null,"
                + " \"private\": null}"));
        assertThat(nulls.has("passwordKey") || nulls.has("private"), is(false));
        assertThat(invalid(() -> Validation.join(data("{\"room\": \"r\", \"nickname\": \"n\", \"private\": \"yes\"}"))),
                containsString("data.private must be true or false"));
        assertThat(invalid(() -> Validation.join(data("{\"room\": \"r\", \"nickname\": \"n\", \"password\": 1}"))),
                containsString("data.password"));
        assertThat(invalid(() -> Validation.join(data("{\"room\": \"r\", \"nickname\": \"n\", \"password\": \""
                + "p".repeat(129) + "\"}"))), containsString("at most 128"));
    }

    @Test
    void mediaNeedsThreeBooleans() throws Exception {
        ObjectNode out = Validation.media(data("{\"room\": \"r\", \"audio\": true, \"video\": false, \"screen\": false}"));
        assertThat(out.get("audio").asBoolean(), is(true));
        assertThat(invalid(() -> Validation.media(data("{\"room\": \"r\", \"audio\": true, \"video\": false}"))),
                containsString("data.screen is required"));
        assertThat(invalid(() -> Validation.media(data("{\"room\": \"r\", \"audio\": 1, \"video\": false,"
                + " \"screen\": false}"))), containsString("data.audio must be true or false"));
    }

    @Test
    void chatRules() throws Exception {
        assertThat(Validation.chat(data("{\"room\": \"r\", \"text\": \"hi\", \"to\": \"p1\"}")).get("to").asText(),
                is("p1"));
        assertThat(Validation.chat(data("{\"room\": \"r\", \"text\": \"" + "😀".repeat(2000) + "\"}"))
                .get("text").asText().length(), is(4000));
        assertThat(invalid(() -> Validation.chat(data("{\"room\": \"r\", \"text\": \"\"}"))), containsString("1 to 2000"));
        assertThat(invalid(() -> Validation.chat(data("{\"room\": \"r\", \"text\": \"" + "x".repeat(2001) + "\"}"))),
                containsString("1 to 2000"));
        assertThat(invalid(() -> Validation.chat(data("{\"room\": \"r\"}"))), containsString("data.text is required"));
        assertThat(invalid(() -> Validation.chat(data("{\"room\": \"r\", \"text\": \"a\", \"to\": 7}"))),
                containsString("data.to"));
        assertThat(invalid(() -> Validation.chat(data("{\"room\": \"r\", \"text\": \"a\", \"to\": \"\"}"))),
                containsString("data.to"));
    }

    @Test
    void signalRules() throws Exception {
        ObjectNode offer = Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"description\":"
                + " {\"type\": \"offer\", \"sdp\": \"v=0\", \"x\": 1}}"));
        assertThat(offer.get("description").get("sdp").asText(), is("v=0"));
        assertThat(offer.get("description").has("x"), is(false));
        ObjectNode cand = Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"candidate\": {\"candidate\":"
                + " \"candidate:1 1 udp 1 1.2.3.4 5 typ host\", \"sdpMid\": \"0\", \"sdpMLineIndex\": 0,"
                + " \"usernameFragment\": null}}"));
        assertThat(cand.get("candidate").get("sdpMLineIndex").asInt(), is(0));
        assertThat(cand.get("candidate").has("usernameFragment"), is(false));
        assertThat(noThrow(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"candidate\":"
                + " {\"candidate\": \"\"}}"))), is(true)); // end of candidates
        assertThat(noThrow(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"description\":"
                + " {\"type\": \"rollback\"}}"))), is(true));
        assertThat(invalid(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\"}"))),
                containsString("description"));
        assertThat(invalid(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"description\": null,"
                + " \"candidate\": null}"))), containsString("description"));
        assertThat(invalid(() -> Validation.signal(data("{\"room\": \"r\", \"description\": {\"type\": \"offer\","
                + " \"sdp\": \"\"}}"))), containsString("data.to is required"));
        assertThat(invalid(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"description\":"
                + " {\"type\": \"bogus\", \"sdp\": \"\"}}"))), containsString("offer, answer, pranswer, rollback"));
        assertThat(invalid(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"description\":"
                + " {\"type\": \"offer\"}}"))), containsString("sdp is required"));
        assertThat(invalid(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"description\":"
                + " {\"type\": \"offer\", \"sdp\": \"" + "a".repeat(32 * 1024 + 1) + "\"}}"))), containsString("32 KiB"));
        assertThat(noThrow(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"description\":"
                + " {\"type\": \"offer\", \"sdp\": \"" + "a".repeat(32 * 1024) + "\"}}"))), is(true));
        assertThat(invalid(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"description\": \"x\"}"))),
                containsString("must be an object"));
        assertThat(invalid(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"candidate\": []}"))),
                containsString("RTCIceCandidateInit"));
        assertThat(invalid(() -> Validation.signal(data("{\"room\": \"r\", \"to\": \"p\", \"candidate\":"
                + " {\"candidate\": \"c\", \"sdpMLineIndex\": -1}}"))), containsString("sdpMLineIndex"));
    }

    @Test
    void listRoomsRules() throws Exception {
        assertThat(Validation.listRooms(data("{}")).limit(), is(50));
        assertThat(Validation.listRooms(data("{}")).watch() == null, is(true));
        assertThat(Validation.listRooms(data("{\"watch\": true, \"limit\": 200}")).limit(), is(200));
        assertThat(invalid(() -> Validation.listRooms(data("{\"limit\": 0}"))), containsString("1 to 200"));
        assertThat(invalid(() -> Validation.listRooms(data("{\"limit\": 201}"))), containsString("1 to 200"));
        assertThat(invalid(() -> Validation.listRooms(data("{\"limit\": 2.5}"))), containsString("1 to 200"));
        // JSON has one number type: a whole value is whole however it is written
        assertThat(Validation.listRooms(data("{\"limit\": 50.0}")).limit(), is(50));
        assertThat(Validation.listRooms(data("{\"limit\": 5e1}")).limit(), is(50));
        assertThat(Validation.listRooms(data("{\"limit\": 2.00E0}")).limit(), is(2));
        assertThat(invalid(() -> Validation.listRooms(data("{\"limit\": 1e400}"))), containsString("1 to 200"));
        assertThat(invalid(() -> Validation.listRooms(data("{\"limit\": 0.0}"))), containsString("1 to 200"));
        assertThat(invalid(() -> Validation.listRooms(data("{\"limit\": \"5\"}"))), containsString("1 to 200"));
        assertThat(invalid(() -> Validation.listRooms(data("{\"watch\": \"yes\"}"))), containsString("watch"));
    }

    @Test
    void resumeTokenShape() throws Exception {
        String token = Ids.resumeToken(Ids.peerId());
        assertThat(Validation.resumeToken(data("{\"resumeToken\": \"" + token + "\"}")), is(token));
        assertThat(Validation.tokenPeer(token), is(token.substring(0, token.indexOf('.'))));
        assertThat(invalid(() -> Validation.resumeToken(data("{}"))), containsString("required"));
        assertThat(invalid(() -> Validation.resumeToken(data("{\"resumeToken\": 5}"))), containsString("required"));
        // a string of the wrong shape is no invalid_field but resume_failed (protocol.md): the shape is asked apart
        assertThat(Validation.wellFormedToken(token), is(true));
        assertThat(Validation.wellFormedToken("nodot"), is(false));
        assertThat(Validation.wellFormedToken("a.b"), is(false));
    }

    private static boolean noThrow(Check check) {
        try {
            check.run();
            return true;
        } catch (Validation.Invalid e) {
            throw new AssertionError(e.getMessage());
        }
    }
}
