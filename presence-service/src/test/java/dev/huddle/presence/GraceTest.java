package dev.huddle.presence;

import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Origin;
import dev.huddle.events.Session;
import dev.huddle.testing.KafkaExtension;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;

/** A connection drops: {@code away} for each of the peer's rooms, then {@code depart} when the grace period ends. */
@ExtendWith(KafkaExtension.class)
class GraceTest {
    private static final long GRACE = 1000;
    private static Harness h;

    @BeforeAll
    static void start() throws Exception {
        h = new Harness(Map.of("presence.grace.ms", Long.toString(GRACE)));
        h.gateway("gw-1");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void dropSendsAwayForEachRoomThenDepartsAfterTheGracePeriod() throws Exception {
        Harness.Conn c = Harness.conn("gw-1");
        String alpha = Harness.room("alpha");
        String beta = Harness.room("beta");
        h.connected(c);
        h.awaitSession(c.peer(), s -> s != null && s.conn().equals(c.origin().conn()), 10_000);
        h.members(alpha, c.peer());
        h.members(beta, "someone-else", c.peer());
        Session session = h.awaitSession(c.peer(),
                s -> s != null && s.rooms().equals(List.of(alpha, beta)), 10_000).value();
        assertThat(session.state(), is(Session.CONNECTED));
        assertThat(session.gateway(), is("gw-1"));
        assertThat(session.tokenHash(), is(c.tokenHash()));
        assertThat(session.nickname(), is("nick-" + c.peer()));
        assertThat(session.remote(), is("10.0.0.7"));
        assertThat(session.userAgent(), is("TestAgent/1"));

        h.disconnected(c);
        List<Harness.Seen<Command>> away = h.awaitCommands(CommandTypes.AWAY, c.peer(), 2, 10_000);
        assertThat(away.stream().map(a -> a.value().key()).toList(), containsInAnyOrder(alpha, beta));
        for (Harness.Seen<Command> a : away) {
            assertThat(a.value().origin(), is(c.origin()));
            assertThat(a.value().data().path("room").asText(), is(a.key()));
        }
        Session awaySession = h.awaitSession(c.peer(), s -> s != null && s.away(), 10_000).value();
        assertThat(h.commands(CommandTypes.DEPART, c.peer()), empty());

        List<Harness.Seen<Command>> departs = h.awaitCommands(CommandTypes.DEPART, c.peer(), 2, 10_000);
        assertThat(departs.stream().map(d -> d.value().key()).toList(), containsInAnyOrder(alpha, beta));
        for (Harness.Seen<Command> d : departs) {
            assertThat(d.value().origin(), is(c.origin()));
            assertThat(d.value().data().path("reason").asText(), is("disconnected"));
            long waited = d.value().ts() - awaySession.awaySince();
            assertThat(waited, greaterThanOrEqualTo(GRACE));
            assertThat(waited, lessThan(GRACE + 3000)); // sweep period, plus a loaded test machine
        }
        h.awaitSession(c.peer(), s -> s == null, 10_000); // tombstone
    }

    @Test
    void aConnectionAnOperatorClosedEndsItsSessionWithoutAGracePeriod() throws Exception {
        Harness.Conn c = Harness.conn("gw-1");
        String alpha = Harness.room("alpha");
        h.connected(c);
        h.members(alpha, "someone-else", c.peer());
        h.awaitSession(c.peer(), s -> s != null && s.rooms().equals(List.of(alpha)), 10_000);

        h.disconnectedByOperator(c);
        Harness.Seen<Command> depart = h.awaitCommands(CommandTypes.DEPART, c.peer(), 1, 10_000).getFirst();
        assertThat(depart.key(), is(alpha));
        assertThat(depart.value().data().path("reason").asText(), is("disconnected"));
        h.awaitSession(c.peer(), s -> s == null, 10_000); // tombstone: its token resumes nothing
        assertThat(h.commands(CommandTypes.AWAY, c.peer()), empty()); // no grace period was given
        assertThat(h.sessionWrites.stream().filter(s -> c.peer().equals(s.key()) && s.value() != null)
                .map(s -> s.value().state()).distinct().toList(), contains(Session.CONNECTED));
    }

    @Test
    void disconnectOfAnOldConnectionIsIgnored() throws Exception {
        Harness.Conn c = Harness.conn("gw-1");
        String alpha = Harness.room("alpha");
        h.connected(c);
        h.members(alpha, c.peer());
        h.awaitSession(c.peer(), s -> s != null && s.rooms().equals(List.of(alpha)), 10_000);

        h.disconnected(new Origin("gw-1", "some-other-conn", c.peer()), c.peer());
        Thread.sleep(GRACE + 700);
        assertThat(h.commands(CommandTypes.AWAY, c.peer()), empty());
        assertThat(h.commands(CommandTypes.DEPART, c.peer()), empty());
        assertThat(h.latestSession(c.peer()).value().state(), is(Session.CONNECTED));
    }

    @Test
    void aPeerInNoRoomEndsWithoutDeparts() throws Exception {
        Harness.Conn c = Harness.conn("gw-1");
        h.connected(c);
        h.awaitSession(c.peer(), s -> s != null, 10_000);
        h.disconnected(c);
        h.awaitSession(c.peer(), s -> s == null, 10_000);
        assertThat(h.commands(CommandTypes.AWAY, c.peer()), empty());
        assertThat(h.commands(CommandTypes.DEPART, c.peer()), empty());
        assertThat(h.latestSession(c.peer()).value(), nullValue());
        assertThat(h.sessionWrites.stream().filter(s -> c.peer().equals(s.key()) && s.value() != null)
                .map(s -> s.value().state()).distinct().toList(), contains(Session.CONNECTED, Session.AWAY));
    }

    @Test
    void aPeerWhoseConnectedWasLostStillDepartsItsRooms() throws Exception {
        Harness.Conn c = Harness.conn("gw-1");
        String alpha = Harness.room("alpha");
        h.members(alpha, c.peer());
        // A real drop comes long after the join: let presence's members replica read it first (it may still be
        // reading when the command loop takes the disconnect, and then presence knows no room of the peer).
        Thread.sleep(1000);
        h.disconnected(c); // no `connected` before it
        h.awaitCommands(CommandTypes.AWAY, c.peer(), 1, 10_000);
        h.awaitCommands(CommandTypes.DEPART, c.peer(), 1, GRACE + 10_000);
        h.awaitSession(c.peer(), s -> s == null, 10_000);
    }
}
