package dev.huddle.rooms;

import dev.huddle.events.CommandTypes;
import dev.huddle.kafka.Topics;
import dev.huddle.testing.KafkaExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * rooms-service's HTTP side: readiness once the consumer has its partitions, the domain meters, and bad records on
 * {@code room-commands} counted and skipped.
 */
@ExtendWith(KafkaExtension.class)
class RoomsHttpTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readyOnceItOwnsPartitionsAndShowsItsMetersAndBadRecords() throws Exception {
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

                String room = RoomsFixture.room();
                kafka.join(RoomsFixture.client(), room, "Ann");
                // Two bad records in the room's partition: not JSON, and a depart without its reason. The loop
                // skips and counts them and goes on with the partition.
                kafka.publisher.send(Topics.ROOM_COMMANDS, room, "{not json").get(10, TimeUnit.SECONDS);
                kafka.send(null, CommandTypes.DEPART, null, room, Map.of("room", room));
                kafka.join(RoomsFixture.client(), room, "Bob");
                HttpResponse<String> metrics = get(service, "/observe/metrics");
                assertThat(metrics.statusCode(), is(200));
                assertThat(metrics.body(), containsString("huddle_rooms{"));
                assertThat(metrics.body(), containsString("huddle_room_members{"));
                assertThat(metrics.body(), containsString("huddle_room_commands_total{"));
                assertThat(metrics.body(), containsString("type=\"join\""));
                String commandsTopic = kafka.settings.topic(Topics.ROOM_COMMANDS);
                assertThat(metrics.body().lines().filter(l -> l.startsWith("huddle_kafka_bad_records_total{")
                        && l.contains("topic=\"" + commandsTopic + "\"") && l.contains("service=\"rooms\""))
                        .map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList(), contains("2.0"));
                assertThat(get(service, "/observe/health/live").statusCode(), is(200));
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
