package dev.huddle.gateway;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The token bucket and the flood watch, on a simulated clock. */
class RateLimiterTest {

    @Test
    void burstThenRefillAtTheRate() {
        RateLimiter limiter = new RateLimiter(10, 5, 1000);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.onFrame(1000), is(RateLimiter.Verdict.ACCEPT));
        }
        assertThat(limiter.onFrame(1000), is(RateLimiter.Verdict.REJECT));
        assertThat(limiter.onFrame(1100), is(RateLimiter.Verdict.ACCEPT)); // 100 ms at 10/s: one token
        assertThat(limiter.onFrame(1100), is(RateLimiter.Verdict.REJECT));
    }

    @Test
    void errorPushAtMostOnceASecond() {
        RateLimiter limiter = new RateLimiter(10, 5, 5000);
        assertThat(limiter.shouldNotify(5000), is(true));
        assertThat(limiter.shouldNotify(5500), is(false));
        assertThat(limiter.shouldNotify(6000), is(true));
    }

    @Test
    void floodingForTwoSecondsAfterTheLimitCloses() {
        RateLimiter limiter = new RateLimiter(10, 5, 0);
        RateLimiter.Verdict last = null;
        for (long t = 0; t <= 2500 && last != RateLimiter.Verdict.CLOSE; t += 20) { // 50 a second, 5x the rate
            last = limiter.onFrame(t);
        }
        assertThat(last, is(RateLimiter.Verdict.CLOSE));
    }

    @Test
    void slowingDownAfterTheLimitIsForgiven() {
        RateLimiter limiter = new RateLimiter(10, 5, 0);
        for (int i = 0; i < 6; i++) {
            limiter.onFrame(0); // the sixth is refused: the watch starts
        }
        for (long t = 100; t <= 5000; t += 100) { // the rate itself, never more
            assertThat(limiter.onFrame(t) != RateLimiter.Verdict.CLOSE, is(true));
        }
    }
}
