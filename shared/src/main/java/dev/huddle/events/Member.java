package dev.huddle.events;

/**
 * A member of a room as other services see it.
 *
 * @param away    true while the peer's connection is gone and its resume grace period runs
 * @param gateway instance id of the gateway holding the peer's connection (from the origin of its {@code join},
 *                moved by {@code back}): where deliveries for it go
 */
public record Member(String peerId, String nickname, Media media, boolean away, String gateway) {
    public Peer peer() {
        return new Peer(peerId, nickname, media);
    }
}
