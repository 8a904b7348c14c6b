package dev.huddle.signaling;

import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.Topics;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.KafkaExtension;

import io.helidon.config.Config;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.signaling.Harness.await;
import static dev.huddle.signaling.Harness.data;
import static dev.huddle.signaling.Harness.present;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** The service as a process: configuration, health and metrics over HTTP, heartbeat and goodbye. */
@ExtendWith(KafkaExtension.class)
class SignalingServiceTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void defaultConfigurationIsReadFromItsYaml() {
        Config config = ServiceConfig.load("signaling-service.yaml");
        assertThat(config.get("server.port").asInt().get(), is(8082));
        assertThat(config.get("server.host").asString().get(), is("0.0.0.0"));
        assertThat(config.get("signaling.barrier.ms").asLong().get(), is(3000L));
        assertThat(config.get("kafka.bootstrap.servers").asString().get(), is("localhost:9092"));
        assertThat(config.get("kafka.fetch.max.wait.ms").asInt().get(), is(500));
        assertThat(config.get("instance.heartbeat.ms").asLong().get(), is(2000L));
    }

    @Test
    void readyOverHttpWithMetricsAndHeartbeatsUntilItSaysGoodbye() throws Exception {
        Map<String, String> instances = new ConcurrentHashMap<>();
        Map<String, Boolean> tombstoned = new ConcurrentHashMap<>();
        try (Harness h = new Harness()) {
            String id = h.service.instance().id();
            assertThat(id.startsWith("signaling-"), is(true));
            HttpResponse<String> ready = get(h, "/observe/health/ready");
            assertThat(ready.body(), ready.statusCode(), is(200));
            assertThat(ready.body(), containsString("\"UP\""));
            assertThat(get(h, "/observe/health/live").statusCode(), is(200));

            h.members("metered", present("ann"), present("bob"));
            h.send("ann", "signal", "1", "metered", data("room", "metered", "to", "bob", "candidate",
                    Map.of("candidate", "x")));
            await(() -> h.repliesTo("ann"), Harness.ref("1"), 1, Harness.WAIT_MS);
            String metrics = get(h, "/observe/metrics").body();
            assertThat(metrics, containsString("huddle_signaling_relayed"));
            assertThat(metrics, containsString("huddle_signaling_relay_latency"));

            try (ConsumerLoop beats = ConsumerLoop.replica(h.settings, "test-instances", java.util.List.of(
                    Topics.INSTANCES), true, batch -> {
                batch.forEach(r -> {
                    if (r.value() == null) {
                        tombstoned.put(r.key(), true);
                    } else {
                        instances.put(r.key(), r.value());
                    }
                });
                return CompletableFuture.completedFuture(null);
            }).start()) {
                beats.ready().get(30, TimeUnit.SECONDS);
                assertThat(instances.get(id), containsString("\"kind\":\"signaling\""));
                h.service.close();
                long deadline = System.currentTimeMillis() + Harness.WAIT_MS;
                while (!tombstoned.containsKey(id) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                assertThat("a clean stop leaves a tombstone", tombstoned.containsKey(id), is(true));
            }
        }
    }

    private HttpResponse<String> get(Harness h, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + h.service.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
