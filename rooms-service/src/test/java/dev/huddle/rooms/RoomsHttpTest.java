package dev.huddle.rooms;

import dev.huddle.testing.KafkaExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** rooms-service's HTTP side: readiness once the consumer has its partitions, and the domain meters. */
@ExtendWith(KafkaExtension.class)
class RoomsHttpTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readyOnceItOwnsPartitionsAndShowsItsMeters() throws Exception {
        try (RoomsFixture kafka = new RoomsFixture()) {
            RoomsService service = Main.start(kafka.config(Map.of()));
            try {
                HttpResponse<String> ready = RoomsFixture.eventually(() -> {
                    HttpResponse<String> r = get(service, "/observe/health/ready");
                    return r.statusCode() == 200 ? r : null;
                });
                assertThat(service.ready().isDone(), is(true)); // 200 only once the partitions are ours
                assertThat(ready.body(), containsString("\"kafka\""));
                assertThat(get(service, "/observe/health/live").statusCode(), is(200));

                kafka.join(RoomsFixture.client(), RoomsFixture.room(), "Ann");
                HttpResponse<String> metrics = get(service, "/observe/metrics");
                assertThat(metrics.statusCode(), is(200));
                assertThat(metrics.body(), containsString("huddle_rooms{"));
                assertThat(metrics.body(), containsString("huddle_room_members{"));
                assertThat(metrics.body(), containsString("huddle_room_commands_total{"));
                assertThat(metrics.body(), containsString("type=\"join\""));
            } finally {
                service.close();
            }
        }
    }

    private HttpResponse<String> get(RoomsService service, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
