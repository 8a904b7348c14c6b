package dev.huddle.service;

/**
 * A started service instance, as {@code Main.start(Config)} of every service returns it: the launcher and
 * tests run several in one JVM and stop them cleanly or abruptly.
 */
public interface RunningService extends AutoCloseable {
    /** The HTTP port it listens on (health, metrics; the WebSocket and pages for a gateway). */
    int port();

    Instance instance();

    /** Stops cleanly: says goodbye (heartbeat tombstone, a gateway's clients told to reconnect), then closes. */
    @Override
    void close();

    /**
     * Stops as a crash would: no goodbye to anyone, sockets dropped, Kafka clients closed without further
     * writes. For fault tests.
     */
    void kill();
}
