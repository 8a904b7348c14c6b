package dev.huddle.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Errors by code: the protocol's codes as the server sent them ({@code rate_limited}, ...) and the client's own
 * ({@code connect_failed}, {@code timeout}, {@code closed_1006}, ...).
 */
final class ErrorCounts {
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String code) {
        add(code, 1);
    }

    void add(String code, long times) {
        counts.computeIfAbsent(code, k -> new LongAdder()).add(times);
    }

    /** Counts a failed request: the reply's error code, or what went wrong on the client side. */
    void addFailure(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        add(t instanceof Client.Failure f ? f.code
                : t instanceof java.util.concurrent.TimeoutException ? "timeout"
                : t instanceof java.net.http.HttpTimeoutException ? "connect_timeout"
                : t instanceof java.io.IOException ? "connect_failed"
                : "client_" + t.getClass().getSimpleName());
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
