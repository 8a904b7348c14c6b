package dev.huddle.testing;

import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.Topics;
import dev.huddle.service.Observability;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import io.helidon.webserver.WebServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The probes tell the truth: readiness drops while the broker is unreachable for longer than kafka.unreachable.ms
 * and comes back with it; liveness fails when a consumer loop died or stopped polling. /observe is served on the
 * observe port only, when one is set.
 */
class HealthProbesTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void readinessFollowsTheBrokerAndLivenessACrashedLoop() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("huddle-health"), 0)) {
            KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), "health.");
            try (Admin admin = Admin.create(settings.admin())) {
                TopicAdmin.ensure(admin, settings, List.of(Topics.INSTANCES));
            }
            ConsumerLoop replica = ConsumerLoop.replica(settings, "health-replica", List.of(Topics.INSTANCES), true,
                    records -> CompletableFuture.completedFuture(null)).start();
            WebServer server = Observability.server(Config.just(ConfigSources.create(Map.of(
                    "server.port", "0", "observe.port", "0", "kafka.unreachable.ms", "3000"))), List.of(replica))
                    .build().start();
            try {
                int main = server.port();
                int observe = server.port(Observability.OBSERVE_SOCKET);
                assertThat("/observe is not on the main port", status(main, "/observe/health/live"), is(404));
                awaitStatus(observe, "/observe/health/ready", s -> s == 200);
                assertThat(status(observe, "/observe/health/live"), is(200));

                kafka.stop();
                awaitStatus(observe, "/observe/health/ready", s -> s == 503);
                assertThat("a broker outage is no reason to restart", status(observe, "/observe/health/live"), is(200));
                kafka.restart();
                awaitStatus(observe, "/observe/health/ready", s -> s == 200);

                replica.crash();
                awaitStatus(observe, "/observe/health/live", s -> s == 503);
                assertThat(body(observe, "/observe/health/live").contains("health-replica"), is(true));
            } finally {
                server.stop();
                replica.close();
            }
        }
    }

    @Test
    void livenessFailsWhenALoopStopsPolling() throws Exception {
        KafkaSettings settings = KafkaExtension.settings();
        try (Admin admin = Admin.create(settings.admin())) {
            TopicAdmin.ensure(admin, settings, List.of(Topics.INSTANCES));
        }
        CountDownLatch release = new CountDownLatch(1);
        ConsumerLoop stuck = ConsumerLoop.replica(settings, "stuck", List.of(Topics.INSTANCES), false, records -> {
            release.await(); // a handler that never returns: the loop never polls again
            return CompletableFuture.completedFuture(null);
        }).start();
        stuck.ready().get(60, TimeUnit.SECONDS);
        WebServer server = Observability.server(Config.just(ConfigSources.create(Map.of(
                "server.port", "0", "health.stall.ms", "2000"))), List.of(stuck)).build().start();
        try {
            assertThat(status(server.port(), "/observe/health/live"), is(200));
            try (KafkaProducer<String, String> p = new KafkaProducer<>(settings.producer("health"))) {
                p.send(new ProducerRecord<>(settings.topic(Topics.INSTANCES), "k", "v")).get(30, TimeUnit.SECONDS);
            }
            awaitStatus(server.port(), "/observe/health/live", s -> s == 503);
        } finally {
            release.countDown();
            server.stop();
            stuck.close();
        }
    }

    private static void awaitStatus(int port, String path, IntPredicate wanted) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        int last = -1;
        while (System.currentTimeMillis() < deadline) {
            last = status(port, path);
            if (wanted.test(last)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(path + " stayed " + last + " for 60 s");
    }

    private static int status(int port, String path) throws Exception {
        return get(port, path).statusCode();
    }

    private static String body(int port, String path) throws Exception {
        return get(port, path).body();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
