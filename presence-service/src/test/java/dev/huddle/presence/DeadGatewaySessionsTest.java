package dev.huddle.presence;

import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.service.Heartbeat;
import dev.huddle.testing.KafkaExtension;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;

/**
 * A gateway that stops beating without a goodbye is dead: its sessions end at once. One that stopped cleanly
 * leaves its sessions the normal grace period.
 */
@ExtendWith(KafkaExtension.class)
class DeadGatewaySessionsTest {
    private static final long TIMEOUT = 2000;
    private static final long GRACE = 6000;
    private static Harness h;

    @BeforeAll
    static void start() throws Exception {
        h = new Harness(Map.of("presence.grace.ms", Long.toString(GRACE),
                "presence.gateway.timeout.ms", Long.toString(TIMEOUT)));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void silentGatewayEndsAllItsSessionsWithinTheTimeout() throws Exception {
        Heartbeat dying = h.gateway("gw-dying");
        h.gateway("gw-healthy");
        Harness.Conn a = Harness.conn("gw-dying");
        Harness.Conn b = Harness.conn("gw-dying");
        Harness.Conn other = Harness.conn("gw-healthy");
        String alpha = Harness.room("alpha");
        String beta = Harness.room("beta");
        for (Harness.Conn c : List.of(a, b, other)) {
            h.connected(c);
        }
        h.members(alpha, a.peer(), other.peer());
        h.members(beta, a.peer(), b.peer());
        h.awaitSession(a.peer(), s -> s != null && s.rooms().size() == 2, 10_000);
        h.awaitSession(b.peer(), s -> s != null && s.rooms().size() == 1, 10_000);
        h.awaitSession(other.peer(), s -> s != null && s.rooms().size() == 1, 10_000);

        long crashed = System.currentTimeMillis();
        dying.stopSilently();
        List<Harness.Seen<Command>> departsA = h.awaitCommands(CommandTypes.DEPART, a.peer(), 2, TIMEOUT + 10_000);
        List<Harness.Seen<Command>> departsB = h.awaitCommands(CommandTypes.DEPART, b.peer(), 1, TIMEOUT + 10_000);
        assertThat(departsA.stream().map(Harness.Seen::key).toList(), containsInAnyOrder(alpha, beta));
        assertThat(departsB.stream().map(Harness.Seen::key).toList(), containsInAnyOrder(beta));
        for (Harness.Seen<Command> d : List.of(departsA.get(0), departsA.get(1), departsB.get(0))) {
            long after = d.value().ts() - crashed;
            assertThat(after, greaterThanOrEqualTo(TIMEOUT - 300)); // the last beat may be up to 200 ms old
            assertThat(after, lessThan(TIMEOUT + 3000)); // the timeout, not the 6 s grace period
        }
        assertThat(h.commands(CommandTypes.AWAY, a.peer()), empty()); // no grace: straight to depart
        h.awaitSession(a.peer(), s -> s == null, 5000);
        h.awaitSession(b.peer(), s -> s == null, 5000);

        Thread.sleep(500);
        assertThat(h.commands(CommandTypes.DEPART, other.peer()), empty());
        assertThat(h.latestSession(other.peer()).value().away(), org.hamcrest.Matchers.is(false));
    }

    @Test
    void cleanlyStoppedGatewayGivesItsSessionsTheGracePeriod() throws Exception {
        Heartbeat draining = h.gateway("gw-draining");
        Harness.Conn c = Harness.conn("gw-draining");
        String alpha = Harness.room("alpha");
        h.connected(c);
        h.members(alpha, c.peer());
        h.awaitSession(c.peer(), s -> s != null && s.rooms().size() == 1, 10_000);

        long stopped = System.currentTimeMillis();
        draining.close(); // tombstone
        h.awaitCommands(CommandTypes.AWAY, c.peer(), 1, 10_000);
        h.awaitSession(c.peer(), s -> s != null && s.away(), 10_000);
        Thread.sleep(Math.max(0, stopped + TIMEOUT + 1500 - System.currentTimeMillis()));
        assertThat(h.commands(CommandTypes.DEPART, c.peer()), empty());

        List<Harness.Seen<Command>> departs = h.awaitCommands(CommandTypes.DEPART, c.peer(), 1, GRACE + 10_000);
        assertThat(departs, hasSize(1));
        assertThat(departs.get(0).value().ts() - stopped, greaterThanOrEqualTo(GRACE));
    }

    @Test
    void sessionOnAGatewayNeverHeardOfEndsAfterTheTimeout() throws Exception {
        Harness.Conn c = Harness.conn("gw-ghost"); // no heartbeat at all: died while presence was down, say
        String alpha = Harness.room("alpha");
        h.members(alpha, c.peer());
        h.connected(c);
        long start = System.currentTimeMillis();
        h.awaitCommands(CommandTypes.DEPART, c.peer(), 1, TIMEOUT + 10_000);
        assertThat(System.currentTimeMillis() - start, lessThan(GRACE));
        h.awaitSession(c.peer(), s -> s == null, 5000);
    }
}
