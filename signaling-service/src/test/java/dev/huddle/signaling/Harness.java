package dev.huddle.signaling;

import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.Media;
import dev.huddle.events.Member;
import dev.huddle.events.Origin;
import dev.huddle.events.RoomMembers;
import dev.huddle.json.Json;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.TestBus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A signaling instance on a fresh topic prefix, with what the tests play around it: rooms-service (RoomMembers
 * on room-members), gateways (commands on signals; every test peer is on gateway {@link #GATEWAY}) and that
 * gateway's inbox, and room-commands.
 */
final class Harness implements AutoCloseable {
    /** A delivery and when the test saw it. */
    record Seen(Delivery delivery, JsonNode frame, long at) {
    }

    /** How long a test waits for something that should come (generous: the build machine may be very busy). */
    static final long WAIT_MS = 30_000;
    /** The gateway every test peer is on. */
    static final String GATEWAY = "gw-test";

    private final TestBus bus = new TestBus(List.of(Topics.inbox(GATEWAY)));
    final KafkaSettings settings = bus.settings;
    final Publisher publisher = bus.publisher;
    final RunningService service;
    final List<Seen> deliveries;
    final List<Command> roomCommands;

    Harness(Map<String, String> overrides) throws Exception {
        Map<String, String> config = bus.serviceConfig();
        config.put("instance.heartbeat.ms", "500");
        config.putAll(overrides);
        service = Main.start(ServiceConfig.load("signaling-service.yaml", config));
        deliveries = bus.record(List.of(Topics.inbox(GATEWAY)), Delivery.class, d -> new Seen(d.value(),
                d.value().frame() == null ? null : Json.tree(d.value().frame()), d.at()));
        roomCommands = bus.record(List.of(Topics.ROOM_COMMANDS), Command.class, TestBus.Seen::value);
    }

    Harness() throws Exception {
        this(Map.of());
    }

    static Member present(String peerId) {
        return new Member(peerId, "nick-" + peerId, Media.DEFAULT, false, null, GATEWAY);
    }

    static Member away(String peerId) {
        return new Member(peerId, "nick-" + peerId, Media.DEFAULT, true, null, GATEWAY);
    }

    static Origin origin(String peerId) {
        return new Origin(GATEWAY, "conn-" + peerId, peerId);
    }

    /** Publishes the room's members as rooms-service does, and waits for the broker's ack. */
    void members(String room, Member... members) throws Exception {
        bus.send(Topics.ROOM_MEMBERS, room, new RoomMembers(1, room, List.of(members), System.currentTimeMillis()));
    }

    /** The room ended: a tombstone. */
    void roomGone(String room) throws Exception {
        bus.send(Topics.ROOM_MEMBERS, room, null);
    }

    /** A client request as a gateway puts it on the signals topic. */
    CompletableFuture<?> send(String from, String type, String ref, String room, JsonNode data) {
        return publisher.send(Topics.SIGNALS, room,
                Command.of(origin(from), type, ref, room, data, System.currentTimeMillis()));
    }

    static ObjectNode data(Object... fieldsAndValues) {
        return TestBus.data(fieldsAndValues);
    }

    /** Frames pushed to {@code peer} (not replies), in the order seen. */
    List<JsonNode> pushesTo(String peer) {
        List<JsonNode> frames = new ArrayList<>();
        for (Seen s : deliveries) {
            if (s.delivery().conn() == null && s.delivery().to().contains(peer) && s.frame() != null) {
                frames.add(s.frame());
            }
        }
        return frames;
    }

    /** Frames addressed to {@code peer}'s connection only (replies and errors). */
    List<JsonNode> repliesTo(String peer) {
        List<JsonNode> frames = new ArrayList<>();
        for (Seen s : deliveries) {
            if (origin(peer).conn().equals(s.delivery().conn())) {
                frames.add(s.frame());
            }
        }
        return frames;
    }

    /** Waits until {@code source} has {@code count} frames matching; returns those. */
    static List<JsonNode> await(java.util.function.Supplier<List<JsonNode>> source, Predicate<JsonNode> matching,
                                int count, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            List<JsonNode> found = source.get().stream().filter(matching).toList();
            if (found.size() >= count) {
                return found;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("Expected " + count + " frames, got " + found.size() + ": " + found);
            }
            Thread.sleep(10);
        }
    }

    static Predicate<JsonNode> inRoom(String room) {
        return f -> f.path("data").path("room").asText("").equals(room);
    }

    static Predicate<JsonNode> ref(String ref) {
        return f -> f.path("ref").asText("").equals(ref);
    }

    /** Lets in-flight records land, so the test can assert that nothing else arrived. */
    static void settle() throws InterruptedException {
        Thread.sleep(500);
    }

    @Override
    public void close() {
        service.close();
        bus.close();
    }
}
