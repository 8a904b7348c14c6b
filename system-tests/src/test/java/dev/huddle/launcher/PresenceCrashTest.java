package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * presence-service crashes while two peers are in their grace period, and comes back. Its sessions live on Kafka,
 * not in the process: the peer that returns resumes as itself, the one that does not is seen leaving when its
 * grace period ends, and newcomers connect and join as before.
 */
class PresenceCrashTest {
    private static final long GRACE_MS = 25_000;

    @Test
    void sessionsAndGracePeriodsOutliveACrashOfPresence() throws Exception {
        String prefix = "pres" + UUID.randomUUID().toString().substring(0, 6) + ".";
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of("kafka.topic.prefix", prefix,
                        "presence.grace.ms", Long.toString(GRACE_MS))))) {
            int gw1 = cluster.gateways().get(0).port();
            int gw2 = cluster.gateways().get(1).port();
            String room = "pres " + UUID.randomUUID().toString().substring(0, 8);
            try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2);
                 WsClient cy = WsClient.hello(gw2)) {
                ann.ok("join", Map.of("room", room, "nickname", "Ann"));
                bob.ok("join", Map.of("room", room, "nickname", "Bob"));
                cy.ok("join", Map.of("room", room, "nickname", "Cy"));
                String bobToken = bob.helloData().get("resumeToken").asText();
                bob.abort();
                cy.abort(); // and never comes back
                long dropped = System.currentTimeMillis();
                Thread.sleep(1500); // presence has both sessions in their grace period

                cluster.presence().kill();
                cluster.restartPresence(); // returns once it has its partitions: the dead member's session is over

                try (WsClient back = WsClient.connect(gw1)) {
                    back.await("hello");
                    JsonNode resumed = back.ok("resume", Map.of("resumeToken", bobToken));
                    assertThat(resumed.get("peerId").asText(), is(bob.peerId()));
                    assertThat(resumed.get("rooms").get(0).get("room").asText(), is(room));
                    assertThat(ann.await(f -> "peer_reconnected".equals(f.path("type").asText()))
                            .path("data").path("peerId").asText(), is(bob.peerId()));

                    // Cy's grace period ends as it would have without the crash, and only Cy leaves.
                    JsonNode left = ann.await(f -> "peer_left".equals(f.path("type").asText()),
                            Duration.ofMillis(GRACE_MS + 20_000));
                    assertThat(left.path("data").path("peerId").asText(), is(cy.peerId()));
                    assertThat(left.path("data").path("reason").asText(), is("disconnected"));
                    assertThat("not before the grace period", System.currentTimeMillis() - dropped >= GRACE_MS,
                            is(true));
                    assertThat(ann.receives(f -> "peer_left".equals(f.path("type").asText()), Duration.ofSeconds(2)),
                            is(false));

                    // Newcomers are served as before.
                    try (WsClient dee = WsClient.hello(gw2)) {
                        JsonNode joined = dee.ok("join", Map.of("room", room, "nickname", "Dee"));
                        assertThat(joined.get("peers").size(), is(2));
                    }
                }
            }
        }
    }
}
