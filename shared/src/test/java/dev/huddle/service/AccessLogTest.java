package dev.huddle.service;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access log of the web server every service starts from ({@link Observability#server}): a line per HTTP
 * request, without the query string or the headers that carry secrets, and none when {@code log.access} is off.
 */
class AccessLogTest {
    private static final String ACCESS_LOG = "io.helidon.webserver.AccessLog";
    private static final String SECRET = "s3cret-Value";

    @Test
    void aRequestIsOneLineWithoutItsQueryOrCookie() throws Exception {
        List<LogRecord> lines = requests(Map.of());
        assertThat(lines.size(), is(2));
        String hello = lines.get(0).getMessage();
        // Helidon's format: address, user, [time], "request line", status, bytes, microseconds
        assertTrue(hello.matches("127\\.0\\.0\\.1 - \\[[^]]+] \"GET /hello HTTP/1\\.1\" 200 \\d+ \\d+"), hello);
        assertThat(hello, not(containsString(SECRET)));
        assertThat(lines.get(1).getMessage(), containsString("\"GET /missing HTTP/1.1\" 404"));
        assertThat(lines.get(0).getLoggerName(), is(ACCESS_LOG + ".@default"));
    }

    @Test
    void logAccessFalseTurnsItOff() throws Exception {
        assertThat(requests(Map.of("log.access", "false")), is(List.of()));
    }

    /** The access log lines of GET /hello?token=... with the admin cookie and a bearer token, then GET /missing. */
    private static List<LogRecord> requests(Map<String, String> settings) throws Exception {
        Map<String, String> values = new HashMap<>(Map.of("server.port", "0", "server.host", "127.0.0.1"));
        values.putAll(settings);
        Config config = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .addSource(ConfigSources.create(values)).build();
        WebServer server = Observability.server(config, List.of())
                .routing(r -> r.get("/hello", (req, res) -> res.send("hello")))
                .build().start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            return JsonLogFormatterTest.capture(ACCESS_LOG, () -> {
                try {
                    HttpResponse<String> hello = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                    + server.port() + "/hello?token=" + SECRET))
                            .header("Cookie", "huddle_admin=" + SECRET)
                            .header("Authorization", "Bearer " + SECRET).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, hello.statusCode());
                    HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + server.port() + "/missing")).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(404, missing.statusCode());
                    Thread.sleep(200); // the line is written after the response has gone
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        } finally {
            server.stop();
        }
    }
}
