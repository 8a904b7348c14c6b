package dev.huddle.gateway;

/**
 * One connection's token bucket (size {@code burst}, refilled at {@code perSecond}), and the watch for a client that
 * ignores {@code rate_limited}: once limited, a connection that goes on sending at more than twice its rate for
 * {@link #ABUSE_MS} is to be closed (1008). Used from the connection's reading thread only.
 */
final class RateLimiter {
    static final long ABUSE_MS = 2000;
    private static final long NOTIFY_EVERY_MS = 1000;

    enum Verdict { ACCEPT, REJECT, CLOSE }

    private final double perSecond;
    private final double burst;
    private double tokens;
    private long refilledAt;
    private long watchStart = -1;
    private long watchCount;
    private long notifiedAt;

    RateLimiter(double perSecond, double burst, long nowMs) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.tokens = burst;
        this.refilledAt = nowMs;
    }

    /** Takes a token for one incoming frame. */
    Verdict onFrame(long nowMs) {
        tokens = Math.min(burst, tokens + (nowMs - refilledAt) * perSecond / 1000.0);
        refilledAt = nowMs;
        boolean accepted = tokens >= 1;
        if (accepted) {
            tokens -= 1;
        }
        if (watchStart >= 0) {
            watchCount++;
            long elapsed = nowMs - watchStart;
            if (elapsed >= ABUSE_MS) {
                if (watchCount * 1000.0 / elapsed > 2 * perSecond) {
                    return Verdict.CLOSE;
                }
                watchStart = -1; // slowed down: forgiven, a new limit starts a new watch
            }
        } else if (!accepted) {
            watchStart = nowMs;
            watchCount = 1;
        }
        return accepted ? Verdict.ACCEPT : Verdict.REJECT;
    }

    /** Whether a dropped frame without ref gets an error push now (at most one a second). */
    boolean shouldNotify(long nowMs) {
        if (nowMs - notifiedAt >= NOTIFY_EVERY_MS) {
            notifiedAt = nowMs;
            return true;
        }
        return false;
    }
}
