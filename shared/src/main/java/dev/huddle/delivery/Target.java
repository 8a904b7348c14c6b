package dev.huddle.delivery;

/**
 * A peer as a delivery addresses it: its peerId and the instance id of the gateway holding its connection
 * (rooms-service's {@link dev.huddle.events.Member#gateway()}, presence's {@link dev.huddle.events.Session#gateway()},
 * a command's {@link dev.huddle.events.Origin#gateway()}).
 */
public record Target(String peer, String gateway) {
}
