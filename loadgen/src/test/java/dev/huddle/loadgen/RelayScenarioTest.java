package dev.huddle.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.json.Json;
import dev.huddle.launcher.BrokerMetricsEndpoint;
import dev.huddle.launcher.LocalCluster;
import dev.huddle.service.RunningService;
import dev.huddle.testing.WsClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

/**
 * A short relay run against the whole system as {@code ./run.sh} runs it (embedded broker in this JVM, every
 * service, two gateways): every signal sent arrives, nothing fails, and the report carries latencies per window,
 * the gateway's memory and the broker's requests per relayed signal.
 */
class RelayScenarioTest {

    @Test
    @SuppressWarnings("unchecked")
    void shortRelayRunDeliversEverySignal(@TempDir Path tmp) throws Exception {
        String prefix = "lg" + UUID.randomUUID().toString().substring(0, 6) + ".";
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(2, 0,
                null, tmp.resolve("kafka"), Map.of("kafka.topic.prefix", prefix,
                // A busy test machine can be slow; the run is about losing nothing, not about speed.
                "gateway.request.timeout.ms", "20000")));
             BrokerMetricsEndpoint brokerMetrics = BrokerMetricsEndpoint.start(0)) {
            awaitReady(List.of(cluster.rooms(), cluster.signaling(), cluster.presence(),
                    cluster.gateways().get(0), cluster.gateways().get(1)));
            int gw1 = cluster.gateways().get(0).port();
            int gw2 = cluster.gateways().get(1).port();
            awaitJoins(gw1);
            awaitJoins(gw2);
            Path json = tmp.resolve("relay.jsonl");

            Options options = Options.parse("relay",
                    "--gateways", "ws://localhost:" + gw1 + "/ws,ws://localhost:" + gw2 + "/ws",
                    "--clients", "20", "--rooms", "10", "--rate", "5", "--seconds", "3", "--warmup", "1",
                    "--ramp", "1", "--timeout", "30", "--drain", "30", "--metrics", "http://localhost:" + gw1 + "/observe/metrics",
                    "--gateway-pid", Long.toString(ProcessHandle.current().pid()), "--json", json.toString(),
                    "--broker", brokerMetrics.url(), "--window", "1");
            Report report = Main.run(options);
            report.appendTo(json);
            System.out.print(report.table());

            assertThat(report.number("joined"), is(20L));
            // 20 clients x 5 per second x 3 seconds, give or take the last tick.
            assertThat(report.number("sent") >= 280, is(true));
            assertThat(report.number("delivered"), is(report.number("sent")));
            assertThat(report.number("unexpected"), is(0L));
            assertThat(report.number("skipped_alone"), is(0L));
            assertThat(report.map("errors"), is(Map.of()));
            assertThat(((Number) report.map("relay_latency_ms").get("count")).longValue(), greaterThan(0L));
            assertThat(report.map("gateway"), hasKey("heap_mb_before"));
            assertThat(report.map("gateway"), hasKey("rss_mb_loaded"));
            // Every relayed signal costs the broker at least a produce and a fetch of some client.
            assertThat(report.get("broker_requests_per_relayed_signal"), instanceOf(Double.class));
            assertThat((Double) report.get("broker_requests_per_relayed_signal"), greaterThan(0.0));
            Map<String, Object> rates = (Map<String, Object>) report.map("broker").get("requests_per_s");
            assertThat((Double) rates.get("produce"), greaterThan(0.0));
            assertThat((Double) rates.get("fetch"), greaterThan(0.0));
            assertThat((Double) report.map("broker").get("records_per_produce_request"), greaterThanOrEqualTo(1.0));
            // One latency window per second of sending, each with the signals sent in it.
            List<Map<String, Object>> windows = (List<Map<String, Object>>) report.get("relay_windows_ms");
            assertThat(windows.size(), is(3));
            assertThat(windows.stream().mapToLong(w -> ((Number) w.get("count")).longValue()).sum(),
                    is(report.number("delivered")));

            String line = Files.readAllLines(json).getFirst();
            assertThat(Json.tree(line).path("delivered").asLong(), is(report.number("delivered")));
            assertThat(Json.tree(line).path("broker_requests_per_relayed_signal").asDouble(), greaterThan(0.0));
        }
    }

    /** Waits until a join through this gateway round-trips: every consumer on the way has its partitions. */
    private static void awaitJoins(int port) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        try (WsClient c = WsClient.hello(port)) {
            for (int i = 0; ; i++) {
                String room = "warm-up " + i;
                Object outcome;
                try {
                    JsonNode reply = c.request("join", Map.of("room", room, "nickname", "warm-up"));
                    if (reply.path("ok").asBoolean()) {
                        c.ok("leave", Map.of("room", room));
                        return;
                    }
                    outcome = reply;
                } catch (AssertionError noReplyYet) {
                    outcome = noReplyYet.getMessage();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Joins through port " + port + " keep failing: " + outcome);
                }
            }
        }
    }

    /** Waits until every service says it is ready (its consumers have their partitions). */
    private static void awaitReady(List<RunningService> services) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (RunningService s : services) {
            URI ready = URI.create("http://localhost:" + s.port() + "/observe/health/ready");
            while (true) {
                try {
                    if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(s.instance().id() + " did not become ready");
                }
                Thread.sleep(100);
            }
        }
    }
}
