package dev.huddle.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The protocol's peer object.
 *
 * @param hand {@code null}, or the server time at which the peer raised its hand (always on the wire, as null)
 */
public record Peer(String peerId, String nickname, Media media,
                   @JsonInclude(JsonInclude.Include.ALWAYS) Long hand) {
}
