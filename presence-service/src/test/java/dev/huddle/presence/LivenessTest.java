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
    private static final long HEARTBEAT = 100;

    private static InstanceHeartbeat beat(String id, long started, long ts) {
        return new InstanceHeartbeat(1, id, "gateway", "test", started, ts, true, 1);
    }

    /** Heartbeats of another instance every {@link #HEARTBEAT} ms from {@code from} to {@code to}. */
    private static void othersBeat(Liveness l, long from, long to) {
        for (long t = from; t <= to; t += HEARTBEAT) {
            l.heartbeat("presence", beat("presence", 10, t), t);
        }
    }

    @Test
    void silentWhileOthersBeatIsDeadButNotWhenNothingArrivesAtAll() {
        Liveness l = new Liveness(TIMEOUT, HEARTBEAT);
        l.heartbeat("gw", beat("gw", 10, 100), 100);
        othersBeat(l, 100, 1000);
        assertThat(l.verdict("gw", 50, 1000), is(ALIVE));
        othersBeat(l, 1100, 1200);
        assertThat(l.verdict("gw", 50, 1200), is(DEAD)); // silent for a timeout while the others were heard
        l.heartbeat("gw", beat("gw", 10, 1250), 1250); // it was alive after all
        assertThat(l.verdict("gw", 50, 1300), is(ALIVE));
    }

    @Test
    void afterAStallOfEverythingSilenceCountsFromWhenRecordsFlowAgain() {
        Liveness l = new Liveness(TIMEOUT, HEARTBEAT);
        l.heartbeat("gw", beat("gw", 10, 100), 100);
        l.heartbeat("presence", beat("presence", 10, 100), 100);
        // nothing at all arrived for 5 s: the broker or our consumer is stuck, not the gateway
        assertThat(l.verdict("gw", 50, 5100), is(ALIVE));
        l.heartbeat("presence", beat("presence", 10, 5100), 5100); // the first beat back is our own
        assertThat(l.verdict("gw", 50, 5150), is(ALIVE));
        assertThat(l.verdict("ghost", 50, 5150), is(ALIVE));
        othersBeat(l, 5100, 6100);
        assertThat(l.verdict("gw", 50, 6100), is(ALIVE));
        othersBeat(l, 6200, 6200);
        // still silent a timeout after everything else came back: dead after all
        assertThat(l.verdict("gw", 50, 6200), is(DEAD));
    }

    @Test
    void cleanStopMeansGraceNotDeath() {
        Liveness l = new Liveness(TIMEOUT, HEARTBEAT);
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
        Liveness l = new Liveness(TIMEOUT, HEARTBEAT);
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
        Liveness l = new Liveness(TIMEOUT, HEARTBEAT);
        l.heartbeat("presence", beat("presence", 10, 100), 100);
        assertThat(l.verdict("ghost", 50, 100), is(ALIVE)); // its first beat may be on the way
        othersBeat(l, 200, 1200);
        assertThat(l.verdict("ghost", 50, 1200), is(DEAD));
    }
}
