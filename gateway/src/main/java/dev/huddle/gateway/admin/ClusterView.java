package dev.huddle.gateway.admin;

import dev.huddle.delivery.Gateways;
import dev.huddle.events.DirectoryEntry;
import dev.huddle.events.InstanceHeartbeat;
import dev.huddle.events.Member;
import dev.huddle.events.RoomMembers;
import dev.huddle.events.Session;
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The operator's picture of the cluster: local replicas (read from the beginning) of the compacted topics
 * {@code sessions}, {@code instances}, {@code room-members} and {@code room-directory}, and the views the
 * API returns. Rooms come from {@code room-members}, which has every room; the directory (public rooms only)
 * adds capacity, lock and creation time where it knows them.
 */
final class ClusterView implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterView.class.getName());
    /** A heartbeat older than this: the instance is shown as down (presence declares gateways dead at 10 s too). */
    static final long DOWN_AFTER_MS = 10_000;
    /** A compacted topic keeps a crashed instance's last heartbeat forever; after this long it leaves the view. */
    static final long FORGET_AFTER_MS = 10 * 60_000;

    // The API views, as records (Jackson writes records; nulls are left out of the wire).
    /**
     * {@code counters}: only in one socket's detail, as the gateway holding the connection counts them (asked over
     * its inbox when another gateway holds it); {@code countersMissing}: why they are not there, if they are not.
     */
    record SocketView(String peerId, String nickname, String gateway, List<String> rooms, String remote,
                      String userAgent, long connectedSince, String state, SocketCounters counters,
                      String countersMissing) {
        SocketView withCounters(SocketCounters counters, String missing) {
            return new SocketView(peerId, nickname, gateway, rooms, remote, userAgent, connectedSince, state,
                    counters, missing);
        }
    }

    /**
     * {@code private}: not in the public directory (capacity and creation time are then unknown). Members as
     * rooms-service describes them (nickname, media state, away, and whatever it adds, such as raised hands).
     */
    record RoomView(String name, List<Member> members, int count, Integer capacity, boolean locked,
                    Long created, @JsonProperty("private") boolean privateRoom) {
    }

    record ServerView(String instance, String kind, String version, String health, long uptimeMs,
                      int connections, long lastSeen) {
    }

    record Overview(long ts, int connections, int away, int rooms, int members, int gateways, int services,
                    Double messagesPerSecond, Integer joinsPerMinute, Double relayMs, boolean ready) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, InstanceHeartbeat> instances = new ConcurrentHashMap<>();
    private final Map<String, RoomMembers> rooms = new ConcurrentHashMap<>();
    private final Map<String, DirectoryEntry> directory = new ConcurrentHashMap<>();
    /** Bumped on every change, so the event stream sends tables only when something moved. */
    private final AtomicLong sessionsVersion = new AtomicLong();
    private final AtomicLong roomsVersion = new AtomicLong();
    private final AtomicLong joins = new AtomicLong();
    private final KafkaSettings settings;
    private final ConsumerLoop loop;
    /** Which gateways have an inbox: where an operator's notice to everyone goes. */
    private final Gateways gateways = new Gateways();
    private final EventsFeed feed;
    /** Gateways already reported dead in the feed (until they beat again). */
    private final Set<String> dead = ConcurrentHashMap.newKeySet();
    private volatile boolean seeded;

    ClusterView(KafkaSettings settings, EventsFeed feed) {
        this.settings = settings;
        this.feed = feed;
        this.loop = ConsumerLoop.replica(settings, "admin-view",
                List.of(Topics.SESSIONS, Topics.INSTANCES, Topics.ROOM_MEMBERS, Topics.ROOM_DIRECTORY), true,
                this::apply);
    }

    ClusterView start() {
        loop.start();
        return this;
    }

    ConsumerLoop loop() {
        return loop;
    }

    Gateways gateways() {
        return gateways;
    }

    /** The session of a peer (the gateway holding it), or {@code null}. */
    Session session(String peerId) {
        return sessions.get(peerId);
    }

    private CompletableFuture<Void> apply(List<ConsumerRecord<String, String>> batch) {
        gateways.handle(batch.stream().filter(r -> is(r.topic(), Topics.INSTANCES)).toList());
        for (ConsumerRecord<String, String> r : batch) {
            if (r.key() == null) {
                continue;
            }
            try {
                apply(r.topic(), r.key(), r.value());
            } catch (RuntimeException e) {
                // One unreadable record must not stall the view (retrying would fail the same way forever).
                LOG.log(Level.WARNING, "Skipping unreadable record on " + r.topic() + " at offset " + r.offset()
                        + ": " + e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private void apply(String topic, String key, String value) {
        // What changed is news only once the replica has caught up: replaying the topics at start is not.
        boolean live = loop.isReady();
        long now = System.currentTimeMillis();
        if (is(topic, Topics.SESSIONS)) {
            Session after = value == null ? null : Json.read(value, Session.class);
            Session before = put(sessions, key, after);
            if (live) {
                feed.session(before, after, now);
            }
            sessionsVersion.incrementAndGet();
        } else if (is(topic, Topics.INSTANCES)) {
            InstanceHeartbeat h = value == null ? null : Json.read(value, InstanceHeartbeat.class);
            put(instances, key, h);
            if (h == null || now - h.ts() <= DOWN_AFTER_MS) {
                dead.remove(key);
            }
        } else if (is(topic, Topics.ROOM_MEMBERS)) {
            RoomMembers members = value == null ? null : Json.read(value, RoomMembers.class);
            RoomMembers before = put(rooms, key, members == null || members.members() == null
                    || members.members().isEmpty() ? null : members);
            if (live) {
                joins.addAndGet(feed.members(before, members, now));
            }
            roomsVersion.incrementAndGet();
        } else if (is(topic, Topics.ROOM_DIRECTORY)) {
            put(directory, key, value == null ? null : Json.read(value, DirectoryEntry.class));
            roomsVersion.incrementAndGet();
        }
    }

    /** Called every second: a gateway whose heartbeat is older than {@link #DOWN_AFTER_MS} died. */
    void checkDeaths(long now) {
        if (!loop.isReady()) {
            return;
        }
        for (InstanceHeartbeat h : instances.values()) {
            long silent = now - h.ts();
            if ("gateway".equals(h.kind()) && silent > DOWN_AFTER_MS && silent <= FORGET_AFTER_MS
                    && dead.add(h.id()) && seeded) {
                feed.gatewayDied(h.id(), h.ts(), now);
            }
        }
        seeded = true; // the ones dead before this gateway started are history, not news
    }

    private boolean is(String topic, TopicSpec spec) {
        return topic.equals(settings.topic(spec));
    }

    /** @return the value before */
    private static <T> T put(Map<String, T> map, String key, T value) {
        return value == null ? map.remove(key) : map.put(key, value);
    }

    long sessionsVersion() {
        return sessionsVersion.get();
    }

    long roomsVersion() {
        return roomsVersion.get();
    }

    /** Open connections, newest first. Sessions in their grace period have no connection and are not listed. */
    List<SocketView> sockets() {
        List<SocketView> out = new ArrayList<>();
        for (Session s : sessions.values()) {
            if (!s.away()) {
                out.add(new SocketView(s.peerId(), s.nickname(), s.gateway(), s.rooms(), s.remote(),
                        s.userAgent(), s.connectedSince(), s.state(), null, null));
            }
        }
        out.sort(Comparator.comparingLong(SocketView::connectedSince).reversed()
                .thenComparing(SocketView::peerId));
        return out;
    }

    /** The id of a peer's open connection ({@code Session.conn}), or {@code null}. */
    String conn(String peerId) {
        Session s = sessions.get(peerId);
        return s == null || s.away() ? null : s.conn();
    }

    /** One open connection, with its counters when this gateway holds it, or {@code null}. */
    SocketView socket(String peerId, LocalSockets local) {
        Session s = sessions.get(peerId);
        if (s == null || s.away()) {
            return null;
        }
        SocketCounters counters = s.conn() == null ? null : local.counters(s.conn());
        return new SocketView(s.peerId(), s.nickname(), s.gateway(), s.rooms(), s.remote(), s.userAgent(),
                s.connectedSince(), s.state(), counters, null);
    }

    /** Every room, public or private, fullest first. */
    List<RoomView> rooms() {
        List<RoomView> out = new ArrayList<>();
        for (RoomMembers rm : rooms.values()) {
            DirectoryEntry d = directory.get(rm.room());
            out.add(new RoomView(rm.room(), List.copyOf(rm.members()), rm.members().size(),
                    d == null ? null : d.capacity(), rm.locked(),
                    d == null ? null : d.created(), d == null));
        }
        out.sort(Comparator.comparingInt(RoomView::count).reversed().thenComparing(RoomView::name));
        return out;
    }

    /** Every instance heard from in the last {@link #FORGET_AFTER_MS}, by kind. */
    List<ServerView> servers(long now) {
        List<ServerView> out = new ArrayList<>();
        for (InstanceHeartbeat h : instances.values()) {
            long silent = now - h.ts();
            if (silent > FORGET_AFTER_MS) {
                continue;
            }
            String health = silent > DOWN_AFTER_MS ? "down" : h.healthy() ? "up" : "unhealthy";
            long uptime = Math.max(0, ("down".equals(health) ? h.ts() : now) - h.started());
            out.add(new ServerView(h.id(), h.kind(), h.version(), health, uptime, h.connections(), h.ts()));
        }
        out.sort(Comparator.comparing(ServerView::kind, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(ServerView::instance));
        return out;
    }

    /** Joins seen since start (live ones, not the replay of the topic at start). */
    long joins() {
        return joins.get();
    }

    /** @param traffic the latest chart sample, or {@code null} */
    Overview overview(long now, TrafficMeter.Sample traffic) {
        int connections = 0;
        int away = 0;
        for (Session s : sessions.values()) {
            if (s.away()) {
                away++;
            } else {
                connections++;
            }
        }
        int members = 0;
        for (RoomMembers rm : rooms.values()) {
            members += rm.members().size();
        }
        int gateways = 0;
        int services = 0;
        for (ServerView s : servers(now)) {
            if (!"down".equals(s.health())) {
                if ("gateway".equals(s.kind())) {
                    gateways++;
                } else {
                    services++;
                }
            }
        }
        return new Overview(now, connections, away, rooms.size(), members, gateways, services,
                traffic == null ? null : traffic.messagesPerSecond(), traffic == null ? null : traffic.joinsPerMinute(),
                traffic == null ? null : traffic.relayMs(), loop.isReady());
    }

    @Override
    public void close() {
        loop.close();
    }
}
