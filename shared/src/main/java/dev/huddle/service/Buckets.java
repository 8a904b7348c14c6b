package dev.huddle.service;

import java.time.Duration;

/**
 * Histogram buckets shared by the services' timers, so that dashboards and alerts can use the same {@code le}
 * values everywhere (the relay p99 alert's threshold is one of them).
 */
public final class Buckets {
    /** Relay latency and join time: milliseconds up to a few seconds. */
    public static final Duration[] LATENCY = {Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5)};
    /** How long rooms live: a minute to a day. */
    public static final Duration[] ROOM_DURATION = {Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2),
            Duration.ofHours(4), Duration.ofHours(8), Duration.ofHours(24)};

    private Buckets() {
    }
}
