package dev.huddle.gateway;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The requests of one connection that have a {@code ref} and still wait for their reply. A reply is sent to the
 * client only while its ref is pending, so a request is answered exactly once: late replies (after the timeout's
 * {@code unavailable}) and duplicates (a service's redelivery) are dropped.
 */
final class PendingRequests {
    /** One request waiting; {@code room} for join and leave (the room list must then include what they did). */
    record Pending(String ref, String type, String room, ScheduledFuture<?> timeout) {
    }

    private final Map<String, Pending> pending = new HashMap<>();
    private final ScheduledExecutorService timer;
    private final long timeoutMs;

    PendingRequests(ScheduledExecutorService timer, long timeoutMs) {
        this.timer = timer;
        this.timeoutMs = timeoutMs;
    }

    synchronized boolean contains(String ref) {
        return pending.containsKey(ref);
    }

    /** Starts waiting; {@code expired} runs on the timer thread if no reply came in time. */
    synchronized void add(String ref, String type, String room, Consumer<Pending> expired) {
        Pending[] self = new Pending[1];
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            if (remove(ref, self[0])) {
                expired.accept(self[0]);
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        self[0] = new Pending(ref, type, room, timeout);
        pending.put(ref, self[0]);
    }

    /** The request the reply with {@code ref} answers, or {@code null} if nothing waits for it (any more). */
    synchronized Pending take(String ref) {
        Pending p = pending.remove(ref);
        if (p != null) {
            p.timeout.cancel(false);
        }
        return p;
    }

    synchronized void clear() {
        pending.values().forEach(p -> p.timeout.cancel(false));
        pending.clear();
    }

    private synchronized boolean remove(String ref, Pending p) {
        return pending.remove(ref, p);
    }
}
