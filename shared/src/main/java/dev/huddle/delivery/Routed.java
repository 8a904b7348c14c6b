package dev.huddle.delivery;

import dev.huddle.events.Delivery;

/** One inbox record: a {@link Delivery} for the peers of one gateway, to be written to that gateway's inbox. */
public record Routed(String gateway, Delivery delivery) {
}
