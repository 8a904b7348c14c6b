package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * Frames, error codes and routing (protocol.md "Frames", "Error codes"; architecture.md "Commands"): what a
 * client sends ends up as the right command on the right topic, or as the right error, and never hurts the
 * session or a bystander.
 */
@ExtendWith(KafkaExtension.class)
class RequestsTest {
    private static Harness harness;
    private static RunningService gateway;
    private static Harness.Watcher roomCommands;
    private static Harness.Watcher signals;
    private static Harness.Watcher presence;

    @BeforeAll
    static void start() {
        harness = new Harness();
        roomCommands = harness.watch(Topics.ROOM_COMMANDS);
        signals = harness.watch(Topics.SIGNALS);
        presence = harness.watch(Topics.PRESENCE);
        gateway = harness.gateway(Map.of("gateway.request.timeout.ms", "1500"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static JsonNode error(WsClient c) {
        return c.await("error").get("data");
    }

    @Test
    void badFramesAreAnsweredAndTheSessionGoesOn() {
        try (WsClient c = WsClient.hello(gateway.port()); WsClient bystander = WsClient.hello(gateway.port())) {
            c.sendText("not json");
            assertThat(error(c).get("code").asText(), is("bad_frame"));
            c.sendText("{\"type\": \"ping\"} trailing");
            assertThat(error(c).get("code").asText(), is("bad_frame"));
            c.sendText("[1, 2]");
            assertThat(error(c).get("code").asText(), is("bad_frame"));
            c.sendText("\"text\"");
            assertThat(error(c).get("code").asText(), is("bad_frame"));
            // an object with a usable ref gets its one reply, even without a string type
            c.sendText("{\"ref\": \"1\"}");
            JsonNode noType = c.await(f -> "1".equals(f.path("ref").asText()));
            assertThat(noType.get("ok").asBoolean(), is(false));
            assertThat(noType.get("error").get("code").asText(), is("bad_frame"));
            c.sendText("{\"type\": 7, \"ref\": \"2\"}");
            assertThat(c.await(f -> "2".equals(f.path("ref").asText())).get("error").get("code").asText(),
                    is("bad_frame"));
            c.sendText("{\"type\": null, \"ref\": 2}"); // an unusable ref: not processed, an invalid_field push
            assertThat(error(c).get("code").asText(), is("invalid_field"));
            c.sendBinary(new byte[] {1, 2, 3});
            JsonNode binary = error(c);
            assertThat(binary.get("code").asText(), is("bad_frame"));
            assertThat(binary.get("message").asText(), containsString("text"));

            assertThat(c.ok("ping", null).has("serverTime"), is(true));
            assertThat(bystander.ok("ping", null).has("serverTime"), is(true));
            assertThat(bystander.receives(f -> "error".equals(f.path("type").asText()), Duration.ofMillis(200)),
                    is(false));
        }
    }

    @Test
    void unusableRefIsNotProcessed() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            c.sendText("{\"type\": \"ping\", \"ref\": \"" + "r".repeat(33) + "\"}");
            JsonNode tooLong = error(c);
            assertThat(tooLong.get("code").asText(), is("invalid_field"));
            assertThat(tooLong.get("about").asText(), is("ping"));
            assertThat(tooLong.get("message").asText(), containsString("1 to 32"));
            c.sendText("{\"type\": \"ping\", \"ref\": 5}");
            assertThat(error(c).get("code").asText(), is("invalid_field"));
            c.sendText("{\"type\": \"ping\", \"ref\": \"\"}");
            assertThat(error(c).get("code").asText(), is("invalid_field"));
            assertThat(c.receives(f -> "pong".equals(f.path("type").asText())
                    || "reply".equals(f.path("type").asText()), Duration.ofMillis(300)), is(false));
            // 32 characters is fine, null is absent
            c.sendText("{\"type\": \"ping\", \"ref\": \"" + "r".repeat(32) + "\"}");
            assertThat(c.await(f -> ("r".repeat(32)).equals(f.path("ref").asText())).get("ok").asBoolean(), is(true));
            c.sendText("{\"type\": \"ping\", \"ref\": null, \"data\": null}");
            c.await("pong");
        }
    }

    /**
     * JSON can escape half a surrogate pair. UTF-8 cannot carry one: written raw into a frame it reached the client
     * as '?', so a ref came back as another ref (its request looked unanswered) and echoes were altered.
     */
    @Test
    void halfSurrogatePairsAreRefusedInRefsAndEchoedEscaped() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            c.sendText("{\"type\": \"ping\", \"ref\": \"r\\ud800\"}");
            JsonNode badRef = error(c);
            assertThat(badRef.get("code").asText(), is("invalid_field"));
            assertThat(badRef.get("about").asText(), is("ping"));
            assertThat(c.receives(f -> "reply".equals(f.path("type").asText()), Duration.ofMillis(300)), is(false));

            c.sendText("{\"type\": \"ping\", \"ref\": \"lone\", \"data\": {\"t\": \"a\\udc00b\\ud83d\\ude00\"}}");
            assertThat(c.await(f -> "lone".equals(f.path("ref").asText())).get("data").get("t").asText(),
                    is("a\udc00b\ud83d\ude00"));
            c.sendText("{\"type\": \"\\ud800x\"}");
            JsonNode unknown = error(c);
            assertThat(unknown.get("code").asText(), is("unknown_type"));
            assertThat(unknown.get("about").asText(), is("\ud800x"));
            // the message quotes the first 40 characters: never half of the pair that straddles the cut
            c.sendText("{\"type\": \"" + "é".repeat(39) + "\ud83d\ude00\"}");
            assertThat(error(c).get("message").asText(), containsString("é".repeat(39) + "..."));
        }
        assertThat(Unicode.escapeLoneSurrogates("{\"t\":\"ok \ud83d\ude00\"}"), is("{\"t\":\"ok \ud83d\ude00\"}"));
        assertThat(Unicode.escapeLoneSurrogates("{\"t\":\"\udc00\ud800\"}"), is("{\"t\":\"\\udc00\\ud800\"}"));
    }

    @Test
    void unknownTypeAndBadData() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            JsonNode reply = c.request("dance", null);
            assertThat(reply.get("ok").asBoolean(), is(false));
            assertThat(reply.get("error").get("code").asText(), is("unknown_type"));
            assertThat(reply.get("error").get("message").asText(), containsString("join"));
            c.send("reply", null, null);
            JsonNode push = error(c);
            assertThat(push.get("code").asText(), is("unknown_type"));
            assertThat(push.get("about").asText(), is("reply"));
            c.sendText("{\"type\": \"join\", \"ref\": \"d1\", \"data\": [1]}");
            JsonNode notObject = c.await(f -> "d1".equals(f.path("ref").asText()));
            assertThat(notObject.get("error").get("code").asText(), is("invalid_field"));
            assertThat(notObject.get("error").get("message").asText(), containsString("data must be"));
            c.sendText("{\"type\": \"join\", \"data\": \"x\"}");
            JsonNode pushNotObject = error(c);
            assertThat(pushNotObject.get("code").asText(), is("invalid_field"));
            assertThat(pushNotObject.get("about").asText(), is("join"));
        }
    }

    @Test
    void everyRequestTypeValidatesItsFields() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            String[][] cases = {
                    {"join", "{\"room\": \"ok\"}", "nickname"},
                    {"join", "{\"room\": \"bad/room\", \"nickname\": \"n\"}", "data.room"},
                    {"leave", "{}", "data.room"},
                    {"rename", "{\"room\": \"r\", \"nickname\": \"\"}", "nickname"},
                    {"media", "{\"room\": \"r\", \"audio\": true}", "data.video"},
                    {"chat", "{\"room\": \"r\", \"text\": \"\"}", "text"},
                    {"signal", "{\"room\": \"r\", \"to\": \"p\"}", "description"},
                    {"list_rooms", "{\"limit\": 500}", "limit"},
                    {"resume", "{\"resumeToken\": \"x\"}", "first frame"},
                    {"join", "{\"room\": \"r\", \"nickname\": \"n\", \"media\": true}", "data.media"},
                    {"join", "{\"room\": \"r\", \"nickname\": \"n\", \"media\": {\"audio\": \"yes\"}}",
                            "data.media.audio"},
                    {"hand", "{\"room\": \"r\"}", "data.raised"},
                    {"hand", "{\"room\": \"r\", \"raised\": 1}", "data.raised"},
                    {"react", "{\"room\": \"r\", \"emoji\": \"\u2764\"}", "U+2764 U+FE0F"},
                    {"react", "{\"room\": \"r\", \"emoji\": 5}", "data.emoji"},
            };
            for (String[] k : cases) {
                c.sendText("{\"type\": \"" + k[0] + "\", \"ref\": \"v-" + k[0] + k[1].length() + "\", \"data\": " + k[1] + "}");
                JsonNode reply = c.await(f -> ("v-" + k[0] + k[1].length()).equals(f.path("ref").asText()));
                assertThat(k[0] + " " + k[1], reply.get("ok").asBoolean(), is(false));
                assertThat(k[0] + " " + k[1], reply.get("error").get("code").asText(), is("invalid_field"));
                assertThat(k[0] + " " + k[1], reply.get("error").get("message").asText(), containsString(k[2]));
            }
            assertThat(c.ok("ping", null).has("serverTime"), is(true));
        }
        assertThat(roomCommands.all().stream().noneMatch(x -> "bad/room".equals(x.key())), is(true));
    }

    @Test
    void resumeMustComeFirstWithRef() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            c.send("resume", null, Harness.map("resumeToken", Ids.resumeToken(Ids.peerId())));
            JsonNode e = error(c);
            assertThat(e.get("code").asText(), is("invalid_field"));
            assertThat(e.get("message").asText(), containsString("ref"));
        }
    }

    @Test
    void roomRequestsBecomeCommandsKeyedByRoom() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            long before = System.currentTimeMillis();
            c.send("join", "j1", Harness.map("room", "  Caf\u0065\u0301 ", "nickname", " Ann ", "password", "pw",
                    "private", null, "junk", true));
            Command join = roomCommands.await("join", "j1");
            assertThat(join.key(), is("Caf\u00e9"));
            assertThat(join.data().get("room").asText(), is("Caf\u00e9"));
            assertThat(join.data().get("nickname").asText(), is("Ann"));
            assertThat(join.data().has("password"), is(false)); // never the password itself on Kafka
            assertThat(join.data().get("passwordKey").asText(),
                    is(dev.huddle.service.RoomPassword.key("Caf\u00e9", "pw")));
            assertThat(join.data().get("media"), is(dev.huddle.json.Json.tree(
                    "{\"audio\":false,\"video\":false,\"screen\":false}")));
            assertThat(join.data().has("junk") || join.data().has("private"), is(false));
            c.send("join", "j2", Harness.map("room", "\u2003Caf\u00e9\u2003", "nickname", "\u2003Ann\u3000",
                    "media", Harness.map("audio", true, "video", null)));
            Command spaced = roomCommands.await("join", "j2");
            assertThat(spaced.key(), is("Caf\u00e9"));
            assertThat(spaced.data().get("nickname").asText(), is("Ann"));
            assertThat(spaced.data().get("media"), is(dev.huddle.json.Json.tree(
                    "{\"audio\":true,\"video\":false,\"screen\":false}")));
            // answered, or the signaling requests below would wait for it (RequestOrder)
            harness.reply(spaced, Harness.map("room", "Café"));
            assertThat(join.origin().peer(), is(c.peerId()));
            assertThat(join.origin().gateway(), is(gateway.instance().id()));
            assertThat(join.ts() >= before, is(true));

            harness.reply(join, Harness.map("room", "Café"));
            assertThat(c.await(f -> "j1".equals(f.path("ref").asText())).get("data").get("room").asText(), is("Café"));

            c.send("media", null, Harness.map("room", "Café", "audio", false, "video", true, "screen", false));
            Command media = roomCommands.await(x -> "media".equals(x.type()) && c.peerId().equals(x.origin().peer()));
            // Without a ref, a rooms request still gets one of the gateway's (RequestOrder): longer than a
            // client's may be, its reply is the gateway's own.
            assertThat(media.ref().length() > FrameIntake.REF_MAX, is(true));
            c.send("rename", "n1", Harness.map("room", "Café", "nickname", "Bo"));
            Command rename = roomCommands.await("rename", "n1");
            c.send("leave", "l1", Harness.map("room", "Café"));
            Command leave = roomCommands.await("leave", "l1");
            // The signaling requests below wait for the rooms requests before them to be answered.
            c.send("signal", "s0", Harness.map("room", "Café", "to", "someone", "candidate",
                    Harness.map("candidate", "candidate:0")));
            sleepQuietly(500);
            assertThat(signals.all().stream().anyMatch(x -> "s0".equals(x.ref())), is(false));
            harness.reply(media, Harness.map());
            harness.reply(rename, Harness.map());
            harness.reply(leave, Harness.map());
            assertThat(c.receives(f -> media.ref().equals(f.path("ref").asText()), java.time.Duration.ofMillis(300)),
                    is(false));
            signals.await("signal", "s0");

            c.send("signal", "s1", Harness.map("room", "Café", "to", "someone",
                    "candidate", Harness.map("candidate", "candidate:1", "sdpMid", "0", "sdpMLineIndex", 0)));
            Command signal = signals.await("signal", "s1");
            assertThat(signal.key(), is("Café"));
            assertThat(signal.data().get("candidate").get("sdpMid").asText(), is("0"));
            c.send("chat", "c1", Harness.map("room", "Café", "text", "hello"));
            assertThat(signals.await("chat", "c1").data().get("text").asText(), is("hello"));
            c.send("hand", "h1", Harness.map("room", "Café", "raised", true));
            // a rooms request after signaling ones waits for signaling to answer a fence behind them
            Command fence = signals.await(x -> RequestOrder.FENCE.equals(x.type()) && c.peerId().equals(x.origin().peer()));
            assertThat(roomCommands.all().stream().anyMatch(x -> "h1".equals(x.ref())), is(false));
            harness.reply(fence, Harness.map());
            Command hand = roomCommands.await("hand", "h1");
            assertThat(hand.data().get("raised").asBoolean(), is(true));
            harness.reply(hand, Harness.map());
            c.send("react", "e1", Harness.map("room", "Café", "emoji", "\u2764\uFE0F"));
            assertThat(signals.await("react", "e1").data().get("emoji").asText(), is("\u2764\uFE0F"));
        }
    }

    @Test
    void reactionsAreLimitedToTwoASecondAtTheGateway() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            for (int i = 0; i < 4; i++) {
                c.send("react", "re" + i, Harness.map("room", "party", "emoji", "\uD83C\uDF89"));
            }
            for (int i = 2; i < 4; i++) {
                String ref = "re" + i;
                JsonNode reply = c.await(f -> ref.equals(f.path("ref").asText()));
                assertThat(reply.get("error").get("code").asText(), is("rate_limited"));
                assertThat(reply.get("error").get("message").asText(), containsString("2 a second"));
            }
            signals.await("react", "re0");
            signals.await("react", "re1");
            Harness.sleep(1100); // a second later there is room again
            c.send("react", "re4", Harness.map("room", "party", "emoji", "\uD83D\uDC4D"));
            signals.await("react", "re4");
        }
        assertThat(signals.all().stream().noneMatch(x -> "re2".equals(x.ref()) || "re3".equals(x.ref())), is(true));
    }

    @Test
    void fiveWrongPasswordsForARoomRateLimitThatConnectionsJoinsOfIt() {
        try (WsClient guesser = WsClient.hello(gateway.port()); WsClient other = WsClient.hello(gateway.port())) {
            // sent all at once: the ones beyond five are refused before their answers are in
            for (int i = 0; i < 7; i++) {
                guesser.send("join", "g" + i, Harness.map("room", "vault", "nickname", "n", "password", "guess" + i));
            }
            for (int i = 5; i < 7; i++) {
                String ref = "g" + i;
                assertThat(guesser.await(f -> ref.equals(f.path("ref").asText())).get("error").get("code").asText(),
                        is("rate_limited"));
            }
            for (int i = 0; i < 5; i++) {
                Command join = roomCommands.await("join", "g" + i);
                harness.deliver("vault", Delivery.toConnection(join.origin(), Frames.failed(join.ref(), "join",
                        ErrorCode.WRONG_PASSWORD, "Wrong password"), join.ts()));
                String ref = "g" + i;
                guesser.await(f -> ref.equals(f.path("ref").asText()));
            }
            guesser.send("join", "g7", Harness.map("room", "vault", "nickname", "n", "password", "right"));
            JsonNode limited = guesser.await(f -> "g7".equals(f.path("ref").asText()));
            assertThat(limited.get("error").get("code").asText(), is("rate_limited"));
            assertThat(limited.get("error").get("message").asText(), containsString("wrong passwords"));
            // other rooms, and other connections, are not affected
            guesser.send("join", "g8", Harness.map("room", "lobby", "nickname", "n", "password", "x"));
            roomCommands.await("join", "g8");
            other.send("join", "o1", Harness.map("room", "vault", "nickname", "n", "password", "right"));
            roomCommands.await("join", "o1");
        }
        assertThat(roomCommands.all().stream().noneMatch(x -> x.ref() != null && List.of("g5", "g6", "g7").contains(x.ref())), is(true));
    }

    @Test
    void unansweredRequestTimesOutAsUnavailableAndLateRepliesAreDropped() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            long start = System.currentTimeMillis();
            JsonNode reply = c.request("leave", Harness.map("room", "nobody-answers"));
            long took = System.currentTimeMillis() - start;
            assertThat(reply.get("ok").asBoolean(), is(false));
            assertThat(reply.get("error").get("code").asText(), is("unavailable"));
            assertThat(took >= 1400, is(true));

            Command leave = roomCommands.await(x -> "leave".equals(x.type()) && x.key().equals("nobody-answers")
                    && c.peerId().equals(x.origin().peer()));
            harness.reply(leave, null); // too late
            assertThat(c.receives(f -> leave.ref().equals(f.path("ref").asText()), Duration.ofMillis(700)),
                    is(false));
        }
    }

    @Test
    void aReplyIsPassedOnceEvenWhenDelivered_twice() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            c.send("rename", "dup", Harness.map("room", "dups", "nickname", "x"));
            Command rename = roomCommands.await("rename", "dup");
            harness.reply(rename, null);
            harness.reply(rename, null); // a service's redelivery
            c.await(f -> "dup".equals(f.path("ref").asText()));
            assertThat(c.receives(f -> "dup".equals(f.path("ref").asText()), Duration.ofMillis(500)), is(false));
        }
    }

    @Test
    void reusingAPendingRefIsRefused() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            c.send("rename", "same", Harness.map("room", "reuse", "nickname", "x"));
            c.send("rename", "same", Harness.map("room", "reuse", "nickname", "y"));
            JsonNode refused = c.await(f -> "same".equals(f.path("ref").asText()));
            assertThat(refused.get("error").get("code").asText(), is("invalid_field"));
            assertThat(refused.get("error").get("message").asText(), containsString("new ref"));
        }
    }

    @Test
    void serviceErrorPushesAndFailuresPassThrough() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            c.send("chat", null, Harness.map("room", "errs", "text", "hi"));
            Command chat = signals.await(x -> "chat".equals(x.type()) && c.peerId().equals(x.origin().peer()));
            harness.deliver("errs", Delivery.toConnection(chat.origin(),
                    Frames.failed(null, "chat", ErrorCode.NOT_IN_ROOM, "You are not in room 'errs'"), chat.ts()));
            JsonNode e = error(c);
            assertThat(e.get("code").asText(), is("not_in_room"));
            assertThat(e.get("about").asText(), is("chat"));
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
