package dev.huddle.events;

/**
 * A member of a room as other services see it.
 *
 * @param away true while the peer's connection is gone and its resume grace period runs
 */
public record Member(String peerId, String nickname, Media media, boolean away) {
    public Peer peer() {
        return new Peer(peerId, nickname, media);
    }
}
