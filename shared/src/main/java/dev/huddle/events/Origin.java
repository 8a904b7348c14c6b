package dev.huddle.events;

/**
 * Where a command came from: the gateway instance, the connection on it, and the peer it speaks for.
 */
public record Origin(String gateway, String conn, String peer) {
}
