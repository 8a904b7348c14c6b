package dev.huddle.events;

/**
 * A member of a room as other services see it.
 *
 * @param away    true while the peer's connection is gone and its resume grace period runs
 * @param hand    {@code null}, or the server time at which the peer raised its hand
 * @param gateway instance id of the gateway holding the peer's connection (from the origin of its {@code join},
 *                moved by {@code back}): where deliveries for it go
 */
public record Member(String peerId, String nickname, Media media, boolean away, Long hand, String gateway) {
    public Peer peer() {
        return new Peer(peerId, nickname, media, hand);
    }

    public Member withMedia(Media media) {
        return new Member(peerId, nickname, media, away, hand, gateway);
    }

    public Member withNickname(String nickname) {
        return new Member(peerId, nickname, media, away, hand, gateway);
    }

    public Member withAway(boolean away) {
        return new Member(peerId, nickname, media, away, hand, gateway);
    }

    public Member withHand(Long hand) {
        return new Member(peerId, nickname, media, away, hand, gateway);
    }

    /** Present again, on the connection held by {@code gateway}. */
    public Member backOn(String gateway) {
        return new Member(peerId, nickname, media, false, hand, gateway);
    }
}
