package dev.huddle.gateway;

/**
 * At most {@link #PER_SECOND} reactions in any second per sender (protocol.md, {@code react}). Kept on the
 * connection, so a flood of reactions is refused before it costs Kafka anything. Reading thread only.
 */
final class ReactionLimiter {
    static final int PER_SECOND = 2;
    private final long[] recent = new long[PER_SECOND]; // send times of the latest accepted reactions, a ring
    private int next;

    /** Takes a slot for a reaction at {@code now}, or says no. */
    boolean tryAcquire(long now) {
        long oldest = recent[next];
        if (oldest != 0 && now - oldest < 1000) {
            return false;
        }
        recent[next] = now;
        next = (next + 1) % PER_SECOND;
        return true;
    }
}
