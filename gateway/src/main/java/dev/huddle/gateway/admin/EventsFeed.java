package dev.huddle.gateway.admin;

import dev.huddle.events.AuditEvent;
import dev.huddle.events.Member;
import dev.huddle.events.RoomMembers;
import dev.huddle.events.Session;
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The dashboard's events feed: what an operator wants to see happen, newest first. Joins and leaves come from
 * the {@code room-members} replica (diffs of its snapshots), gateway deaths from the instances' heartbeats,
 * operator actions and sign-ins from the {@code audit} topic (read from its beginning, so a dashboard opened
 * later still sees the latest of them). Only the latest {@link #CAPACITY} are kept.
 */
final class EventsFeed implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventsFeed.class.getName());
    static final int CAPACITY = 500;
    private static final int NAMES = 10_000;

    /** The kinds, as the dashboard's {@code data-kind}. */
    static final String JOIN = "join";
    static final String LEAVE = "leave";
    static final String KICK = "kick";
    static final String LOCK = "lock";
    static final String CLOSE = "close";
    static final String DISCONNECT = "disconnect";
    static final String GATEWAY_DEATH = "gateway_death";
    static final String LOGIN = "login";
    static final String NOTICE = "notice";
    static final Set<String> KINDS = Set.of(JOIN, LEAVE, KICK, LOCK, CLOSE, DISCONNECT, GATEWAY_DEATH, LOGIN,
            NOTICE);

    /**
     * One item of the feed. {@code seq} orders the items of this gateway's feed (streams send what is newer than
     * the last seq they sent); {@code action} is the audit action ({@code lock}/{@code unlock}, {@code login}/
     * {@code logout}, ...) where the kind groups several.
     */
    record Item(long seq, String kind, long ts, String room, String peerId, String nickname, String user,
                String node, String action, String result, String remote, String text) {
    }

    private final ArrayDeque<Item> items = new ArrayDeque<>();
    /** The nicknames of peers seen in rooms lately, so that a kick or a disconnect names whom it acted on. */
    private final Map<String, String> names = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > NAMES;
        }
    };
    private final ConsumerLoop audit;
    private long seq;

    EventsFeed(KafkaSettings settings) {
        this.audit = ConsumerLoop.replica(settings, "admin-audit", List.of(Topics.AUDIT), true, this::audit);
    }

    EventsFeed start() {
        audit.start();
        return this;
    }

    /**
     * The joins and leaves between two snapshots of a room ({@code null}: no such room).
     *
     * @return the number of joins
     */
    int members(RoomMembers before, RoomMembers after, long now) {
        Map<String, Member> old = index(before);
        Map<String, Member> current = index(after);
        remember(current.values());
        String room = after != null ? after.room() : before != null ? before.room() : null;
        long ts = after != null && after.ts() > 0 ? after.ts() : now;
        int joins = 0;
        for (Member m : current.values()) {
            if (!old.containsKey(m.peerId())) {
                joins++;
                add(JOIN, ts, room, m.peerId(), m.nickname(), null, null, null, null, null, null);
            }
        }
        for (Member m : old.values()) {
            if (!current.containsKey(m.peerId())) {
                add(LEAVE, ts, room, m.peerId(), m.nickname(), null, null, null, null, null, null);
            }
        }
        return joins;
    }

    /** A client's connection closed (its session went away, or ended while connected). */
    void session(Session before, Session after, long now) {
        if (before != null && !before.away() && (after == null || after.away())) {
            long ts = after != null && after.awaySince() > 0 ? after.awaySince() : now;
            add(DISCONNECT, ts, null, before.peerId(), before.nickname(), null, before.gateway(), null, null,
                    before.remote(), "connection closed");
        }
    }

    /** A gateway fell silent (its heartbeat is older than the down threshold). */
    void gatewayDied(String instance, long lastSeen, long now) {
        add(GATEWAY_DEATH, now, null, null, null, null, instance, null, null, null,
                "no heartbeat since " + Instant.ofEpochMilli(lastSeen));
    }

    private CompletableFuture<Void> audit(List<ConsumerRecord<String, String>> batch) {
        for (ConsumerRecord<String, String> r : batch) {
            if (r.value() == null) {
                continue;
            }
            try {
                audit(Json.read(r.value(), AuditEvent.class));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Skipping unreadable audit record at offset " + r.offset() + ": "
                        + e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    void audit(AuditEvent e) {
        String kind = kindOf(e.action());
        if (kind == null) {
            return;
        }
        boolean roomTarget = KICK.equals(kind) || LOCK.equals(kind) || CLOSE.equals(kind)
                || NOTICE.equals(kind);
        String room = null;
        String peerId = null;
        if (e.target() != null) {
            if (KICK.equals(kind)) {
                // "room/peerId", as AdminApi writes it
                int slash = e.target().lastIndexOf('/');
                room = slash > 0 ? e.target().substring(0, slash) : e.target();
                peerId = slash > 0 ? e.target().substring(slash + 1) : null;
            } else if (roomTarget) {
                room = "*".equals(e.target()) ? null : e.target();
            } else if (DISCONNECT.equals(kind)) {
                peerId = e.target();
            }
        }
        add(kind, e.ts(), room, peerId, nickname(peerId), e.user(), e.node(), e.action(), e.result(), e.remote(),
                null);
    }

    private synchronized void remember(Iterable<Member> members) {
        for (Member m : members) {
            if (m.nickname() != null) {
                names.put(m.peerId(), m.nickname());
            }
        }
    }

    private synchronized String nickname(String peerId) {
        return peerId == null ? null : names.get(peerId);
    }

    /** The feed's kind of an audit action, or {@code null} for actions the feed does not show. */
    static String kindOf(String action) {
        if (action == null) {
            return null;
        }
        return switch (action) {
            case "login", "logout" -> LOGIN;
            case "kick" -> KICK;
            case "close_room" -> CLOSE;
            case "lock", "unlock" -> LOCK;
            case "disconnect" -> DISCONNECT;
            case "notice" -> NOTICE;
            default -> null;
        };
    }

    private synchronized void add(String kind, long ts, String room, String peerId, String nickname, String user,
                                  String node, String action, String result, String remote, String text) {
        items.addFirst(new Item(++seq, kind, ts, room, peerId, nickname, user, node, action, result, remote, text));
        while (items.size() > CAPACITY) {
            items.removeLast();
        }
    }

    /** The items after {@code afterSeq}, newest first, at most {@code limit}, of the given kinds (empty: all). */
    synchronized List<Item> since(long afterSeq, Set<String> kinds, int limit) {
        List<Item> out = new ArrayList<>();
        for (Item i : items) {
            if (i.seq() <= afterSeq || out.size() >= limit) {
                break;
            }
            if (kinds.isEmpty() || kinds.contains(i.kind())) {
                out.add(i);
            }
        }
        return out;
    }

    synchronized long lastSeq() {
        return seq;
    }

    private static Map<String, Member> index(RoomMembers rm) {
        Map<String, Member> out = new HashMap<>();
        if (rm != null && rm.members() != null) {
            for (Member m : rm.members()) {
                out.put(m.peerId(), m);
            }
        }
        return out;
    }

    @Override
    public void close() {
        audit.close();
    }
}
