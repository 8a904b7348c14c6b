package dev.huddle.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.Origin;
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Partitions;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.KafkaExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.helidon.config.Config;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Drives rooms-service over a real broker as the other services would: produces commands on
 * {@code room-commands}, reads the inboxes of the gateways its clients are on ({@link #GATEWAYS}) and the compacted topics with replicas. Each fixture has topics
 * of its own.
 */
final class RoomsFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60); // generous: CI machines can be very loaded
    /** What {@link #latest} holds for a tombstone. */
    static final String TOMBSTONE = "";
    /** The gateways clients of this fixture are on (their inboxes exist and are read). */
    static final List<String> GATEWAYS = List.of("gw-test", "gw-other");

    final KafkaSettings settings = KafkaExtension.settings();
    final Admin admin = Admin.create(settings.admin());
    final Publisher publisher;
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    /** Every inbox record read, with the gateway whose inbox it was in. */
    final List<Inboxed> inboxed = new CopyOnWriteArrayList<>();

    record Inboxed(String gateway, Delivery delivery) {
    }
    private final Map<String, Map<String, String>> latest = new ConcurrentHashMap<>();
    private final ConsumerLoop deliveryReplica;
    private final ConsumerLoop stateReplica;
    private final AtomicInteger refs = new AtomicInteger();

    /** A client connection as a gateway would name it in a command's origin. */
    record Client(Origin origin) {
        String peerId() {
            return origin.peer();
        }

        String conn() {
            return origin.conn();
        }

        /** The same peer on a new connection (after a resume). */
        Client reconnected() {
            return new Client(new Origin(origin.gateway(), "conn-" + random(), origin.peer()));
        }

        /** The same peer on a new connection on another gateway. */
        Client reconnectedOn(String gateway) {
            return new Client(new Origin(gateway, "conn-" + random(), origin.peer()));
        }
    }

    RoomsFixture() throws Exception {
        TopicAdmin.ensure(admin, settings, Topics.ALL);
        List<TopicSpec> inboxes = GATEWAYS.stream().map(Topics::inbox).toList();
        TopicAdmin.ensure(admin, settings, inboxes);
        publisher = new Publisher(settings, "rooms-test");
        deliveryReplica = ConsumerLoop.replica(settings, "test-deliveries", inboxes, true,
                batch -> {
                    batch.forEach(r -> {
                        Delivery d = Json.read(r.value(), Delivery.class);
                        inboxed.add(new Inboxed(r.topic().substring(settings.topicPrefix().length()
                                + Topics.INBOX_PREFIX.length()), d));
                        deliveries.add(d);
                    });
                    return CompletableFuture.completedFuture(null);
                }).start();
        stateReplica = ConsumerLoop.replica(settings, "test-state",
                List.of(Topics.ROOM_STATE, Topics.ROOM_MEMBERS, Topics.ROOM_DIRECTORY), true, batch -> {
                    for (ConsumerRecord<String, String> r : batch) {
                        latest.computeIfAbsent(r.topic(), t -> new ConcurrentHashMap<>())
                                .put(r.key(), r.value() == null ? TOMBSTONE : r.value());
                    }
                    return CompletableFuture.completedFuture(null);
                }).start();
        deliveryReplica.ready().get(30, TimeUnit.SECONDS);
        stateReplica.ready().get(30, TimeUnit.SECONDS);
    }

    /** Starts a rooms-service on this fixture's topics and waits until it owns its partitions. */
    RoomsService start(Map<String, String> extra) throws Exception {
        RoomsService service = Main.start(config(extra));
        service.ready().get(60, TimeUnit.SECONDS);
        return service;
    }

    /** A rooms-service configuration on this fixture's topics (capacity 3 unless {@code extra} says otherwise). */
    Config config(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of(
                "kafka.bootstrap.servers", settings.bootstrapServers(),
                "kafka.topic.prefix", settings.topicPrefix(),
                "server.port", "0",
                "server.host", "127.0.0.1",
                "rooms.capacity", "3",
                "instance.heartbeat.ms", "500"));
        values.putAll(extra);
        return ServiceConfig.load("rooms-service.yaml", values);
    }

    static String random() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static String room() {
        return "room " + random();
    }

    static Client client() {
        return new Client(new Origin("gw-test", "conn-" + random(), "peer-" + random()));
    }

    /** Produces a command (origin and ref may be null) and returns where it landed. */
    RecordMetadata send(Origin origin, String type, String ref, String room, Object data) throws Exception {
        return send(Command.of(origin, type, ref, room, Json.toTree(data), System.currentTimeMillis()));
    }

    RecordMetadata send(Command command) throws Exception {
        return publisher.send(Topics.ROOM_COMMANDS, command.key(), command).get(10, TimeUnit.SECONDS);
    }

    String ref() {
        return "r" + refs.incrementAndGet();
    }

    /** Sends a client request with a fresh ref and returns the reply frame. */
    JsonNode request(Client client, String type, String room, Map<String, ?> data) throws Exception {
        String ref = ref();
        Map<String, Object> withRoom = new HashMap<>(data);
        withRoom.put("room", room);
        if (withRoom.get("password") instanceof String password) { // as the gateway sends it
            withRoom.remove("password");
            withRoom.put("passwordKey", dev.huddle.service.RoomPassword.key(room, password));
        }
        send(client.origin(), type, ref, room, withRoom);
        return reply(client, ref);
    }

    /** Sends a request that must succeed and returns the reply's data. */
    JsonNode ok(Client client, String type, String room, Map<String, ?> data) throws Exception {
        JsonNode reply = request(client, type, room, data);
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError(type + " failed: " + reply);
        }
        return reply.get("data");
    }

    JsonNode join(Client client, String room, String nickname) throws Exception {
        return ok(client, "join", room, Map.of("nickname", nickname));
    }

    /** The reply frame to {@code ref} on the client's connection. */
    JsonNode reply(Client client, String ref) {
        return Json.tree(await(d -> client.conn().equals(d.conn()) && d.control() == null
                && ref.equals(Json.tree(d.frame()).path("ref").asText(null))).frame());
    }

    Delivery await(Predicate<Delivery> match) {
        return eventually(() -> deliveries.stream().filter(match).findFirst().orElse(null));
    }

    /** Every frame sent so far to the peer (not replies or controls for one connection), in order. */
    List<JsonNode> frames(String peerId) {
        return deliveries.stream()
                .filter(d -> d.conn() == null && d.control() == null && d.to().contains(peerId))
                .map(d -> Json.tree(d.frame()))
                .toList();
    }

    List<JsonNode> frames(String peerId, String type) {
        return frames(peerId).stream().filter(f -> type.equals(f.path("type").asText())).toList();
    }

    /** Waits for the {@code n}th push of {@code type} (from 1) to the peer and returns it. */
    JsonNode push(Client client, String type, int n) {
        return eventually(() -> {
            List<JsonNode> found = frames(client.peerId(), type);
            return found.size() >= n ? found.get(n - 1) : null;
        });
    }

    JsonNode push(Client client, String type) {
        return push(client, type, 1);
    }

    /** The latest value of a key on a compacted topic ({@link #TOMBSTONE}, or null if never written). */
    String latest(TopicSpec topic, String key) {
        return latest.getOrDefault(settings.topic(topic), Map.of()).get(key);
    }

    /** Waits until the latest value of the key matches. */
    String awaitLatest(TopicSpec topic, String key, Predicate<String> match) {
        return eventually(() -> {
            String value = latest(topic, key);
            return value != null && match.test(value) ? value : null;
        });
    }

    /** The room's members as the broker has them right now (read to the partition's end, no replica lag). */
    JsonNode membersNow(String room) {
        TopicPartition tp = new TopicPartition(settings.topic(Topics.ROOM_MEMBERS),
                Partitions.forKey(room, Topics.ROOM_PARTITIONS));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings.consumer("test-now", null))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            String value = null;
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    if (room.equals(r.key())) {
                        value = r.value();
                    }
                }
            }
            return value == null ? null : Json.tree(value);
        }
    }

    static <T> T eventually(Supplier<T> probe) {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("Timed out waiting");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() {
        deliveryReplica.close();
        stateReplica.close();
        publisher.close();
        admin.close();
    }
}
