package dev.huddle.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The broker's own request counters, read from the launcher's {@code /broker/requests} ({@code ./run.sh} prints
 * its URL) before and after the measured window: how many requests of each kind the broker handled per relayed
 * signal, and how many records each produce request carried.
 */
final class BrokerRequests {
    private final HttpClient http;
    private final URI url;

    /** One reading: requests handled by API name since the broker started, and records appended. */
    record Snapshot(Map<String, Long> requests, long recordsIn) {
        long total() {
            return requests.values().stream().mapToLong(Long::longValue).sum();
        }

        long of(String api) {
            return requests.getOrDefault(api, 0L);
        }
    }

    BrokerRequests(HttpClient http, URI url) {
        this.http = http;
        this.url = url;
    }

    boolean enabled() {
        return url != null;
    }

    /** A reading, or {@code null} (with the reason in {@code errors}) if the endpoint does not answer. */
    Snapshot read(ErrorCounts errors) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                errors.add("broker_metrics_" + r.statusCode());
                return null;
            }
            return parse(r.body());
        } catch (IOException | IllegalArgumentException e) {
            errors.add("broker_metrics_unreadable");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Parses {@code {"requests":{"Fetch":n,...},"records_in":n}}. */
    static Snapshot parse(String json) {
        JsonNode tree = Json.tree(json);
        JsonNode requests = tree.path("requests");
        if (!requests.isObject() || !tree.path("records_in").canConvertToLong()) {
            throw new IllegalArgumentException("Not a broker request reading: " + json);
        }
        Map<String, Long> byApi = new TreeMap<>();
        requests.properties().forEach(e -> byApi.put(e.getKey(), e.getValue().asLong()));
        return new Snapshot(byApi, tree.path("records_in").asLong());
    }

    /**
     * The figures of one window: requests per relayed signal (all kinds, and produce and fetch alone), request
     * rates per second (produce, fetch, the rest), and records per produce request.
     *
     * @param seconds  the window's length
     * @param relayed  signals delivered to their target during the window
     */
    static Map<String, Object> figures(Snapshot before, Snapshot after, double seconds, long relayed) {
        long total = after.total() - before.total();
        long produce = after.of("Produce") - before.of("Produce");
        long fetch = after.of("Fetch") - before.of("Fetch");
        long records = after.recordsIn() - before.recordsIn();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("requests_per_relayed_signal", relayed == 0 ? null : round(total / (double) relayed));
        f.put("produce_per_relayed_signal", relayed == 0 ? null : round(produce / (double) relayed));
        f.put("fetch_per_relayed_signal", relayed == 0 ? null : round(fetch / (double) relayed));
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("produce", round(produce / seconds));
        rates.put("fetch", round(fetch / seconds));
        rates.put("other", round((total - produce - fetch) / seconds));
        rates.put("total", round(total / seconds));
        f.put("requests_per_s", rates);
        f.put("records_per_produce_request", produce == 0 ? null : round(records / (double) produce));
        f.put("relayed_in_window", relayed);
        f.put("window_s", round(seconds));
        f.values().removeIf(Objects::isNull);
        return f;
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
