package dev.huddle.presence;

import dev.huddle.events.InstanceHeartbeat;
import dev.huddle.kafka.Received;
import dev.huddle.kafka.Topics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which gateways are alive, from the {@code instances} replica (heartbeats; a tombstone = a clean stop), and
 * so what becomes of the sessions on them. Silence is measured on this instance's clock (when a heartbeat
 * arrived), so clock skew between hosts cannot kill a gateway; heartbeats replayed at start-up count as just
 * seen, so a gateway that died while presence was down is found dead one timeout after the start. A gateway
 * is silent only while the others' heartbeats (this instance's own among them) keep arriving: when none
 * arrive, the broker or this consumer is stuck, and that says nothing about the gateway. So after such a stall
 * (nothing from anyone for two heartbeat intervals, e.g. the broker restarting) every gateway's silence counts
 * from when records flow again: otherwise the first heartbeat back, often this instance's own, would find every
 * gateway silent since before the stall and end all their sessions.
 * Thread-safe: the replica writes, the sweeper reads.
 */
final class Liveness {
    /** What the sessions on a gateway get. */
    enum Verdict {
        /** nothing: the connection is there */
        ALIVE,
        /** the gateway stopped cleanly and told its clients to reconnect: the normal grace period */
        STOPPED,
        /** the gateway died: the sessions end at once */
        DEAD
    }

    private static final int MAX_UNKNOWN = 10_000;

    /**
     * @param started       the current incarnation's start (the gateway's clock)
     * @param lastSeen      when its latest heartbeat arrived (this instance's clock)
     * @param stopped       a tombstone followed the latest heartbeat
     * @param crashedBefore connections opened before this (the gateway's clock) belong to an incarnation that
     *                      died without a tombstone (the same id came back, e.g. a restarted pod)
     * @param stoppedBefore same for an incarnation that stopped cleanly
     */
    private record Gateway(long started, long lastSeen, boolean stopped, long crashedBefore, long stoppedBefore) {
    }

    private final long timeoutMs;
    private final long stallMs;
    private final Map<String, Gateway> gateways = new HashMap<>();
    /** gateways that sessions name but that sent no heartbeat (yet): since when */
    private final Map<String, Long> unknownSince = new HashMap<>();
    /** when the latest heartbeat or tombstone of any instance arrived */
    private long lastRecord;

    /**
     * @param timeoutMs   a gateway silent this long while the others beat is dead
     * @param heartbeatMs the instances' heartbeat interval (this instance beats that often too)
     */
    Liveness(long timeoutMs, long heartbeatMs) {
        this.timeoutMs = timeoutMs;
        this.stallMs = Math.min(2 * heartbeatMs, timeoutMs);
    }

    /** The replica's handler. */
    CompletionStage<?> handle(List<Received<InstanceHeartbeat>> batch) {
        long now = System.currentTimeMillis();
        for (Received<InstanceHeartbeat> r : batch) {
            if (r.value() == null) {
                stopped(r.key(), now);
            } else {
                heartbeat(r.key(), r.value(), now);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /** {@code id}: the record's key, the instance id. */
    synchronized void heartbeat(String id, InstanceHeartbeat hb, long now) {
        arrived(now);
        unknownSince.remove(id);
        Gateway old = gateways.get(id);
        if (old != null && old.stopped && hb.started() == old.started) {
            return; // a beat that overtook its own goodbye: the process did stop
        }
        long crashedBefore = old == null ? 0 : old.crashedBefore;
        long stoppedBefore = old == null ? 0 : old.stoppedBefore;
        if (old != null && hb.started() > old.started) { // the same id came back as a new process
            if (old.stopped) {
                stoppedBefore = hb.started();
            } else {
                crashedBefore = hb.started();
            }
        }
        gateways.put(id, new Gateway(hb.started(), now, false, crashedBefore, stoppedBefore));
    }

    synchronized void stopped(String id, long now) {
        arrived(now);
        Gateway old = gateways.get(id);
        gateways.put(id, old == null
                ? new Gateway(0, now, true, 0, 0)
                : new Gateway(old.started, old.lastSeen, true, old.crashedBefore, old.stoppedBefore));
    }

    /** A record arrived; after a stall of the whole flow, every gateway's silence starts again from now. */
    private void arrived(long now) {
        if (lastRecord > 0 && now - lastRecord > stallMs) {
            gateways.replaceAll((id, g) -> new Gateway(g.started, Math.max(g.lastSeen, now), g.stopped,
                    g.crashedBefore, g.stoppedBefore));
            unknownSince.replaceAll((id, since) -> Math.max(since, now));
        }
        lastRecord = now;
    }

    /** What happens to a session on {@code gateway} whose connection opened at {@code connectedSince}. */
    synchronized Verdict verdict(String gateway, long connectedSince, long now) {
        Gateway g = gateways.get(gateway);
        if (g == null) {
            // Unknown: a gateway that died while this instance was down, or one whose first beat is on its way.
            if (unknownSince.size() > MAX_UNKNOWN) {
                unknownSince.clear();
            }
            long since = unknownSince.computeIfAbsent(gateway, k -> now);
            return silentSince(since, now) ? Verdict.DEAD : Verdict.ALIVE;
        }
        if (connectedSince < g.crashedBefore) {
            return Verdict.DEAD;
        }
        if (g.stopped || connectedSince < g.stoppedBefore) {
            return Verdict.STOPPED;
        }
        return silentSince(g.lastSeen, now) ? Verdict.DEAD : Verdict.ALIVE;
    }

    /** Records are arriving (none for two heartbeat intervals: the broker or this consumer is stuck). */
    synchronized boolean flowing(long now) {
        return lastRecord > 0 && now - lastRecord <= stallMs;
    }

    /** Inbox topics (names without prefix) of the gateways heard from in the last timeout: not to be deleted. */
    synchronized Set<String> heardInboxes() {
        Set<String> heard = new HashSet<>();
        gateways.forEach((id, g) -> {
            if (!g.stopped && lastRecord - g.lastSeen <= timeoutMs) {
                heard.add(Topics.inbox(id).name());
            }
        });
        return heard;
    }

    private boolean silentSince(long since, long now) {
        return now - since > timeoutMs && lastRecord - since > timeoutMs;
    }
}
