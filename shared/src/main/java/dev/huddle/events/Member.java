package dev.huddle.events;

/**
 * A member of a room as other services see it.
 *
 * @param away true while the peer's connection is gone and its resume grace period runs
 * @param hand {@code null}, or the server time at which the peer raised its hand
 */
public record Member(String peerId, String nickname, Media media, boolean away, Long hand) {
    /** A member whose hand is down. */
    public Member(String peerId, String nickname, Media media, boolean away) {
        this(peerId, nickname, media, away, null);
    }

    public Peer peer() {
        return new Peer(peerId, nickname, media, hand);
    }

    public Member withMedia(Media media) {
        return new Member(peerId, nickname, media, away, hand);
    }

    public Member withNickname(String nickname) {
        return new Member(peerId, nickname, media, away, hand);
    }

    public Member withAway(boolean away) {
        return new Member(peerId, nickname, media, away, hand);
    }

    public Member withHand(Long hand) {
        return new Member(peerId, nickname, media, away, hand);
    }
}
