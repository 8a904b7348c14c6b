package dev.huddle.gateway.admin;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-address token bucket, on a clock the test sets. */
class LoginLimiterTest {
    @Test
    void allowsTheRateThenRefillsEvenlyPerAddress() {
        LoginLimiter limiter = new LoginLimiter(6); // one attempt every 10 s once the burst is spent
        long t = 1_000_000;
        for (int i = 0; i < 6; i++) {
            assertEquals(0, limiter.tryAcquire("10.0.0.1", t));
        }
        long wait = limiter.tryAcquire("10.0.0.1", t);
        assertTrue(wait > 9_000 && wait <= 10_000, "wait " + wait);
        assertEquals(0, limiter.tryAcquire("10.0.0.2", t), "another address has its own bucket");
        assertTrue(limiter.tryAcquire("10.0.0.1", t + 5_000) > 0);
        assertEquals(0, limiter.tryAcquire("10.0.0.1", t + 10_001));
        assertTrue(limiter.tryAcquire("10.0.0.1", t + 10_002) > 0);
    }

    @Test
    void forgetsAddressesWhoseBucketIsFullAgain() {
        LoginLimiter limiter = new LoginLimiter(2);
        limiter.tryAcquire("a", 0);
        limiter.tryAcquire("a", 0);
        limiter.purge(60_000); // refilled: forgotten
        assertEquals(0, limiter.tryAcquire("a", 60_000));
        assertEquals(0, limiter.tryAcquire("a", 60_000));
        assertTrue(limiter.tryAcquire("a", 60_000) > 0);
    }
}
