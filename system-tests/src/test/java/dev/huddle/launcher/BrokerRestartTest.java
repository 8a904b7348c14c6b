package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.testing.EmbeddedKafka;
import dev.huddle.testing.WsClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * The Kafka broker goes away for a while and comes back. Users must see their calls' sockets stay open, get
 * {@code unavailable} (not silence) for what needs the backend meanwhile, and signaling and chat work again once
 * the broker is back, in the same rooms with the same people. The cluster has a broker of its own: stopping the
 * shared one would disturb the other test classes.
 */
class BrokerRestartTest {
    /** gateway.request.timeout.ms (default) */
    private static final long REQUEST_TIMEOUT_MS = 5000;
    private static final long BROKER_DOWN_MS = 10_000;

    @Test
    void clientsStayConnectedAndSignalingResumesAfterTheBrokerIsBack() throws Exception {
        Path data = Files.createTempDirectory("huddle-broker-restart");
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(2, 0, null, data, Map.of()))) {
            EmbeddedKafka kafka = cluster.kafka();
            int[] ports = {cluster.gateways().get(0).port(), cluster.gateways().get(1).port()};
            String room = "broker " + UUID.randomUUID().toString().substring(0, 8);
            List<WsClient> peers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    WsClient c = WsClient.hello(ports[i % 2]);
                    c.ok("join", Map.of("room", room, "nickname", "P" + i));
                    peers.add(c);
                }
                WsClient ann = peers.get(0); // gateway 1
                WsClient bob = peers.get(1); // gateway 2
                signal(room, ann, bob, "before");

                long stopped = System.currentTimeMillis();
                kafka.stop();
                System.out.println("BENCH broker stop took " + (System.currentTimeMillis() - stopped) + " ms");
                int round = 0;
                while (System.currentTimeMillis() - stopped < BROKER_DOWN_MS) {
                    round++;
                    for (WsClient p : peers) {
                        // The gateway itself still answers.
                        assertThat(p.request("ping", Map.of("t", round)).path("ok").asBoolean(), is(true));
                        assertThat("socket open while the broker is down", p.isOpen(), is(true));
                    }
                    // What needs the backend is refused in time, not left unanswered.
                    for (Map.Entry<String, Map<String, Object>> r : List.of(
                            Map.entry("signal", Map.<String, Object>of("room", room, "to", bob.peerId(),
                                    "candidate", Map.of("candidate", "during " + round))),
                            Map.entry("chat", Map.<String, Object>of("room", room, "text", "during " + round)),
                            Map.entry("media", Map.<String, Object>of("room", room, "audio", false, "video", false,
                                    "screen", false)))) {
                        long sent = System.currentTimeMillis();
                        JsonNode reply = ann.request(r.getKey(), r.getValue());
                        long waited = System.currentTimeMillis() - sent;
                        assertThat(r.getKey() + " while the broker is down: " + reply,
                                reply.path("error").path("code").asText(), is("unavailable"));
                        assertThat(r.getKey() + " answered within the request timeout (ms)", waited,
                                lessThan(REQUEST_TIMEOUT_MS + 1000));
                    }
                }

                long restarted = System.currentTimeMillis();
                kafka.restart();
                System.out.println("BENCH broker start took " + (System.currentTimeMillis() - restarted) + " ms");
                long resumed = awaitSignaling(room, ann, bob);
                System.out.println("BENCH broker back to signaling resumed: " + (resumed - restarted) + " ms");
                assertThat("signaling resumed within 30 s of the broker's return (ms)", resumed - restarted,
                        lessThan(30_000L));

                for (WsClient p : peers) {
                    assertThat("socket open after the broker came back", p.isOpen(), is(true));
                }
                signal(room, bob, ann, "after");
                JsonNode sent = bob.ok("chat", Map.of("room", room, "text", "we are back"));
                for (WsClient p : peers) {
                    p.await(f -> "chat".equals(f.path("type").asText())
                            && sent.get("id").asText().equals(f.get("data").get("id").asText()));
                }
                // The room is whole: a newcomer finds all four, and nobody was told anyone left.
                try (WsClient newcomer = WsClient.hello(ports[1])) {
                    JsonNode joined = newcomer.ok("join", Map.of("room", room, "nickname", "New"));
                    List<String> ids = new ArrayList<>();
                    joined.get("peers").forEach(p -> ids.add(p.get("peerId").asText()));
                    assertThat(ids, containsInAnyOrder(peers.stream().map(WsClient::peerId).toArray()));
                }
                for (WsClient p : peers) {
                    assertThat(p.drain().stream().filter(f -> "peer_left".equals(f.path("type").asText())).toList(),
                            is(empty()));
                }
                // presence-service is back too: a dropped peer resumes its session on the other gateway.
                WsClient dropped = peers.get(3); // gateway 2
                dropped.abort();
                try (WsClient back = WsClient.connect(ports[0])) {
                    back.await("hello");
                    JsonNode session = back.ok("resume", Map.of("resumeToken",
                            dropped.helloData().get("resumeToken").asText()));
                    assertThat(session.get("peerId").asText(), is(dropped.peerId()));
                    assertThat(ann.await("peer_reconnected").get("data").get("peerId").asText(), is(dropped.peerId()));
                }
            } finally {
                peers.forEach(WsClient::close);
            }
        }
    }

    /** {@code from} signals {@code to}, which receives it. */
    private static void signal(String room, WsClient from, WsClient to, String text) {
        from.ok("signal", Map.of("room", room, "to", to.peerId(), "candidate", Map.of("candidate", text)));
        to.await(f -> isSignal(f, text));
    }

    private static boolean isSignal(JsonNode f, String text) {
        return "signal".equals(f.path("type").asText())
                && text.equals(f.path("data").path("candidate").path("candidate").asText());
    }

    /** Sends signals, as a client would retry, until one is acknowledged and delivered; returns when it was. */
    private static long awaitSignaling(String room, WsClient from, WsClient to) {
        long deadline = System.currentTimeMillis() + 60_000;
        for (int i = 0; System.currentTimeMillis() < deadline; i++) {
            String text = "retry " + i;
            JsonNode reply = from.request("signal", Map.of("room", room, "to", to.peerId(),
                    "candidate", Map.of("candidate", text)));
            if (reply.path("ok").asBoolean()) {
                to.await(f -> isSignal(f, text));
                return System.currentTimeMillis();
            }
            assertThat(reply.toString(), reply.path("error").path("code").asText(), is("unavailable"));
            sleep(250);
        }
        throw new AssertionError("signaling did not resume within 60 s of the broker's return");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
