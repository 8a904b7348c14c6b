package dev.huddle.presence;

import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.Media;
import dev.huddle.events.Member;
import dev.huddle.events.Origin;
import dev.huddle.events.RoomMembers;
import dev.huddle.events.Session;
import dev.huddle.events.commands.CommandData;
import dev.huddle.events.commands.Connected;
import dev.huddle.events.commands.Disconnected;
import dev.huddle.events.commands.Resume;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.service.Heartbeat;
import dev.huddle.service.Instance;
import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.TestBus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A presence instance on a fresh topic prefix, with what the tests play around it: gateways (commands on
 * {@code presence}, heartbeats on {@code instances}), rooms-service ({@code RoomMembers}), and what presence
 * writes (to the inboxes of {@link #GATEWAYS}, {@code room-commands}, {@code sessions}) as seen by consumers.
 */
final class Harness implements AutoCloseable {
    /**
     * Something presence wrote, and when the test saw it. Timing checks use the command's own {@code ts} (when
     * presence made it) rather than {@code at}: this consumer can lag far behind on a busy machine.
     */
    record Seen<T>(String key, T value, long at) {
        static <T> Seen<T> of(TestBus.Seen<T> seen) {
            return new Seen<>(seen.key(), seen.value(), seen.at());
        }
    }

    /** The gateways the tests name; their inboxes exist before presence starts. */
    static final List<String> GATEWAYS = List.of("gw-1", "gw-2", "gw-draining", "gw-dying", "gw-ghost", "gw-healthy");

    private final TestBus bus = new TestBus(GATEWAYS.stream().map(Topics::inbox).toList());
    final KafkaSettings settings = bus.settings;
    final Map<String, String> config = bus.serviceConfig();
    final Publisher publisher = bus.publisher;
    final List<Seen<Delivery>> deliveries;
    final List<Seen<Command>> roomCommands;
    /** every write to {@code sessions}; a tombstone has a {@code null} value */
    final List<Seen<Session>> sessionWrites;
    private final List<Heartbeat> gateways = new ArrayList<>();
    RunningService presence;

    Harness(Map<String, String> overrides) throws Exception {
        config.putAll(Map.of(
                "instance.heartbeat.ms", "500",
                "presence.grace.ms", "1000",
                "presence.gateway.timeout.ms", "10000",
                "presence.sweep.ms", "100"));
        config.put("presence.inbox.keep.ms", "600000"); // tests of the janitor say otherwise
        config.putAll(overrides);
        presence = startPresence();
        deliveries = bus.record(GATEWAYS.stream().map(Topics::inbox).toList(), Delivery.class, Seen::of);
        roomCommands = bus.record(List.of(Topics.ROOM_COMMANDS), Command.class, Seen::of);
        sessionWrites = bus.record(List.of(Topics.SESSIONS), Session.class, Seen::of);
    }

    RunningService startPresence() {
        return Main.start(ServiceConfig.load("presence-service.yaml", config));
    }

    /** A gateway's heartbeat, as a gateway sends it; {@code stopSilently()} is its crash, {@code close()} a clean stop. */
    Heartbeat gateway(String id) {
        Heartbeat hb = new Heartbeat(new Instance("gateway", id, "test", System.currentTimeMillis()), publisher,
                () -> true, () -> 1, 200);
        gateways.add(hb);
        return hb;
    }

    /** A connection on a gateway, with its fresh peerId and resume token. */
    record Conn(Origin origin, String token) {
        String peer() {
            return origin.peer();
        }

        String tokenHash() {
            return sha256(token);
        }
    }

    static Conn conn(String gateway) {
        String peer = "p" + UUID.randomUUID().toString().substring(0, 12);
        return new Conn(new Origin(gateway, "c-" + UUID.randomUUID().toString().substring(0, 8), peer),
                peer + "." + UUID.randomUUID());
    }

    /** A room name of its own, so that tests sharing a harness do not share rooms. */
    static String room(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The gateway's {@code connected} for a new connection; waits for the broker's ack. */
    void connected(Conn c) throws Exception {
        send(c.origin(), null, c.peer(), new Connected(c.tokenHash(), "10.0.0.7", "TestAgent/1"));
    }

    void disconnected(Conn c) throws Exception {
        disconnected(c.origin(), c.peer());
    }

    /** {@code disconnected} of connection {@code origin}, keyed by the peer it spoke for. */
    void disconnected(Origin origin, String peer) throws Exception {
        send(origin, null, peer, new Disconnected(false));
    }

    /** The gateway's {@code disconnected} of a connection an operator closed: the session ends with it. */
    void disconnectedByOperator(Conn c) throws Exception {
        send(c.origin(), null, c.peer(), new Disconnected(true));
    }

    /** The gateway's {@code resume}: {@code fresh} claims {@code peerId}'s session with {@code token}. */
    void resume(Conn fresh, String peerId, String token, String newToken, String ref) throws Exception {
        send(fresh.origin(), ref, peerId, new Resume(peerId, sha256(token), sha256(newToken), fresh.peer()));
    }

    private void send(Origin origin, String ref, String key, CommandData data) {
        bus.send(Topics.PRESENCE, key, Command.of(origin, ref, key, data, System.currentTimeMillis()));
    }

    /** rooms-service's snapshot of a room. */
    void members(String room, String... peers) throws Exception {
        List<Member> members = new ArrayList<>();
        for (String p : peers) {
            members.add(new Member(p, "nick-" + p, Media.DEFAULT, false, null, "gw-1"));
        }
        bus.send(Topics.ROOM_MEMBERS, room, new RoomMembers(1, room, members, System.currentTimeMillis()));
    }

    /** The latest write to {@code sessions} for the peer (a tombstone: value null), or null if none yet. */
    Seen<Session> latestSession(String peer) {
        Seen<Session> latest = null;
        for (Seen<Session> s : sessionWrites) {
            if (peer.equals(s.key())) {
                latest = s;
            }
        }
        return latest;
    }

    /** Waits until the latest write for the peer matches (null session: a tombstone). */
    Seen<Session> awaitSession(String peer, Predicate<Session> matching, long timeoutMs) throws Exception {
        return await(() -> {
            Seen<Session> s = latestSession(peer);
            return s != null && matching.test(s.value()) ? s : null;
        }, timeoutMs, () -> "session of " + peer + " as expected; latest: " + latestSession(peer));
    }

    List<Seen<Command>> commands(String type, String peer) {
        return roomCommands.stream()
                .filter(c -> c.value().type().equals(type) && peer.equals(c.value().origin().peer()))
                .toList();
    }

    /** Waits for {@code count} room commands of {@code type} on behalf of {@code peer}. */
    List<Seen<Command>> awaitCommands(String type, String peer, int count, long timeoutMs) throws Exception {
        return await(() -> {
            List<Seen<Command>> found = commands(type, peer);
            return found.size() >= count ? found : null;
        }, timeoutMs, () -> count + " " + type + " for " + peer + "; got " + commands(type, peer));
    }

    List<Seen<Delivery>> deliveriesTo(String conn) {
        return deliveries.stream().filter(d -> conn.equals(d.value().conn())).toList();
    }

    Seen<Delivery> awaitDelivery(String conn, Predicate<Delivery> matching, long timeoutMs) throws Exception {
        return await(() -> deliveriesTo(conn).stream().filter(d -> matching.test(d.value())).findFirst().orElse(null),
                timeoutMs, () -> "delivery to " + conn + "; got " + deliveriesTo(conn));
    }

    static <T> T await(Supplier<T> probe, long timeoutMs, Supplier<String> what) {
        return TestBus.await(probe, timeoutMs, what);
    }

    @Override
    public void close() {
        gateways.forEach(Heartbeat::stopSilently);
        if (presence != null) {
            presence.close();
        }
        bus.close();
    }
}
