package dev.huddle.signaling;

import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.Media;
import dev.huddle.events.Member;
import dev.huddle.events.Origin;
import dev.huddle.events.RoomMembers;
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.KafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;

import org.apache.kafka.clients.admin.Admin;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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

    final KafkaSettings settings = KafkaExtension.settings();
    final RunningService service;
    final Publisher publisher;
    final List<Seen> deliveries = new CopyOnWriteArrayList<>();
    final List<Command> roomCommands = new CopyOnWriteArrayList<>();
    private final ConsumerLoop deliveriesLoop;
    private final ConsumerLoop commandsLoop;

    Harness(Map<String, String> overrides) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of(
                "kafka.bootstrap.servers", settings.bootstrapServers(),
                "kafka.topic.prefix", settings.topicPrefix(),
                "server.port", "0",
                "instance.heartbeat.ms", "500"));
        config.putAll(overrides);
        try (Admin admin = Admin.create(settings.admin())) {
            TopicAdmin.ensure(admin, settings, List.of(Topics.inbox(GATEWAY)));
        }
        service = Main.start(ServiceConfig.load("signaling-service.yaml", config));
        publisher = new Publisher(settings, "test");
        deliveriesLoop = ConsumerLoop.replica(settings, "test-deliveries", List.of(Topics.inbox(GATEWAY)), true,
                batch -> {
            long now = System.currentTimeMillis();
            batch.forEach(r -> {
                Delivery d = Json.read(r.value(), Delivery.class);
                deliveries.add(new Seen(d, d.frame() == null ? null : Json.tree(d.frame()), now));
            });
            return CompletableFuture.completedFuture(null);
        }).start();
        commandsLoop = ConsumerLoop.replica(settings, "test-commands", List.of(Topics.ROOM_COMMANDS), true, batch -> {
            batch.forEach(r -> roomCommands.add(Json.read(r.value(), Command.class)));
            return CompletableFuture.completedFuture(null);
        }).start();
        deliveriesLoop.ready().get(WAIT_MS, TimeUnit.MILLISECONDS);
        commandsLoop.ready().get(WAIT_MS, TimeUnit.MILLISECONDS);
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
        publisher.send(Topics.ROOM_MEMBERS, room, new RoomMembers(1, room, List.of(members),
                System.currentTimeMillis())).get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** The room ended: a tombstone. */
    void roomGone(String room) throws Exception {
        publisher.send(Topics.ROOM_MEMBERS, room, null).get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** A client request as a gateway puts it on the signals topic. */
    CompletableFuture<?> send(String from, String type, String ref, String room, JsonNode data) {
        return publisher.send(Topics.SIGNALS, room,
                Command.of(origin(from), type, ref, room, data, System.currentTimeMillis()));
    }

    static ObjectNode data(Object... fieldsAndValues) {
        ObjectNode data = Json.object();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            data.set((String) fieldsAndValues[i], Json.toTree(fieldsAndValues[i + 1]));
        }
        return data;
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
        deliveriesLoop.close();
        commandsLoop.close();
        publisher.close();
        service.close();
    }
}
