package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Rooms end to end: real broker, every service, two gateways, real WebSockets.
 */
class TwoGatewayRoomsTest {
    private static LocalCluster cluster;
    private static int gw1;
    private static int gw2;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of(
                        "kafka.topic.prefix", "e2e" + UUID.randomUUID().toString().substring(0, 6) + ".",
                        "rooms.capacity", "3",
                        "presence.grace.ms", "1500")));
        gw1 = cluster.gateways().get(0).port();
        gw2 = cluster.gateways().get(1).port();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String room() {
        return "room " + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Map<String, Object> join(String room, String nickname) {
        return Map.of("room", room, "nickname", nickname);
    }

    @Test
    void peersOnTwoGatewaysSeeEachOtherJoinAndLeave() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2)) {
            JsonNode annJoin = ann.ok("join", join(room, "Ann"));
            assertThat(annJoin.get("room").asText(), is(room));
            assertThat(annJoin.get("self").get("peerId").asText(), is(ann.peerId()));
            assertThat(annJoin.get("peers").size(), is(0));

            JsonNode bobJoin = bob.ok("join", join(room, "Bob"));
            assertThat(bobJoin.get("peers").get(0).get("peerId").asText(), is(ann.peerId()));
            assertThat(bobJoin.get("peers").get(0).get("nickname").asText(), is("Ann"));

            JsonNode joined = ann.await("peer_joined").get("data");
            assertThat(joined.get("room").asText(), is(room));
            assertThat(joined.get("peer").get("peerId").asText(), is(bob.peerId()));
            assertThat(joined.get("peer").get("nickname").asText(), is("Bob"));

            bob.ok("leave", Map.of("room", room));
            JsonNode left = ann.await("peer_left").get("data");
            assertThat(left.get("peerId").asText(), is(bob.peerId()));
            assertThat(left.get("reason").asText(), is("left"));
        }
    }

    @Test
    void roomListIsTheSameOnBothGateways() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2);
             WsClient watcher1 = WsClient.hello(gw1); WsClient watcher2 = WsClient.hello(gw2)) {
            ann.ok("join", join(room, "Ann"));
            bob.ok("join", join(room, "Bob"));
            JsonNode list1 = watcher1.ok("list_rooms", Map.of("limit", 200));
            JsonNode list2 = watcher2.ok("list_rooms", Map.of("limit", 200));
            assertThat(count(list1, room), is(2));
            assertThat(count(list2, room), is(2));
            assertThat(list1.get("total"), equalTo(list2.get("total")));
        }
    }

    @Test
    void watchersGetCoalescedDeltas() {
        String room = room();
        try (WsClient watcher = WsClient.hello(gw2); WsClient ann = WsClient.hello(gw1)) {
            watcher.ok("list_rooms", Map.of("watch", true));
            ann.ok("join", join(room, "Ann"));
            JsonNode changed = watcher.await(f -> "rooms_changed".equals(f.path("type").asText())
                    && f.get("data").get("rooms").findValuesAsText("name").contains(room)).get("data");
            assertThat(changed.get("total").asInt() >= 1, is(true));
            ann.ok("leave", Map.of("room", room));
            JsonNode removed = watcher.await(f -> "rooms_changed".equals(f.path("type").asText())
                    && f.get("data").get("removed").toString().contains("\"" + room + "\"")).get("data");
            assertThat(removed.get("rooms").findValuesAsText("name"), not(hasItem(room)));
        }
    }

    @Test
    void closedSocketGivesPeerLeftDisconnectedAfterGrace() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2)) {
            ann.ok("join", join(room, "Ann"));
            bob.ok("join", join(room, "Bob"));
            ann.await("peer_joined");
            bob.abort();
            JsonNode left = ann.await(f -> "peer_left".equals(f.path("type").asText()), Duration.ofSeconds(15))
                    .get("data");
            assertThat(left.get("peerId").asText(), is(bob.peerId()));
            assertThat(left.get("reason").asText(), is("disconnected"));
        }
    }

    @Test
    void refusalsAreAnsweredAsTheProtocolSays() {
        String room = room();
        try (WsClient a = WsClient.hello(gw1); WsClient b = WsClient.hello(gw2); WsClient c = WsClient.hello(gw1);
             WsClient d = WsClient.hello(gw2); WsClient e = WsClient.hello(gw1)) {
            a.ok("join", Map.of("room", room, "nickname", "A", "password", "s3cret"));
            JsonNode wrong = b.request("join", Map.of("room", room, "nickname", "B", "password", "nope"));
            assertThat(wrong.get("ok").asBoolean(), is(false));
            assertThat(wrong.get("error").get("code").asText(), is("wrong_password"));
            b.ok("join", Map.of("room", room, "nickname", "B", "password", "s3cret"));
            c.ok("join", Map.of("room", room, "nickname", "C", "password", "s3cret"));
            JsonNode full = d.request("join", Map.of("room", room, "nickname", "D", "password", "s3cret"));
            assertThat(full.get("error").get("code").asText(), is("room_full"));

            assertThat(e.request("join", join("bad/name", "E")).get("error").get("code").asText(),
                    is("invalid_field"));
            assertThat(e.request("join", join("ok", "x".repeat(33))).get("error").get("code").asText(),
                    is("invalid_field"));
            assertThat(e.request("join", Map.of("room", "ok")).get("error").get("code").asText(),
                    is("invalid_field"));
        }
    }

    @Test
    void membershipSurvivesRoomsServiceRestart() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1)) {
            ann.ok("join", join(room, "Ann"));
            cluster.rooms().close();
            cluster.restartRooms();
            try (WsClient bob = WsClient.hello(gw2)) {
                JsonNode reply = bob.ok("join", join(room, "Bob"));
                assertThat(reply.get("peers").get(0).get("peerId").asText(), is(ann.peerId()));
                assertThat(ann.await("peer_joined").get("data").get("peer").get("nickname").asText(), is("Bob"));
            }
        }
    }

    private static int count(JsonNode list, String room) {
        for (JsonNode r : list.get("rooms")) {
            if (r.get("name").asText().equals(room)) {
                return r.get("count").asInt();
            }
        }
        return -1;
    }
}
