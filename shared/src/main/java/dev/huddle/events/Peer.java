package dev.huddle.events;

/** The protocol's peer object. */
public record Peer(String peerId, String nickname, Media media) {
}
