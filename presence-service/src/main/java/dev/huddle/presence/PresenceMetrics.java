package dev.huddle.presence;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * presence-service's meters on {@code /observe/metrics}: sessions by state, resumes, departures by cause and
 * how long the departures of a dead gateway's sessions take from its detection.
 */
final class PresenceMetrics {
    static final String CAUSE_GRACE = "grace";
    static final String CAUSE_GATEWAY_DEAD = "gateway_dead";
    /** an operator disconnected the peer */
    static final String CAUSE_OPERATOR = "operator";
    /** the fresh session a resuming connection gave up (normally in no room: no departs) */
    static final String CAUSE_RESUMED = "resumed";

    /**
     * The session tables of the instances running in this JVM (the launcher and tests run several, one after
     * another). Gauges are registered once in the global registry, so they read whichever are live.
     */
    private static final List<Sessions> LIVE = new CopyOnWriteArrayList<>();

    static {
        MeterRegistry registry = Metrics.globalRegistry();
        registry.getOrCreate(Gauge.builder("huddle_presence_sessions", () -> count(false))
                .addTag(Tag.create("state", "connected"))
                .description("Sessions owned by this instance whose connection is open"));
        registry.getOrCreate(Gauge.builder("huddle_presence_sessions", () -> count(true))
                .addTag(Tag.create("state", "away"))
                .description("Sessions owned by this instance in their resume grace period"));
    }

    private final MeterRegistry registry = Metrics.globalRegistry();
    private final Counter resumesOk = resumes("ok");
    private final Counter resumesFailed = resumes("failed");
    private final Timer deathToDeparts = registry.getOrCreate(Timer.builder("huddle_presence_gateway_death_departs")
            .description("From detecting a dead gateway to the broker's ack of its sessions' departs"));

    private static int count(boolean away) {
        int n = 0;
        for (Sessions s : LIVE) {
            n += s.count(away);
        }
        return n;
    }

    void track(Sessions sessions) {
        LIVE.add(sessions);
    }

    void untrack(Sessions sessions) {
        LIVE.remove(sessions);
    }

    void resumed(boolean ok) {
        (ok ? resumesOk : resumesFailed).increment();
    }

    /** {@code rooms} departs were sent (and acknowledged) for one ended session. */
    void departed(String cause, int rooms) {
        if (rooms > 0) {
            registry.getOrCreate(Counter.builder("huddle_presence_departs")
                    .addTag(Tag.create("cause", cause))
                    .description("depart commands sent, by cause")).increment(rooms);
        }
    }

    void gatewayDeathHandled(long ms) {
        deathToDeparts.record(ms, TimeUnit.MILLISECONDS);
    }

    private Counter resumes(String result) {
        return registry.getOrCreate(Counter.builder("huddle_presence_resumes")
                .addTag(Tag.create("result", result))
                .description("resume requests, accepted (ok) or refused (failed)"));
    }
}
