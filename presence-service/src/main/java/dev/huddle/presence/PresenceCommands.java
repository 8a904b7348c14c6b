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
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RoomLog;

import com.fasterxml.jackson.databind.JsonNode;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Handles the commands on the {@code presence} topic (keyed by peerId): connections opened and closed, and
 * resumes. Redeliveries after a crash are harmless: each command checks the session's connection first.
 */
final class PresenceCommands implements ConsumerLoop.Handler {
    /**
     * Presence's own command on its topic, keyed by the fresh peerId a resuming connection gave up (its
     * {@code hello} peerId): that peer's session ends now, without grace. It goes through the topic because
     * the fresh peer's partition may belong to another presence instance. Data {}.
     */
    static final String ABANDONED = "abandoned";
    static final String RESUME_FAILED = "Unknown or expired resume token";

    private static final System.Logger LOG = System.getLogger(PresenceCommands.class.getName());
    private static final long ACK_TIMEOUT_S = 10;

    private record Connected(String tokenHash, String remote, String userAgent) {
    }

    /** {@code abandonedPeer}: the connection's fresh hello peerId, also {@code origin.peer} (gateways send both) */
    private record Resume(String peerId, String tokenHash, String newTokenHash, String abandonedPeer) {
    }

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

    @Override
    public CompletionStage<?> handle(List<ConsumerRecord<String, String>> batch) throws Exception {
        List<CompletableFuture<?>> effects = new ArrayList<>();
        for (ConsumerRecord<String, String> r : batch) {
            Command cmd = parse(r);
            if (cmd == null) {
                continue;
            }
            String peer = r.key() != null ? r.key() : cmd.origin().peer();
            try {
                switch (cmd.type()) {
                    case CommandTypes.CONNECTED -> connected(peer, cmd, effects);
                    case CommandTypes.DISCONNECTED -> disconnected(peer, cmd, effects);
                    case CommandTypes.RESUME -> resume(cmd, r.key(), effects);
                    case ABANDONED -> abandoned(peer, cmd, effects);
                    default -> LOG.log(Level.WARNING, "Ignoring unknown presence command " + cmd.type());
                }
            } catch (RuntimeException e) { // data of the wrong shape: retrying cannot help (sends fail in futures)
                LOG.log(Level.WARNING, "Ignoring presence command " + cmd.type() + " at offset " + r.offset()
                        + ": " + e);
            }
        }
        return Publisher.all(effects);
    }

    private static Command parse(ConsumerRecord<String, String> r) {
        if (r.value() == null) {
            return null;
        }
        try {
            Command cmd = Json.read(r.value(), Command.class);
            if (cmd.origin() == null || cmd.type() == null) {
                LOG.log(Level.WARNING, "Ignoring presence command without origin or type at offset " + r.offset());
                return null;
            }
            return cmd;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Ignoring unreadable presence command at offset " + r.offset() + ": " + e);
            return null;
        }
    }

    /** A new connection: its fresh peer gets a session. */
    private void connected(String peer, Command cmd, List<CompletableFuture<?>> effects) {
        Origin origin = cmd.origin();
        Connected data = data(cmd, Connected.class);
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

    /** A connection closed: if the session is still on it, the grace period starts. */
    private void disconnected(String peer, Command cmd, List<CompletableFuture<?>> effects) {
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
    private void resume(Command cmd, String key, List<CompletableFuture<?>> effects) throws Exception {
        Origin origin = cmd.origin();
        Resume data = data(cmd, Resume.class);
        String peerId = data.peerId() != null ? data.peerId() : key;
        String abandoned = data.abandonedPeer() != null ? data.abandonedPeer() : origin.peer();
        String fresh = abandoned != null && !abandoned.equals(peerId) ? abandoned : null;
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
                effects.add(publisher.send(Topics.PRESENCE, fresh, Command.of(origin, ABANDONED, fresh, Json.object())));
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

    private static <T> T data(Command cmd, Class<T> type) {
        JsonNode data = cmd.data() == null || cmd.data().isNull() ? Json.object() : cmd.data();
        return Json.convert(data, type);
    }
}
