package dev.huddle.presence;

import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.events.Origin;
import dev.huddle.events.ResumeAccepted;
import dev.huddle.events.Session;
import dev.huddle.json.Json;
import dev.huddle.testing.KafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;

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
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/** A new connection claims a session with its resume token. */
@ExtendWith(KafkaExtension.class)
class SessionResumeTest {
    private static final long GRACE = 10_000; // a resume must make it in time on a busy test machine
    private static Harness h;

    @BeforeAll
    static void start() throws Exception {
        h = new Harness(Map.of("presence.grace.ms", Long.toString(GRACE)));
        h.gateway("gw-1");
        h.gateway("gw-2");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void resumeWithinGraceMovesTheSessionAndBringsThePeerBackToItsRooms() throws Exception {
        Harness.Conn old = Harness.conn("gw-1");
        String alpha = Harness.room("alpha");
        String beta = Harness.room("beta");
        h.connected(old);
        h.members(alpha, old.peer());
        h.members(beta, old.peer());
        h.awaitSession(old.peer(), s -> s != null && s.rooms().size() == 2, 10_000);
        h.disconnected(old);
        long awaySince = h.awaitSession(old.peer(), s -> s != null && s.away(), 10_000).value().awaySince();
        h.awaitCommands(CommandTypes.AWAY, old.peer(), 2, 10_000);

        Harness.Conn fresh = Harness.conn("gw-2"); // the client's new connection, with its own hello peerId
        h.connected(fresh);
        h.awaitSession(fresh.peer(), s -> s != null, 10_000);
        String newToken = old.peer() + ".renewed";
        h.resume(fresh, old.peer(), old.token(), newToken, "r1");

        Harness.Seen<Delivery> accepted = h.awaitDelivery(fresh.origin().conn(),
                d -> d.control() == Delivery.Control.RESUME_ACCEPTED, 10_000);
        assertThat(accepted.value().to(), contains(fresh.peer()));
        JsonNode frame = Json.tree(accepted.value().frame());
        assertThat(frame.path("peerId").asText(), is(old.peer()));
        assertThat(Json.read(accepted.value().frame(), ResumeAccepted.class).rooms(), containsInAnyOrder(alpha, beta));

        List<Harness.Seen<Command>> back = h.awaitCommands(CommandTypes.BACK, old.peer(), 2, 10_000);
        assertThat(back.stream().map(b -> b.value().key()).toList(), containsInAnyOrder(alpha, beta));
        for (Harness.Seen<Command> b : back) {
            assertThat(b.value().origin(), is(new Origin("gw-2", fresh.origin().conn(), old.peer())));
            assertThat(b.value().ref(), is("r1"));
            assertThat(b.value().data().path("room").asText(), is(b.key()));
        }

        Session moved = h.awaitSession(old.peer(),
                s -> s != null && s.conn().equals(fresh.origin().conn()), 10_000).value();
        assertThat(moved.gateway(), is("gw-2"));
        assertThat(moved.state(), is(Session.CONNECTED));
        assertThat(moved.tokenHash(), is(Harness.sha256(newToken)));
        assertThat(moved.awaySince(), is(0L));
        assertThat(moved.rooms(), containsInAnyOrder(alpha, beta));
        h.awaitSession(fresh.peer(), s -> s == null, 10_000); // the hello peer's own session is gone

        // the grace period of the old connection would have ended by now
        Thread.sleep(Math.max(0, awaySince + GRACE + 1000 - System.currentTimeMillis()));
        assertThat(h.commands(CommandTypes.DEPART, old.peer()), empty());
        assertThat(h.latestSession(old.peer()).value().conn(), is(fresh.origin().conn()));

        // The old token is dead: resuming with it again fails.
        Harness.Conn thief = Harness.conn("gw-1");
        h.resume(thief, old.peer(), old.token(), old.peer() + ".x", "r2");
        Harness.Seen<Delivery> refused = h.awaitDelivery(thief.origin().conn(), d -> d.frame() != null, 10_000);
        assertThat(Json.tree(refused.value().frame()).path("error").path("code").asText(), is("resume_failed"));
    }

    @Test
    void wrongOrUnknownTokenIsAnsweredResumeFailed() throws Exception {
        Harness.Conn old = Harness.conn("gw-1");
        h.connected(old);
        h.members(Harness.room("alpha"), old.peer());
        h.awaitSession(old.peer(), s -> s != null && s.rooms().size() == 1, 10_000);
        h.disconnected(old);
        h.awaitSession(old.peer(), s -> s != null && s.away(), 10_000);

        Harness.Conn wrong = Harness.conn("gw-2");
        h.resume(wrong, old.peer(), old.peer() + ".guessed", "n1", "r7");
        JsonNode reply = Json.tree(h.awaitDelivery(wrong.origin().conn(), d -> d.frame() != null, 10_000)
                .value().frame());
        assertThat(reply.path("type").asText(), is("reply"));
        assertThat(reply.path("ref").asText(), is("r7"));
        assertThat(reply.path("ok").asBoolean(), is(false));
        assertThat(reply.path("error").path("code").asText(), is("resume_failed"));
        assertThat(reply.path("error").path("message").asText(), is("Unknown or expired resume token"));

        Harness.Conn unknown = Harness.conn("gw-2");
        h.resume(unknown, "nobody-" + old.peer(), "nobody.secret", "n2", null); // no ref: an error push
        Harness.Seen<Delivery> push = h.awaitDelivery(unknown.origin().conn(), d -> d.frame() != null, 10_000);
        assertThat(push.value().to(), contains(unknown.peer()));
        JsonNode error = Json.tree(push.value().frame());
        assertThat(error.path("type").asText(), is("error"));
        assertThat(error.path("data").path("code").asText(), is("resume_failed"));
        assertThat(error.path("data").path("about").asText(), is("resume"));

        // Nothing changed: the session stays on its old connection with its token, and departs after the grace.
        h.awaitSession(old.peer(), x -> x == null, GRACE + 5000);
        for (Harness.Seen<Session> w : h.sessionWrites) {
            if (old.peer().equals(w.key()) && w.value() != null) {
                assertThat(w.value().conn(), is(old.origin().conn()));
                assertThat(w.value().tokenHash(), is(old.tokenHash()));
            }
        }
        assertThat(h.awaitCommands(CommandTypes.DEPART, old.peer(), 1, 10_000), hasSize(1));
        assertThat(h.commands(CommandTypes.BACK, old.peer()), empty());
    }

    @Test
    void resumeWhileTheOldConnectionIsOpenClosesItWith4000() throws Exception {
        Harness.Conn old = Harness.conn("gw-1");
        h.connected(old);
        h.awaitSession(old.peer(), s -> s != null, 10_000);

        Harness.Conn fresh = Harness.conn("gw-2");
        h.resume(fresh, old.peer(), old.token(), old.peer() + ".renewed", "r1");
        Harness.Seen<Delivery> close = h.awaitDelivery(old.origin().conn(),
                d -> d.control() == Delivery.Control.CLOSE, 10_000);
        assertThat(close.value().code(), is(4000));
        assertThat(close.value().to(), contains(old.peer()));
        assertThat(close.value().frame(), nullValue());

        Harness.Seen<Delivery> accepted = h.awaitDelivery(fresh.origin().conn(),
                d -> d.control() == Delivery.Control.RESUME_ACCEPTED, 10_000);
        assertThat(Json.tree(accepted.value().frame()).path("rooms").size(), is(0)); // in no room: rooms []
        h.awaitSession(old.peer(), s -> s != null && s.conn().equals(fresh.origin().conn()), 10_000);

        // The old connection's close now comes in: it no longer speaks for the session.
        h.disconnected(old);
        Thread.sleep(1500);
        assertThat(h.latestSession(old.peer()).value().state(), is(Session.CONNECTED));
    }
}
