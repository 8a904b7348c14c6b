package dev.huddle.presence;

import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.events.ResumeAccepted;
import dev.huddle.events.Session;
import dev.huddle.json.Json;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** presence-service restarts in the middle of grace periods: sessions come back from the sessions topic. */
@ExtendWith(KafkaExtension.class)
class RestartTest {
    /** long enough for a restart on a busy test machine (a shared 2-core box took 20 s at worst) */
    private static final long GRACE = 25_000;

    @Test
    void afterACrashAndRestartGraceStillEndsOnTimeAndResumeStillWorks() throws Exception {
        try (Harness h = new Harness(Map.of("presence.grace.ms", Long.toString(GRACE)))) {
            h.gateway("gw-1");
            h.gateway("gw-2");
            Harness.Conn staying = Harness.conn("gw-1");
            Harness.Conn leaving = Harness.conn("gw-1");
            String alpha = Harness.room("alpha");
            h.connected(staying);
            h.connected(leaving);
            h.members(alpha, staying.peer(), leaving.peer());
            h.awaitSession(staying.peer(), s -> s != null && s.rooms().equals(List.of(alpha)), 10_000);
            h.awaitSession(leaving.peer(), s -> s != null && s.rooms().equals(List.of(alpha)), 10_000);
            h.disconnected(staying);
            h.disconnected(leaving);
            Session away = h.awaitSession(leaving.peer(), s -> s != null && s.away(), 10_000).value();
            h.awaitSession(staying.peer(), s -> s != null && s.away(), 10_000);

            h.presence.kill();
            h.presence = h.startPresence();
            assertThat("restart took longer than the grace period",
                    System.currentTimeMillis() < away.awaySince() + GRACE, is(true));

            Harness.Conn fresh = Harness.conn("gw-2");
            h.resume(fresh, staying.peer(), staying.token(), staying.peer() + ".renewed", "r1");
            Harness.Seen<Delivery> accepted = h.awaitDelivery(fresh.origin().conn(),
                    d -> d.control() == Delivery.Control.RESUME_ACCEPTED, 10_000);
            assertThat(Json.read(accepted.value().frame(), ResumeAccepted.class).rooms(), contains(alpha));
            h.awaitCommands(CommandTypes.BACK, staying.peer(), 1, 10_000);

            List<Harness.Seen<Command>> departs = h.awaitCommands(CommandTypes.DEPART, leaving.peer(), 1, GRACE + 10_000);
            long waited = departs.get(0).value().ts() - away.awaySince();
            assertThat(waited, greaterThanOrEqualTo(GRACE));
            assertThat(waited, lessThan(GRACE + 3000));
            h.awaitSession(leaving.peer(), s -> s == null, 5000);
            assertThat(h.commands(CommandTypes.DEPART, staying.peer()), empty());
        }
    }

    @Test
    void sessionsOfAKilledInstanceMoveToTheOtherOne() throws Exception {
        try (Harness h = new Harness(Map.of("presence.grace.ms", Long.toString(GRACE)))) {
            h.gateway("gw-1");
            h.gateway("gw-2");
            RunningService second = h.startPresence(); // the group now splits the partitions between the two
            try {
                // one peer on every partition, so that both instances own some
                List<Harness.Conn> conns = new ArrayList<>();
                Set<Integer> covered = new HashSet<>();
                while (covered.size() < Topics.PRESENCE.partitions()) {
                    Harness.Conn c = Harness.conn("gw-1");
                    if (covered.add(Sessions.partitionOf(c.peer()))) {
                        conns.add(c);
                    }
                }
                String alpha = Harness.room("alpha");
                h.members(alpha, conns.stream().map(Harness.Conn::peer).toArray(String[]::new));
                for (Harness.Conn c : conns) {
                    h.connected(c);
                }
                for (Harness.Conn c : conns) {
                    h.disconnected(c);
                }
                Map<String, Long> awaySince = new HashMap<>();
                for (Harness.Conn c : conns) {
                    awaySince.put(c.peer(), h.awaitSession(c.peer(), s -> s != null && s.away(), 10_000)
                            .value().awaySince());
                }
                h.awaitCommands(CommandTypes.AWAY, conns.get(0).peer(), 1, 10_000);

                h.presence.kill(); // the second instance takes every partition over
                Harness.Conn resumed = conns.get(0);
                Harness.Conn fresh = Harness.conn("gw-2");
                h.resume(fresh, resumed.peer(), resumed.token(), resumed.peer() + ".renewed", "r1");
                h.awaitDelivery(fresh.origin().conn(), d -> d.control() == Delivery.Control.RESUME_ACCEPTED, 20_000);

                for (Harness.Conn c : conns.subList(1, conns.size())) {
                    List<Harness.Seen<Command>> departs = h.awaitCommands(CommandTypes.DEPART, c.peer(), 1, GRACE + 10_000);
                    long waited = departs.get(0).value().ts() - awaySince.get(c.peer());
                    assertThat(waited, greaterThanOrEqualTo(GRACE));
                    assertThat(waited, lessThan(GRACE + 3000));
                }
                assertThat(h.commands(CommandTypes.DEPART, resumed.peer()), empty());
            } finally {
                second.close();
            }
        }
    }
}
