package dev.huddle.presence;

import dev.huddle.events.Session;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every few hundred ms, looks at the sessions this instance owns: ends those whose grace period is over and
 * those on a dead gateway (at once, no grace), and starts the grace period of those still connected to a
 * gateway that stopped cleanly (it told its clients to reconnect elsewhere).
 */
final class Sweeper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Sweeper.class.getName());

    private final Sessions sessions;
    private final Membership membership;
    private final Liveness liveness;
    private final Publisher publisher;
    private final PresenceMetrics metrics;
    private final long graceMs;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("presence-sweeper").daemon().factory());

    Sweeper(Sessions sessions, Membership membership, Liveness liveness, Publisher publisher,
            PresenceMetrics metrics, long graceMs) {
        this.sessions = sessions;
        this.membership = membership;
        this.liveness = liveness;
        this.publisher = publisher;
        this.metrics = metrics;
        this.graceMs = graceMs;
    }

    Sweeper start(long periodMs) {
        timer.scheduleWithFixedDelay(this::sweepSafely, periodMs, periodMs, TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweepSafely() {
        try {
            sweep(System.currentTimeMillis());
        } catch (RuntimeException e) { // keep sweeping: a failure here must not stop every future departure
            LOG.log(Level.WARNING, "Sweep failed: " + e);
        }
    }

    void sweep(long now) {
        Map<String, List<CompletableFuture<Void>>> deaths = new HashMap<>();
        synchronized (sessions) {
            for (Session s : sessions.all()) {
                Liveness.Verdict verdict = liveness.verdict(s.gateway(), s.connectedSince(), now);
                if (verdict == Liveness.Verdict.DEAD) {
                    deaths.computeIfAbsent(s.gateway(), g -> new ArrayList<>())
                            .add(sessions.end(s, PresenceMetrics.CAUSE_GATEWAY_DEAD));
                } else if (s.away() && now - s.awaySince() >= graceMs) {
                    sessions.end(s, PresenceMetrics.CAUSE_GRACE);
                } else if (verdict == Liveness.Verdict.STOPPED && !s.away()) {
                    goAway(s, now);
                }
            }
        }
        deaths.forEach((gateway, ended) -> {
            LOG.log(Level.INFO, "Gateway " + gateway + " is dead: ending its " + ended.size() + " session(s)");
            Publisher.all(ended).thenRun(() -> metrics.gatewayDeathHandled(System.currentTimeMillis() - now));
        });
    }

    /** As if the connection had dropped now (the gateway's {@code disconnected} may never come). */
    private void goAway(Session s, long now) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        sent.add(sessions.put(s.awayAt(now)));
        for (String room : membership.rooms(s.peerId())) {
            sent.add(publisher.send(Topics.ROOM_COMMANDS, room, RoomCommands.away(s.origin(), room)));
        }
        Publisher.all(sent).exceptionally(e -> {
            LOG.log(Level.WARNING, "Marking a session away failed: " + e);
            return null;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
