package dev.huddle.gateway.admin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Login attempts per remote address: a token bucket of {@code perMinute} attempts, refilled evenly over a
 * minute. Every attempt counts, right or wrong, so the PBKDF2 check cannot be used to burn the CPU either.
 */
final class LoginLimiter {
    private static final long MINUTE = 60_000;

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int perMinute;

    LoginLimiter(int perMinute) {
        this.perMinute = Math.max(1, perMinute);
    }

    /** @return 0 if the attempt may go ahead, else how many ms until the next one may */
    long tryAcquire(String address, long now) {
        long[] wait = new long[1];
        buckets.compute(address, (k, b) -> {
            if (b == null) {
                b = new Bucket(perMinute, now);
            }
            b.tokens = Math.min(perMinute, b.tokens + (now - b.updated) * perMinute / (double) MINUTE);
            b.updated = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
            } else {
                wait[0] = Math.max(1, (long) Math.ceil((1 - b.tokens) * MINUTE / perMinute));
            }
            return b;
        });
        return wait[0];
    }

    /** Forgets addresses whose bucket is full again, so the map does not grow with every address ever seen. */
    void purge(long now) {
        buckets.values().removeIf(b -> b.tokens + (now - b.updated) * perMinute / (double) MINUTE >= perMinute);
    }
}
