package dev.huddle.gateway;

/**
 * At most {@code perSecond} requests of one type in any second per connection (a {@link RequestType.Limit}, such as
 * {@code react}'s 2). Kept on the connection, so a flood of them is refused before it costs Kafka anything.
 * Reading thread only.
 */
final class TypeLimiter {
    private final long[] recent; // times of the latest accepted requests, a ring
    private int next;

    TypeLimiter(int perSecond) {
        this.recent = new long[perSecond];
    }

    /** Takes a slot for a request at {@code now}, or says no. */
    boolean tryAcquire(long now) {
        long oldest = recent[next];
        if (oldest != 0 && now - oldest < 1000) {
            return false;
        }
        recent[next] = now;
        next = (next + 1) % recent.length;
        return true;
    }
}
