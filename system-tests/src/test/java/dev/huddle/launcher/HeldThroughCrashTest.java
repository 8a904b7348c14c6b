package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.rooms.RoomsService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * A peer's connection drops; meanwhile another sends it an offer's candidate and a private message, and both are
 * acknowledged. Then signaling- and rooms-service crash and come back. When the peer resumes, both messages
 * still reach it: an acknowledged message is never lost, even one waiting for a peer in its grace period.
 */
class HeldThroughCrashTest {

    @Test
    void whatWaitsForADroppedPeerOutlivesCrashesOfSignalingAndRooms() throws Exception {
        String prefix = "held" + UUID.randomUUID().toString().substring(0, 6) + ".";
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of("kafka.topic.prefix", prefix,
                        "presence.grace.ms", "120000")))) {
            int gw1 = cluster.gateways().get(0).port();
            int gw2 = cluster.gateways().get(1).port();
            String room = "held " + UUID.randomUUID().toString().substring(0, 8);
            try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2)) {
                ann.ok("join", Map.of("room", room, "nickname", "Ann"));
                bob.ok("join", Map.of("room", room, "nickname", "Bob"));
                String token = bob.helloData().get("resumeToken").asText();
                bob.abort();
                Thread.sleep(1500); // presence has marked Bob away, and signaling has read it

                ann.ok("signal", Map.of("room", room, "to", bob.peerId(),
                        "candidate", Map.of("candidate", "candidate:held 1 udp 1 127.0.0.1 5000 typ host")));
                ann.ok("chat", Map.of("room", room, "to", bob.peerId(), "text", "<i>still there?</i>"));

                cluster.signaling().kill();
                cluster.rooms().kill();
                cluster.restartSignaling(); // returns once it has its partitions: the dead member's session is over
                ((RoomsService) cluster.restartRooms()).ready().get(60, TimeUnit.SECONDS);

                try (WsClient back = WsClient.connect(gw1)) {
                    back.await("hello");
                    JsonNode resumed = back.ok("resume", Map.of("resumeToken", token));
                    assertThat(resumed.get("peerId").asText(), is(bob.peerId()));
                    JsonNode signal = back.await(f -> "signal".equals(f.path("type").asText()), Duration.ofSeconds(30));
                    assertThat(signal.path("data").path("candidate").path("candidate").asText(),
                            is("candidate:held 1 udp 1 127.0.0.1 5000 typ host"));
                    assertThat(signal.path("data").path("from").asText(), is(ann.peerId()));
                    JsonNode chat = back.await(f -> "chat".equals(f.path("type").asText()), Duration.ofSeconds(30));
                    assertThat(chat.path("data").path("text").asText(), is("<i>still there?</i>"));
                    assertThat("delivered once", back.receives(f -> "signal".equals(f.path("type").asText()),
                            Duration.ofSeconds(2)), is(false));
                }
            }
        }
    }
}
