package dev.huddle.presence;

import dev.huddle.delivery.Deliveries;
import dev.huddle.delivery.Target;
import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;
import dev.huddle.events.Origin;
import dev.huddle.events.ResumeAccepted;
import dev.huddle.events.Session;
import dev.huddle.events.commands.Abandoned;
import dev.huddle.events.commands.Connected;
import dev.huddle.events.commands.Disconnected;
import dev.huddle.events.commands.ParsedCommand;
import dev.huddle.events.commands.PresenceCommandData;
import dev.huddle.events.commands.Resume;
import dev.huddle.json.Json;
import dev.huddle.json.JsonShapeException;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Received;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RoomLog;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Handles the commands on the {@code presence} topic (keyed by peerId): connections opened and closed, and
 * resumes. Redeliveries after a crash are harmless: each command checks the session's connection first.
 */
final class PresenceCommands implements ConsumerLoop.TypedHandler<ParsedCommand> {
    static final String RESUME_FAILED = "Unknown or expired resume token";

    private static final System.Logger LOG = System.getLogger(PresenceCommands.class.getName());
    private static final long ACK_TIMEOUT_S = 10;

    private final Sessions sessions;
    private final Membership membership;
    private final Publisher publisher;
    private final Deliveries inboxes;
    private final PresenceMetrics metrics;

    PresenceCommands(Sessions sessions, Membership membership, Publisher publisher, Deliveries inboxes,
                     PresenceMetrics metrics) {
        this.inboxes = inboxes;
        this.sessions = sessions;
        this.membership = membership;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    /** How the loop reads {@code presence}: commands, each from a connection (its origin). */
    static ParsedCommand parse(String key, String value) {
        ParsedCommand parsed = ParsedCommand.read(value);
        if (parsed.command().origin() == null) {
            throw new JsonShapeException("a presence command without an origin");
        }
        return parsed;
    }

    @Override
    public CompletionStage<?> handle(List<Received<ParsedCommand>> batch) throws Exception {
        List<CompletableFuture<?>> effects = new ArrayList<>();
        for (Received<ParsedCommand> r : batch) {
            Command cmd = r.value().command();
            String peer = r.key() != null ? r.key() : cmd.origin().peer();
            if (!(r.value().data() instanceof PresenceCommandData data)) {
                LOG.log(Level.WARNING, "Ignoring unknown presence command " + cmd.type());
                continue;
            }
            try {
                switch (data) {
                    case Connected d -> connected(peer, cmd, d, effects);
                    case Disconnected d -> disconnected(peer, cmd, d.ended(), effects);
                    case Resume d -> resume(cmd, d, effects);
                    case Abandoned d -> abandoned(peer, cmd, effects);
                }
            } catch (RuntimeException e) { // a bug: retrying cannot help (sends fail in futures, not here)
                LOG.log(Level.ERROR, "Presence command " + cmd.type() + " at " + r.where() + " failed", e);
            }
        }
        return Publisher.all(effects);
    }

    /** A new connection: its fresh peer gets a session. */
    private void connected(String peer, Command cmd, Connected data, List<CompletableFuture<?>> effects) {
        Origin origin = cmd.origin();
        synchronized (sessions) {
            Session s = sessions.get(peer);
            if (s != null) { // a redelivery
                if (on(s, origin)) {
                    effects.add(sessions.put(s)); // the first write may be what failed
                }
                return; // else it has moved on by a resume since
            }
            long since = cmd.ts() > 0 ? cmd.ts() : System.currentTimeMillis();
            effects.add(sessions.put(new Session(peer, data.tokenHash(), origin.gateway(), origin.conn(),
                    Session.CONNECTED, since, 0, data.remote(), data.userAgent(), null, List.of())));
        }
    }

    /**
     * A connection closed: if the session is still on it, the grace period starts, or, when an operator closed it
     * ({@code ended}), the session ends now: its rooms see the peer leave at once and its token is dead.
     */
    private void disconnected(String peer, Command cmd, boolean ended, List<CompletableFuture<?>> effects) {
        synchronized (sessions) {
            Session s = sessions.get(peer);
            if (s == null && !membership.rooms(peer).isEmpty()) {
                // Its `connected` never came (lost by a gateway): a session without a token, which cannot be
                // resumed, so that the peer still departs its rooms after the grace period.
                s = new Session(peer, null, cmd.origin().gateway(), cmd.origin().conn(), Session.CONNECTED,
                        cmd.ts(), 0, null, null, null, List.of());
            }
            if (s == null || !on(s, cmd.origin())) {
                return; // unknown, or resumed on another connection since
            }
            if (ended) {
                effects.add(sessions.end(s, PresenceMetrics.CAUSE_OPERATOR));
                return;
            }
            // Already away: a redelivery (whose writes may have failed), or the sweeper saw the gateway stop;
            // say it again, the grace period keeps its start.
            effects.add(sessions.put(s.away() ? s : s.awayAt(System.currentTimeMillis())));
            for (String room : membership.rooms(peer)) {
                effects.add(publisher.send(Topics.ROOM_COMMANDS, room, RoomCommands.away(cmd.origin(), room)));
            }
        }
    }

    /** A connection that resumed another session gave up its fresh peer: that session ends. */
    private void abandoned(String peer, Command cmd, List<CompletableFuture<?>> effects) {
        synchronized (sessions) {
            Session s = sessions.get(peer);
            if (s != null && on(s, cmd.origin())) {
                effects.add(sessions.end(s, PresenceMetrics.CAUSE_RESUMED));
            }
        }
    }

    /**
     * A new connection claims a session. The acceptance must be durable before the {@code back} commands go
     * out (the gateway holds the peer's deliveries until it has the acceptance and every room), so this waits
     * for its ack on the loop thread; resumes are rare.
     */
    private void resume(Command cmd, Resume data, List<CompletableFuture<?>> effects) throws Exception {
        Origin origin = cmd.origin();
        String peerId = data.peerId();
        // the connection's fresh hello peerId (also origin.peer), whose session ends unless it is the claimed one
        String fresh = data.abandonedPeer().equals(peerId) ? null : data.abandonedPeer();
        CompletableFuture<?> accepted;
        List<String> rooms;
        synchronized (sessions) {
            Session s = sessions.get(peerId);
            // A redelivery of a resume that went through: the session already is on this connection, with the
            // new token. Accept again (the gateway may not have had the acceptance), nothing else changes.
            boolean redelivered = s != null && on(s, origin) && sameHash(s.tokenHash(), data.newTokenHash());
            if (s == null || !(redelivered || sameHash(s.tokenHash(), data.tokenHash()))) {
                RoomLog.log(LOG, Level.INFO, null, peerId, "Resume of peer " + peerId + " refused: "
                        + (s == null ? "no such session (ended or never was)" : "wrong token"));
                metrics.resumed(false);
                String frame = Frames.failed(cmd.ref(), CommandTypes.RESUME, ErrorCode.RESUME_FAILED, RESUME_FAILED);
                effects.add(inboxes.send(Deliveries.toConnection(null, origin, frame, cmd.ts())));
                return;
            }
            if (redelivered) {
                effects.add(sessions.put(s));
            } else {
                if (!s.away()) { // the old connection is still open: it no longer speaks for the peer
                    effects.add(inboxes.send(Deliveries.close(List.of(new Target(peerId, s.gateway())), s.conn(),
                            null, 4000)));
                }
                Session freshSession = sessions.get(fresh);
                long since = cmd.ts() > 0 ? cmd.ts() : System.currentTimeMillis();
                effects.add(sessions.put(s.movedTo(origin.gateway(), origin.conn(), data.newTokenHash(), since,
                        freshSession == null ? null : freshSession.remote(),
                        freshSession == null ? null : freshSession.userAgent())));
                RoomLog.log(LOG, Level.INFO, null, peerId, "Peer " + peerId + " resumed its session on gateway "
                        + origin.gateway());
                metrics.resumed(true);
            }
            if (fresh != null) {
                effects.add(publisher.send(Topics.PRESENCE, fresh, Command.of(origin, fresh, new Abandoned())));
            }
            rooms = membership.rooms(peerId);
            accepted = inboxes.send(Deliveries.control(origin, Delivery.Control.RESUME_ACCEPTED,
                    Json.write(new ResumeAccepted(peerId, rooms))));
        }
        accepted.get(ACK_TIMEOUT_S, TimeUnit.SECONDS); // failure: the batch is retried, as a redelivery
        Origin back = new Origin(origin.gateway(), origin.conn(), peerId);
        for (String room : rooms) {
            effects.add(publisher.send(Topics.ROOM_COMMANDS, room, RoomCommands.back(back, room, cmd.ref(), cmd.ts())));
        }
    }

    private static boolean on(Session s, Origin origin) {
        return Objects.equals(s.conn(), origin.conn()) && Objects.equals(s.gateway(), origin.gateway());
    }

    /** Constant time, so that timing tells nothing about a stored hash. */
    private static boolean sameHash(String stored, String given) {
        return stored != null && given != null && MessageDigest.isEqual(
                stored.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
