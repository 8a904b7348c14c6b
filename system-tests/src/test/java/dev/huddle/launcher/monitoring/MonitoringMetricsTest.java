package dev.huddle.launcher.monitoring;

import dev.huddle.json.Json;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.launcher.LocalCluster;
import dev.huddle.launcher.MetricsText;
import dev.huddle.service.PasswordHash;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Monitoring as code matches the code: the whole system runs on a real broker with some traffic (joins, a
 * relayed and a refused signal, a room that ends, a failed and a good admin sign-in, an operator action), every
 * service's /observe/metrics is scraped, and every metric that the Grafana dashboard and the alert rules in
 * k8s/monitoring query must be there. Also: our meters carry {@code node_id}, never {@code instance}, and the Kafka
 * clients' own meters are there per instance, with rates above zero after the traffic.
 */
@ExtendWith(KafkaExtension.class)
class MonitoringMetricsTest {
    private static final Path MONITORING = Path.of("..", "k8s", "monitoring");
    /** A metric name in PromQL: ours all start with huddle_; Prometheus' own `up` is a target's health. */
    private static final Pattern METRIC = Pattern.compile("\\b(huddle_[a-z0-9_]+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsExported() throws Exception {
        Set<String> queried = new TreeSet<>();
        List<String> expressions = new ArrayList<>(dashboardExpressions());
        assertFalse(expressions.isEmpty(), "the dashboard has queries");
        List<String> rules = ruleExpressions();
        assertTrue(rules.size() >= 8, "the alert rules: " + rules);
        expressions.addAll(rules);
        for (String expr : expressions) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                queried.add(m.group(1));
            }
        }
        assertTrue(queried.size() >= 15, "metric names found in the queries: " + queried);

        String password = "pw-" + UUID.randomUUID();
        String prefix = "mon" + UUID.randomUUID().toString().substring(0, 6) + ".";
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(1, 0,
                KafkaExtension.bootstrapServers(), Files.createTempDirectory("unused"), Map.of(
                        "kafka.topic.prefix", prefix,
                        "admin.user", "ops", "admin.password.hash", PasswordHash.hash(password, 1000))))) {
            int port = cluster.gateways().get(0).port();
            traffic(port, password, prefix);

            List<RunningService> services = List.of(cluster.gateways().get(0), cluster.rooms(), cluster.signaling(),
                    cluster.presence());
            Set<String> exported = new TreeSet<>();
            for (RunningService service : services) {
                String text = get(service.port(), "/observe/metrics", null).body();
                for (String line : text.split("\n")) {
                    if (line.startsWith("huddle_")) {
                        exported.add(line.replaceAll("[{ ].*", ""));
                        assertFalse(line.contains("instance=\""), "node_id, not instance: " + line);
                    }
                }
            }
            Set<String> missing = new TreeSet<>(queried);
            missing.removeAll(exported);
            assertEquals(Set.of(), missing, "queried by k8s/monitoring but not exported; exported: " + exported);

            String gateway = get(port, "/observe/metrics", null).body();
            assertTrue(gateway.contains("huddle_gateway_relay_latency_seconds_bucket{le=")
                    || gateway.matches("(?s).*huddle_gateway_relay_latency_seconds_bucket\\{[^}]*le=.*"),
                    "relay latency is a histogram");
            assertTrue(gateway.matches("(?s).*huddle_kafka_consumer_lag\\{[^}]*partition=\"\\d+\".*"),
                    "consumer lag per partition");

            // Kafka's client meters, per instance: after the traffic every service has sent and fetched
            for (RunningService service : services) {
                String text = get(service.port(), "/observe/metrics", null).body();
                String node = service.instance().id();
                assertTrue(value(text, "huddle_kafka_producer_request_rate", node) > 0,
                        node + " producer request rate");
                assertTrue(value(text, "huddle_kafka_producer_record_send_rate", node) > 0,
                        node + " producer record send rate");
                assertTrue(value(text, "huddle_kafka_producer_buffer_available_bytes", node) > 1_000_000,
                        node + " producer buffer (32 MiB by default, little of it in use)");
                assertTrue(value(text, "huddle_kafka_consumer_fetch_rate", node) > 0, node + " consumer fetch rate");
            }
            assertTrue(value(get(cluster.rooms().port(), "/observe/metrics", null).body(),
                    "huddle_kafka_consumer_records_consumed_rate", cluster.rooms().instance().id()) > 0,
                    "rooms-service consumed the joins and leaves");
        }
    }

    /**
     * The sum of {@code metric}'s series tagged {@code node_id="node"} (a Kafka client meter: one series per client
     * of that instance); fails if there is none.
     */
    private static double value(String text, String metric, String node) {
        List<MetricsText.Sample> series = MetricsText.samples(text, metric).stream()
                .filter(s -> node.equals(s.label("node_id")) && s.label("client_id") != null).toList();
        assertTrue(!series.isEmpty(), metric + " for " + node + " is exported");
        return series.stream().mapToDouble(s -> Double.isNaN(s.value()) ? 0 : s.value()).sum();
    }

    /** Joins, a relayed signal, a refused one, a room that ends, a bad record, sign-ins and an operator action. */
    private static void traffic(int port, String password, String prefix) throws Exception {
        String room = "mon-" + UUID.randomUUID().toString().substring(0, 8);
        // a stranger's record on the room's partition, read before the joins below (same key, same partition)
        try (Publisher stranger = new Publisher(KafkaSettings.of(KafkaExtension.bootstrapServers(), prefix), "stranger")) {
            stranger.send(Topics.ROOM_COMMANDS, room, "not a command").get();
        }
        try (WsClient ann = WsClient.hello(port); WsClient bob = WsClient.hello(port)) {
            ann.ok("join", Map.of("room", room, "nickname", "Ann"));
            bob.ok("join", Map.of("room", room, "nickname", "Bob"));
            ann.ok("signal", Map.of("room", room, "to", bob.peerId(),
                    "description", Map.of("type", "offer", "sdp", "v=0")));
            bob.await("signal");
            JsonNode refused = ann.request("signal", Map.of("room", room, "to", "nobody-here",
                    "description", Map.of("type", "offer", "sdp", "v=0")));
            assertFalse(refused.path("ok").asBoolean(), refused.toString());
            ann.request("no_such_type", Map.of()); // a rejected frame
            bob.ok("leave", Map.of("room", room));
            ann.ok("leave", Map.of("room", room)); // the room ends: a room duration
        }
        assertEquals(401, post(port, "/admin/api/login", "{\"user\":\"ops\",\"password\":\"wrong\"}", null, null)
                .statusCode());
        HttpResponse<String> login = post(port, "/admin/api/login",
                "{\"user\":\"ops\",\"password\":\"" + password + "\"}", null, null);
        assertEquals(200, login.statusCode(), login.body());
        JsonNode me = Json.tree(login.body());
        HttpResponse<String> lock = post(port, "/admin/api/lock", "{\"room\":\"" + room + "\",\"locked\":true}",
                me.get("token").asText(), me.get("csrf").asText());
        assertEquals(200, lock.statusCode(), lock.body());
    }

    private static List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard = Json.tree(Files.readString(MONITORING.resolve("huddle-dashboard.json")));
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.path("expr").asText());
            }
        }
        return out;
    }

    /** The {@code expr} of every rule: one line, or a folded block ({@code >-}) of the lines indented below. */
    private static List<String> ruleExpressions() throws Exception {
        List<String> lines = Files.readAllLines(MONITORING.resolve("prometheusrule.yaml"));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int at = line.indexOf("expr:");
            if (at < 0) {
                continue;
            }
            String value = line.substring(at + 5).strip();
            if (value.equals(">-") || value.equals(">") || value.equals("|")) {
                StringBuilder block = new StringBuilder();
                while (i + 1 < lines.size() && indent(lines.get(i + 1)) > at) {
                    block.append(lines.get(++i).strip()).append(' ');
                }
                value = block.toString().strip();
            }
            out.add(value);
        }
        return out;
    }

    private static int indent(String line) {
        return line.isBlank() ? Integer.MAX_VALUE : line.length() - line.stripLeading().length();
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(int port, String path, String body, String token, String csrf)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token).header("X-CSRF-Token", csrf);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
