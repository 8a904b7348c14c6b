package dev.huddle.gateway.admin;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;

import java.util.List;

/**
 * The admin API's meters on {@code /observe/metrics}: sign-ins by outcome and operator actions by kind.
 * Counters only: several gateways may share a JVM (the launcher), and a counter adds up where a gauge would not.
 */
final class AdminMetrics {
    void login(String result) {
        counter("huddle_admin_logins", "result", result).increment();
    }

    void action(String action) {
        counter("huddle_admin_actions", "action", action).increment();
    }

    void refused(String code) {
        counter("huddle_admin_refused", "code", code).increment();
    }

    private static Counter counter(String name, String tag, String value) {
        return Metrics.globalRegistry().getOrCreate(Counter.builder(name).tags(List.of(Tag.create(tag, value))));
    }
}
