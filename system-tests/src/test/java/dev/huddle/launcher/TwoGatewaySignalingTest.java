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
import static org.hamcrest.Matchers.is;

/**
 * Calls across nodes end to end: peers on two gateways relay offers, answers and candidates, chat with
 * history, are refused across rooms, resume on the other gateway, and a newcomer's first offer is never
 * refused.
 */
class TwoGatewaySignalingTest {
    private static LocalCluster cluster;
    private static int gw1;
    private static int gw2;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of(
                        "kafka.topic.prefix", "sig" + UUID.randomUUID().toString().substring(0, 6) + ".",
                        "presence.grace.ms", "4000")));
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
        return "sig " + UUID.randomUUID().toString().substring(0, 8);
    }

    private static boolean isType(JsonNode f, String type) {
        return type.equals(f.path("type").asText());
    }

    @Test
    void offerAnswerCandidateChatAndRefusals() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2); WsClient eve = WsClient.hello(gw2)) {
            ann.ok("join", Map.of("room", room, "nickname", "Ann"));
            bob.ok("join", Map.of("room", room, "nickname", "Bob"));
            eve.ok("join", Map.of("room", room() , "nickname", "Eve"));

            bob.ok("signal", Map.of("room", room, "to", ann.peerId(), "description", Map.of("type", "offer", "sdp", "v=0 offer")));
            JsonNode offer = ann.await("signal").get("data");
            assertThat(offer.get("from").asText(), is(bob.peerId()));
            assertThat(offer.get("description").get("type").asText(), is("offer"));
            ann.ok("signal", Map.of("room", room, "to", bob.peerId(), "description", Map.of("type", "answer", "sdp", "v=0 answer")));
            assertThat(bob.await("signal").get("data").get("description").get("type").asText(), is("answer"));
            ann.ok("signal", Map.of("room", room, "to", bob.peerId(), "candidate", Map.of("candidate", "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid", "0")));
            assertThat(bob.await("signal").get("data").get("candidate").get("sdpMid").asText(), is("0"));

            // Eve shares no room with Ann: refused, nothing delivered.
            JsonNode refused = eve.request("signal", Map.of("room", room, "to", ann.peerId(), "description", Map.of("type", "offer", "sdp", "x")));
            assertThat(refused.get("error").get("code").asText(), is("not_in_room"));
            assertThat(ann.receives(f -> isType(f, "signal"), Duration.ofSeconds(1)), is(false));

            JsonNode sent = ann.ok("chat", Map.of("room", room, "text", "hello <b>all</b>"));
            JsonNode got = bob.await("chat").get("data");
            assertThat(got.get("id").asText(), is(sent.get("id").asText()));
            assertThat(got.get("text").asText(), is("hello <b>all</b>"));
            assertThat(ann.await("chat").get("data").get("from").get("nickname").asText(), is("Ann"));
            try (WsClient cy = WsClient.hello(gw1)) {
                JsonNode history = cy.ok("join", Map.of("room", room, "nickname", "Cy")).get("chat");
                assertThat(history.get(history.size() - 1).get("text").asText(), is("hello <b>all</b>"));
            }
        }
    }

    @Test
    void resumeOnTheOtherGatewayKeepsTheRoomAndHeldSignals() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2)) {
            ann.ok("join", Map.of("room", room, "nickname", "Ann"));
            bob.ok("join", Map.of("room", room, "nickname", "Bob"));
            String token = bob.helloData().get("resumeToken").asText();
            bob.abort();
            sleep(1000); // presence has marked Bob away
            ann.ok("signal", Map.of("room", room, "to", bob.peerId(), "candidate", Map.of("candidate", "held")));
            try (WsClient back = WsClient.connect(gw1)) {
                back.await("hello");
                JsonNode resumed = back.ok("resume", Map.of("resumeToken", token));
                assertThat(resumed.get("peerId").asText(), is(bob.peerId()));
                assertThat(resumed.get("rooms").get(0).get("room").asText(), is(room));
                assertThat(back.await("signal").get("data").get("candidate").get("candidate").asText(), is("held"));
                assertThat(ann.await("peer_reconnected").get("data").get("peerId").asText(), is(bob.peerId()));
                assertThat(ann.receives(f -> isType(f, "peer_left"), Duration.ofSeconds(5)), is(false));
            }
        }
    }

    @Test
    void newcomersFirstOfferIsNeverRefused() {
        int refused = 0;
        try (WsClient host = WsClient.hello(gw1); WsClient chatter = WsClient.hello(gw1)) {
            String busy = room();
            host.ok("join", Map.of("room", busy, "nickname", "Busy"));
            chatter.ok("join", Map.of("room", busy, "nickname", "Chatter"));
            for (int i = 0; i < 200; i++) {
                chatter.send("chat", null, Map.of("room", busy, "text", "traffic " + i)); // other traffic meanwhile
                String room = room();
                try (WsClient a = WsClient.hello(gw1); WsClient b = WsClient.hello(gw2)) {
                    a.ok("join", Map.of("room", room, "nickname", "A"));
                    b.ok("join", Map.of("room", room, "nickname", "B"));
                    JsonNode reply = b.request("signal", Map.of("room", room, "to", a.peerId(),
                            "description", Map.of("type", "offer", "sdp", "v=0")));
                    if (!reply.get("ok").asBoolean()) {
                        refused++;
                    } else {
                        a.await("signal");
                    }
                }
            }
        }
        assertThat(refused, is(0));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
