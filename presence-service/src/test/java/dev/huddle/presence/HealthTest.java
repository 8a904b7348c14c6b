package dev.huddle.presence;

import dev.huddle.testing.KafkaExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** The HTTP side: readiness once the consumers have their partitions, and the domain meters. */
@ExtendWith(KafkaExtension.class)
class HealthTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void readyAndMetricsOverHttp() throws Exception {
        try (Harness h = new Harness(Map.of())) {
            int port = h.presence.port();
            HttpResponse<String> ready = get(port, "/observe/health/ready");
            assertThat(ready.body(), ready.statusCode(), is(200));
            assertThat(ready.body(), containsString("UP"));

            Harness.Conn c = Harness.conn("gw-1");
            h.connected(c);
            h.awaitSession(c.peer(), s -> s != null, 10_000);
            h.resume(Harness.conn("gw-1"), c.peer(), "wrong.token", "n", "r1");
            Harness.await(() -> get(port, "/observe/metrics").body().contains("result=\"failed\"") ? true : null,
                    10_000, () -> "a failed resume in the metrics");
            String metrics = get(port, "/observe/metrics").body();
            assertThat(metrics, containsString("huddle_presence_sessions{"));
            assertThat(metrics, containsString("state=\"connected\""));
            assertThat(metrics, containsString("huddle_presence_resumes_total{"));
        }
    }

    private static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .header("Accept", "*/*").build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
