package dev.huddle.presence;

import dev.huddle.events.InstanceHeartbeat;

import org.junit.jupiter.api.Test;

import static dev.huddle.presence.Liveness.Verdict.ALIVE;
import static dev.huddle.presence.Liveness.Verdict.DEAD;
import static dev.huddle.presence.Liveness.Verdict.STOPPED;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The rules that decide what becomes of a gateway's sessions (no broker needed: times are given). */
class LivenessTest {
    private static final long TIMEOUT = 1000;

    private static InstanceHeartbeat beat(String id, long started, long ts) {
        return new InstanceHeartbeat(1, id, "gateway", "test", started, ts, true, 1);
    }

    @Test
    void silentWhileOthersBeatIsDeadButNotWhenNothingArrivesAtAll() {
        Liveness l = new Liveness(TIMEOUT);
        l.heartbeat("gw", beat("gw", 10, 100), 100);
        l.heartbeat("presence", beat("presence", 10, 100), 100);
        assertThat(l.verdict("gw", 50, 1000), is(ALIVE));
        // nothing at all arrived for 2 s: the broker or our consumer is stuck, not the gateway
        assertThat(l.verdict("gw", 50, 2100), is(ALIVE));
        l.heartbeat("presence", beat("presence", 10, 2100), 2100);
        assertThat(l.verdict("gw", 50, 2150), is(DEAD));
        l.heartbeat("gw", beat("gw", 10, 2200), 2200); // it was alive after all
        assertThat(l.verdict("gw", 50, 2250), is(ALIVE));
    }

    @Test
    void cleanStopMeansGraceNotDeath() {
        Liveness l = new Liveness(TIMEOUT);
        l.heartbeat("gw", beat("gw", 10, 100), 100);
        l.stopped("gw", 200);
        l.heartbeat("presence", beat("presence", 10, 5000), 5000);
        assertThat(l.verdict("gw", 50, 5000), is(STOPPED));
        // a beat that overtook its goodbye does not bring the stopped process back
        l.heartbeat("gw", beat("gw", 10, 190), 5001);
        assertThat(l.verdict("gw", 50, 5002), is(STOPPED));
    }

    @Test
    void theSameIdComingBackEndsTheOldIncarnationsSessions() {
        Liveness l = new Liveness(TIMEOUT);
        l.heartbeat("crashy", beat("crashy", 10, 100), 100);
        l.heartbeat("crashy", beat("crashy", 500, 600), 600); // restarted without a goodbye
        assertThat(l.verdict("crashy", 50, 700), is(DEAD)); // a connection of the process that died
        assertThat(l.verdict("crashy", 550, 700), is(ALIVE)); // one of the new process

        l.heartbeat("polite", beat("polite", 10, 100), 100);
        l.stopped("polite", 200);
        l.heartbeat("polite", beat("polite", 500, 600), 600); // restarted after a clean stop
        assertThat(l.verdict("polite", 50, 700), is(STOPPED));
        assertThat(l.verdict("polite", 550, 700), is(ALIVE));
    }

    @Test
    void unknownGatewayIsDeadOnceTheTimeoutPassed() {
        Liveness l = new Liveness(TIMEOUT);
        l.heartbeat("presence", beat("presence", 10, 100), 100);
        assertThat(l.verdict("ghost", 50, 100), is(ALIVE)); // its first beat may be on the way
        l.heartbeat("presence", beat("presence", 10, 1200), 1200);
        assertThat(l.verdict("ghost", 50, 1200), is(DEAD));
    }
}
