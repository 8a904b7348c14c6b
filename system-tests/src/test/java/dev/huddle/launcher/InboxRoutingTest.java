package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * Deliveries go only to the gateway that holds the peer (architecture.md, "Deliveries"), with three real
 * gateways: peers spread over them get exactly their pushes, a gateway holding no member of a room reads no
 * record about it (its inbox counters do not move), and each gateway fetches at most 1.2 records per record
 * that reached one of its sockets (the exported metric).
 */
class InboxRoutingTest {
    private static LocalCluster cluster;
    private static RunningService gw1;
    private static RunningService gw2;
    private static RunningService gw3;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(new LocalCluster.Options(3, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of(
                        "kafka.topic.prefix", "inbox" + UUID.randomUUID().toString().substring(0, 6) + ".")));
        gw1 = cluster.gateways().get(0);
        gw2 = cluster.gateways().get(1);
        gw3 = cluster.gateways().get(2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String room() {
        return "route " + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void pushesReachExactlyTheirPeersAndOnlyTheGatewaysHoldingThem() throws Exception {
        String shared = room();
        String elsewhere = room();
        try (WsClient ann = WsClient.hello(gw1.port()); WsClient bob = WsClient.hello(gw2.port());
             WsClient cy = WsClient.hello(gw2.port()); WsClient dee = WsClient.hello(gw3.port());
             WsClient eve = WsClient.hello(gw3.port())) {
            ann.ok("join", Map.of("room", shared, "nickname", "Ann"));
            bob.ok("join", Map.of("room", shared, "nickname", "Bob"));
            cy.ok("join", Map.of("room", shared, "nickname", "Cy"));
            dee.ok("join", Map.of("room", elsewhere, "nickname", "Dee"));
            eve.ok("join", Map.of("room", elsewhere, "nickname", "Eve"));
            ann.await("peer_joined");
            ann.await("peer_joined");
            bob.await("peer_joined");
            dee.await("peer_joined");
            Counters before3 = counters(gw3);

            // Traffic in the shared room only: gw3 holds nobody there.
            for (int i = 0; i < 20; i++) {
                ann.ok("signal", Map.of("room", shared, "to", bob.peerId(), "candidate", Map.of("candidate", "c" + i)));
                bob.ok("signal", Map.of("room", shared, "to", ann.peerId(), "candidate", Map.of("candidate", "d" + i)));
            }
            ann.ok("chat", Map.of("room", shared, "text", "hi all"));
            cy.ok("chat", Map.of("room", shared, "text", "just Ann", "to", ann.peerId()));
            bob.ok("rename", Map.of("room", shared, "nickname", "Robert"));
            ann.ok("media", Map.of("room", shared, "audio", true, "video", false, "screen", false));
            for (int i = 0; i < 20; i++) {
                assertThat(bob.await("signal").path("data").path("candidate").path("candidate").asText(), is("c" + i));
                assertThat(ann.await("signal").path("data").path("candidate").path("candidate").asText(), is("d" + i));
            }
            assertThat(bob.await("chat").path("data").path("text").asText(), is("hi all"));
            assertThat(cy.await("chat").path("data").path("text").asText(), is("hi all"));
            assertThat(ann.await(f -> "chat".equals(f.path("type").asText())
                    && "just Ann".equals(f.path("data").path("text").asText())) != null, is(true));
            assertThat(ann.await("peer_renamed").path("data").path("nickname").asText(), is("Robert"));
            assertThat(cy.await("peer_media").path("data").path("audio").asBoolean(), is(true));
            // A marker in the other room: once gw3 delivered it, anything about the shared room would be in too.
            dee.ok("chat", Map.of("room", elsewhere, "text", "marker"));
            eve.await("chat");
            dee.await("chat");

            // Nobody got anything that was not theirs.
            assertThat(cy.receives(f -> "signal".equals(f.path("type").asText()), Duration.ofMillis(500)), is(false));
            assertThat(bob.receives(f -> "just Ann".equals(f.path("data").path("text").asText()),
                    Duration.ofMillis(200)), is(false));
            for (JsonNode f : eve.drain()) {
                assertThat("Eve shares no room with them: " + f, f.path("data").path("room").asText(), is(elsewhere));
            }

            Counters after3 = counters(gw3);
            long deadline = System.currentTimeMillis() + 10_000; // the counters move just after the socket send
            while (after3.delivered - before3.delivered < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                after3 = counters(gw3);
            }
            // The marker chat (one record: Dee and Eve are both on gw3) and its reply to Dee: nothing else.
            assertThat("records gw3 read while only the shared room talked",
                    after3.records - before3.records, is(2.0));
            assertThat(after3.delivered - before3.delivered, is(2.0));
        }
        for (RunningService gw : List.of(gw1, gw2, gw3)) {
            Counters c = counters(gw);
            assertThat(c.delivered, greaterThan(0.0));
            assertThat(gw.instance().id() + " fetched " + c.records + " for " + c.delivered + " delivered",
                    c.records / c.delivered, lessThanOrEqualTo(1.2));
            assertThat(c.ratio, lessThanOrEqualTo(1.2));
        }
    }

    private record Counters(double records, double delivered, double ratio) {
    }

    /** This gateway's inbox meters, as an operator's Prometheus scrape reads them. */
    private static Counters counters(RunningService gateway) throws Exception {
        String body = MetricsText.scrape("http://localhost:" + gateway.port());
        String node = gateway.instance().id();
        return new Counters(value(body, "huddle_gateway_inbox_records_total", node),
                value(body, "huddle_gateway_inbox_delivered_total", node),
                value(body, "huddle_gateway_inbox_fetched_per_delivered", node));
    }

    private static double value(String body, String name, String node) {
        return MetricsText.samples(body, name).stream().filter(s -> node.equals(s.label("node_id"))).findFirst()
                .orElseThrow(() -> new AssertionError("No " + name + " for node_id=" + node + " in the metrics"))
                .value();
    }
}
