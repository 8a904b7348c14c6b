package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Json;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The protocol's revision (issue #12) end to end: real broker, every service, peers on two gateways, real
 * WebSockets. Join media, raised hands, reactions, the list's password and locked flags, room_locked, the
 * password guess limit, and the list watch kept by failed joins and re-joins.
 */
class ProtocolRevisionTest {
    private static final String HEART = "\u2764\uFE0F";
    private static LocalCluster cluster;
    private static Publisher operator;
    private static int gw1;
    private static int gw2;

    @BeforeAll
    static void start() throws Exception {
        String prefix = "rev" + UUID.randomUUID().toString().substring(0, 6) + ".";
        cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of("kafka.topic.prefix", prefix)));
        gw1 = cluster.gateways().get(0).port();
        gw2 = cluster.gateways().get(1).port();
        operator = new Publisher(KafkaSettings.of(cluster.bootstrapServers(), prefix), "operator-test");
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String room() {
        return "rev " + UUID.randomUUID().toString().substring(0, 8);
    }

    private static final JsonNode OFF = Json.tree("{\"audio\":false,\"video\":false,\"screen\":false}");

    @Test
    void joinMediaIsAnnouncedAndHandsGoUpForEveryoneOnBothGateways() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2)) {
            JsonNode annSelf = ann.ok("join", Map.of("room", room, "nickname", "Ann",
                    "media", Map.of("audio", true, "video", true, "screen", false))).get("self");
            assertThat(annSelf, is(Json.tree("{\"peerId\":\"" + ann.peerId() + "\",\"nickname\":\"Ann\","
                    + "\"media\":{\"audio\":true,\"video\":true,\"screen\":false},\"hand\":null}")));
            JsonNode bobJoin = bob.ok("join", Map.of("room", room, "nickname", "Bob"));
            assertThat(bobJoin.get("self").get("media"), is(OFF)); // nothing said: nothing sent
            assertThat(bobJoin.get("peers").get(0), is(annSelf));
            JsonNode joined = ann.await("peer_joined").get("data").get("peer");
            assertThat(joined, is(bobJoin.get("self")));

            assertThat(bob.ok("hand", Map.of("room", room, "raised", true)).size(), is(0));
            JsonNode toAnn = ann.await("peer_hand").get("data");
            JsonNode toBob = bob.await("peer_hand").get("data"); // the sender too
            assertThat(toBob, is(toAnn));
            assertThat(toAnn.get("peerId").asText(), is(bob.peerId()));
            long raisedAt = toAnn.get("hand").asLong();
            bob.ok("hand", Map.of("room", room, "raised", true)); // up already: same time, no push
            ann.ok("hand", Map.of("room", room, "raised", false)); // down already: no push
            assertThat(ann.receives(f -> "peer_hand".equals(f.path("type").asText()), Duration.ofMillis(1500)),
                    is(false));
            try (WsClient cid = WsClient.hello(gw1)) {
                JsonNode peers = cid.ok("join", Map.of("room", room, "nickname", "Cid")).get("peers");
                assertThat(peers.get(0).get("hand").isNull(), is(true));
                assertThat(peers.get(1).get("hand").asLong(), is(raisedAt));
            }
            bob.ok("hand", Map.of("room", room, "raised", false));
            JsonNode lowered = ann.await("peer_hand").get("data");
            assertThat(lowered.get("hand").isNull(), is(true));

            // the hand goes down with its peer
            bob.ok("hand", Map.of("room", room, "raised", true));
            ann.await("peer_hand");
            bob.ok("leave", Map.of("room", room));
            bob.ok("join", Map.of("room", room, "nickname", "Bob"));
            assertThat(ann.await("peer_joined").get("data").get("peer").get("hand").isNull(), is(true));
        }
    }

    @Test
    void reactionsReachEveryoneAtMostTwoASecond() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2);
             WsClient eve = WsClient.hello(gw2)) {
            ann.ok("join", Map.of("room", room, "nickname", "Ann"));
            bob.ok("join", Map.of("room", room, "nickname", "Bob"));
            long before = System.currentTimeMillis();
            assertThat(ann.ok("react", Map.of("room", room, "emoji", HEART)).size(), is(0));
            JsonNode toBob = bob.await("reaction").get("data");
            JsonNode toAnn = ann.await("reaction").get("data");
            assertThat(toAnn, is(toBob));
            assertThat(toBob.get("room").asText(), is(room));
            assertThat(toBob.get("from").asText(), is(ann.peerId()));
            assertThat(toBob.get("emoji").asText(), is(HEART));
            assertThat(toBob.get("ts").asLong() >= before, is(true));

            ann.ok("react", Map.of("room", room, "emoji", "\uD83D\uDC4D"));
            JsonNode third = ann.request("react", Map.of("room", room, "emoji", "\uD83C\uDF89"));
            assertThat(third.get("error").get("code").asText(), is("rate_limited"));
            JsonNode wrong = bob.request("react", Map.of("room", room, "emoji", "\u2764"));
            assertThat(wrong.get("error").get("code").asText(), is("invalid_field"));
            JsonNode notIn = eve.request("react", Map.of("room", room, "emoji", HEART));
            assertThat(notIn.get("error").get("code").asText(), is("not_in_room"));
            assertThat(bob.await("reaction").get("data").get("emoji").asText(), is("\uD83D\uDC4D"));
            assertThat(bob.receives(f -> "reaction".equals(f.path("type").asText()), Duration.ofMillis(1000)),
                    is(false));
        }
    }

    @Test
    void theListSaysPasswordAndLockedAndALockedRoomIsRefusedRoomLocked() throws Exception {
        String guarded = room();
        String locked = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2);
             WsClient watcher = WsClient.hello(gw2)) {
            ann.ok("join", Map.of("room", guarded, "nickname", "Ann", "password", "open sesame"));
            ann.ok("join", Map.of("room", locked, "nickname", "Ann"));
            // the list is put together from every rooms-service's reports: a room joined a moment ago may be missing
            // from it for a moment
            JsonNode list = watcher.ok("list_rooms", Map.of("watch", true, "limit", 200));
            for (long end = System.nanoTime() + 10_000_000_000L; (entry(list.get("rooms"), guarded) == null
                    || entry(list.get("rooms"), locked) == null) && System.nanoTime() < end; ) {
                Thread.sleep(100);
                list = watcher.ok("list_rooms", Map.of("watch", true, "limit", 200));
            }
            assertThat(entry(list.get("rooms"), guarded), is(Json.tree("{\"name\":\"" + guarded + "\",\"count\":1,"
                    + "\"capacity\":8,\"password\":true,\"locked\":false}")));
            assertThat(entry(list.get("rooms"), locked).get("password").asBoolean(), is(false));

            operator.send(Topics.ROOM_COMMANDS, locked, Command.of(null, CommandTypes.LOCK, locked,
                    Map.of("room", locked, "locked", true))).get(10, TimeUnit.SECONDS);
            JsonNode changed = watcher.await(f -> "rooms_changed".equals(f.path("type").asText())
                    && entry(f.get("data").get("rooms"), locked) != null).get("data");
            assertThat(entry(changed.get("rooms"), locked).get("locked").asBoolean(), is(true));
            JsonNode refused = bob.request("join", Map.of("room", locked, "nickname", "Bob"));
            assertThat(refused.get("error").get("code").asText(), is("room_locked"));
            assertThat(bob.ok("join", Map.of("room", guarded, "nickname", "Bob", "password", "open sesame"))
                    .get("peers").size(), is(1));
        }
    }

    @Test
    void fiveWrongPasswordsRateLimitThatConnectionForThatRoomOnly() {
        String room = room();
        String other = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient guesser = WsClient.hello(gw2);
             WsClient bob = WsClient.hello(gw1)) {
            ann.ok("join", Map.of("room", room, "nickname", "Ann", "password", "right"));
            ann.ok("join", Map.of("room", other, "nickname", "Ann", "password", "other"));
            for (int i = 0; i < 5; i++) {
                JsonNode wrong = guesser.request("join", Map.of("room", room, "nickname", "G", "password", "w" + i));
                assertThat(wrong.get("error").get("code").asText(), is("wrong_password"));
            }
            JsonNode limited = guesser.request("join", Map.of("room", room, "nickname", "G", "password", "right"));
            assertThat(limited.get("error").get("code").asText(), is("rate_limited"));
            // the same connection may still try another room, and other connections this one
            assertThat(guesser.request("join", Map.of("room", other, "nickname", "G", "password", "x"))
                    .get("error").get("code").asText(), is("wrong_password"));
            bob.ok("join", Map.of("room", room, "nickname", "Bob", "password", "right"));
            assertThat(ann.await("peer_joined").get("data").get("peer").get("peerId").asText(), is(bob.peerId()));
        }
    }

    @Test
    void theListWatchOutlivesAFailedJoinAndARejoinButNotANewRoom() throws Exception {
        String home = room();
        String guarded = room();
        String fresh = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient watcher = WsClient.hello(gw2)) {
            ann.ok("join", Map.of("room", guarded, "nickname", "Ann", "password", "pw"));
            watcher.ok("join", Map.of("room", home, "nickname", "W"));
            watcher.ok("list_rooms", Map.of("watch", true, "limit", 200));
            assertThat(watcher.request("join", Map.of("room", guarded, "nickname", "W")).get("error").get("code")
                    .asText(), is("wrong_password"));
            watcher.ok("join", Map.of("room", home, "nickname", "W")); // a re-join
            String probe = room();
            try (WsClient pia = WsClient.hello(gw1)) {
                pia.ok("join", Map.of("room", probe, "nickname", "Pia"));
                watcher.await(f -> "rooms_changed".equals(f.path("type").asText())
                        && entry(f.get("data").get("rooms"), probe) != null);

                watcher.ok("join", Map.of("room", fresh, "nickname", "W")); // a room it was not in: the watch ends
                Thread.sleep(1200); // let a tick pass that may still carry what changed before the join
                watcher.drain();
                pia.ok("leave", Map.of("room", probe));
                assertThat(watcher.receives(f -> "rooms_changed".equals(f.path("type").asText()),
                        Duration.ofMillis(2500)), is(false));
            }
        }
    }

    @Test
    void wellFormedFramesGetTheirReplyAndNamesAreTrimmedOfEveryWhiteSpace() {
        try (WsClient c = WsClient.hello(gw1); WsClient d = WsClient.hello(gw2)) {
            c.sendText("{\"ref\": \"nt\", \"data\": {}}");
            JsonNode reply = c.await(f -> "nt".equals(f.path("ref").asText()));
            assertThat(reply.get("error").get("code").asText(), is("bad_frame"));
            String room = room();
            // U+2003 (em space) and U+3000 (ideographic space) at the ends, sent raw in the UTF-8 frame
            JsonNode joined = c.ok("join", Map.of("room", "\u2003" + room + "\u3000", "nickname", "\u2003Ann\u2003"));
            assertThat(joined.get("room").asText(), is(room));
            assertThat(joined.get("self").get("nickname").asText(), is("Ann"));
            assertThat(d.ok("join", Map.of("room", room, "nickname", "Dee")).get("peers").size(), is(1));
        }
        try (WsClient r = WsClient.hello(gw2)) {
            JsonNode failed = r.request("resume", Map.of("resumeToken", "garbage"));
            assertThat(failed.get("error").get("code").asText(), is("resume_failed"));
            assertThat(r.ok("ping", null).has("serverTime"), is(true));
        }
    }

    private static JsonNode entry(JsonNode rooms, String name) {
        for (JsonNode r : rooms) {
            if (name.equals(r.path("name").asText())) {
                return r;
            }
        }
        return null;
    }
}
