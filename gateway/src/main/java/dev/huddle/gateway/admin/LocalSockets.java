package dev.huddle.gateway.admin;

/**
 * The connections of the gateway the admin API runs on, for what only that gateway knows about them (their
 * counters). Connections on other gateways are not here: {@link SocketCountersQuery} asks their gateway.
 */
@FunctionalInterface
public interface LocalSockets {
    LocalSockets NONE = conn -> null;

    /** The counters of the connection with this id ({@code Session.conn}), or {@code null} if not held here. */
    SocketCounters counters(String conn);
}
