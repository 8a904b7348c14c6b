package dev.huddle.presence;

import dev.huddle.events.Session;
import dev.huddle.kafka.Partitions;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RoomLog;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The sessions of the {@code presence} partitions this instance owns, in memory and on the compacted
 * {@code sessions} topic (same partition numbers, same keys). Every change is written there; the returned
 * future completes when the broker has it.
 *
 * <p>The command loop, the room-members replica and the sweeper all change sessions: each holds this
 * object's monitor for the whole read-decide-write of one change, so they never interleave.
 */
final class Sessions {
    private static final System.Logger LOG = System.getLogger(Sessions.class.getName());

    private final Publisher publisher;
    private final Membership membership;
    private final PresenceMetrics metrics;
    private final Map<String, Session> byPeer = new HashMap<>();
    private final Set<Integer> partitions = new HashSet<>();

    Sessions(Publisher publisher, Membership membership, PresenceMetrics metrics) {
        this.publisher = publisher;
        this.membership = membership;
        this.metrics = metrics;
    }

    static int partitionOf(String peerId) {
        return Partitions.forKey(peerId, Topics.SESSIONS.partitions());
    }

    synchronized Session get(String peerId) {
        return peerId == null ? null : byPeer.get(peerId);
    }

    synchronized List<Session> all() {
        return List.copyOf(byPeer.values());
    }

    synchronized int count(boolean away) {
        int n = 0;
        for (Session s : byPeer.values()) {
            if (s.away() == away) {
                n++;
            }
        }
        return n;
    }

    /** Stores the session, with the peer's current rooms and nickname. */
    synchronized CompletableFuture<?> put(Session session) {
        Session full = withMembership(session);
        byPeer.put(full.peerId(), full);
        return publisher.send(Topics.SESSIONS, full.peerId(), full);
    }

    /** After room changes: rewrites the sessions of these peers whose rooms or nickname changed. */
    synchronized CompletableFuture<Void> refresh(Collection<String> peers) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String peer : peers) {
            Session s = byPeer.get(peer);
            if (s != null && !withMembership(s).equals(s)) {
                sent.add(put(s));
            }
        }
        return Publisher.all(sent);
    }

    /**
     * Ends a session: {@code depart} for each of the peer's rooms, and its tombstone. It leaves memory at once,
     * so that no resume claims it meanwhile; if a write fails it comes back, and the sweeper ends it again.
     */
    synchronized CompletableFuture<Void> end(Session session, String cause) {
        byPeer.remove(session.peerId());
        List<String> rooms = membership.rooms(session.peerId());
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String room : rooms) {
            sent.add(publisher.send(Topics.ROOM_COMMANDS, room, RoomCommands.depart(session.origin(), room)));
        }
        sent.add(publisher.send(Topics.SESSIONS, session.peerId(), null));
        // Async: the callback takes this monitor, and must not do so on the producer's I/O thread, which a
        // sender holding the monitor may be waiting for.
        return Publisher.all(sent).whenCompleteAsync((ok, failure) -> {
            if (failure == null) {
                RoomLog.log(LOG, Level.INFO, null, session.peerId(), "Session of peer " + session.peerId()
                        + " ended (" + cause + "), leaving " + rooms.size() + " room(s)");
                metrics.departed(cause, rooms.size());
            } else {
                RoomLog.log(LOG, Level.WARNING, null, session.peerId(), "Ending the session of peer "
                        + session.peerId() + " failed, will retry: " + failure);
                restore(session);
            }
        });
    }

    private synchronized void restore(Session session) {
        if (partitions.contains(partitionOf(session.peerId())) && !byPeer.containsKey(session.peerId())) {
            byPeer.put(session.peerId(), session);
        }
    }

    /** Takes over partitions with the sessions read back from the topic. */
    synchronized void load(Collection<Integer> assigned, Collection<Session> restored) {
        partitions.addAll(assigned);
        for (Session s : restored) {
            byPeer.put(s.peerId(), s);
        }
    }

    /** Gives partitions up (another instance owns them now). */
    synchronized void drop(Collection<Integer> revoked) {
        partitions.removeAll(revoked);
        byPeer.values().removeIf(s -> revoked.contains(partitionOf(s.peerId())));
    }

    private Session withMembership(Session s) {
        String nickname = membership.nickname(s.peerId());
        return s.withMembership(nickname != null ? nickname : s.nickname(), membership.rooms(s.peerId()));
    }
}
