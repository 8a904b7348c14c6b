package dev.huddle.testing;

import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.RecordParser;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;

/**
 * The broker around a service under test, shared by the modules' test harnesses: a topic prefix of its own on the
 * test broker ({@link KafkaExtension}) with every topic created, a publisher to play the other services and the
 * gateways, and recorders of what the service writes. Each harness adds what its service's tests need.
 */
public final class TestBus implements AutoCloseable {
    /** A record a recorder read (its value {@code null} for a tombstone) and when the test saw it. */
    public record Seen<T>(String topic, String key, T value, long at) {
    }

    public final KafkaSettings settings = KafkaExtension.settings();
    public final Admin admin = Admin.create(settings.admin());
    public final Publisher publisher;
    private final List<ConsumerLoop> recorders = new CopyOnWriteArrayList<>();

    /** Creates {@link Topics#ALL} and {@code extra} (e.g. the inboxes of the gateways the tests name). */
    public TestBus(List<TopicSpec> extra) {
        List<TopicSpec> topics = new ArrayList<>(Topics.ALL);
        topics.addAll(extra);
        TopicAdmin.ensure(admin, settings, topics);
        publisher = new Publisher(settings, "test");
    }

    public TestBus() {
        this(List.of());
    }

    /** A service's settings on this bus (bootstrap servers, topic prefix, a free port), for the caller to add to. */
    public Map<String, String> serviceConfig() {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", settings.bootstrapServers());
        config.put("kafka.topic.prefix", settings.topicPrefix());
        config.put("server.port", "0");
        return config;
    }

    /**
     * Records every record of {@code topics}, from the beginning, as {@code type} (read with the project's mapper),
     * in the order read. Returns once the recorder has read what was there; the list then keeps growing.
     */
    public <T> List<Seen<T>> record(List<TopicSpec> topics, Class<T> type) {
        return record(topics, type, Function.identity());
    }

    public <T> List<Seen<T>> record(TopicSpec topic, Class<T> type) {
        return record(List.of(topic), type);
    }

    /** As {@link #record(List, Class)}, keeping what {@code as} makes of each record. */
    public <T, R> List<R> record(List<TopicSpec> topics, Class<T> type, Function<Seen<T>, R> as) {
        List<R> seen = new CopyOnWriteArrayList<>();
        ConsumerLoop loop = ConsumerLoop.replica(settings, "test-" + topics.getFirst().name(), topics, true,
                RecordParser.json(type), batch -> {
                    long now = System.currentTimeMillis();
                    batch.forEach(r -> seen.add(as.apply(new Seen<>(r.topic(), r.key(), r.value(), now))));
                    return CompletableFuture.completedFuture(null);
                });
        recorders.add(loop);
        try {
            loop.start().ready().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Recorder of " + topics + " did not catch up", e);
        }
        return seen;
    }

    /** Sends {@code value} (a record, a JSON string, or {@code null} for a tombstone) and waits for the ack. */
    public void send(TopicSpec topic, String key, Object value) {
        try {
            publisher.send(topic, key, value).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Could not send to " + topic.name(), e);
        }
    }

    /** {@code data("room", "r", "to", "p")}: an object of the fields and values given in turn. */
    public static ObjectNode data(Object... fieldsAndValues) {
        ObjectNode data = Json.object();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            data.set((String) fieldsAndValues[i], Json.toTree(fieldsAndValues[i + 1]));
        }
        return data;
    }

    /** Polls {@code probe} until it answers non-null; fails after {@code timeoutMs}, saying what was awaited. */
    public static <T> T await(Supplier<T> probe, long timeoutMs, Supplier<String> what) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            T found = probe.get();
            if (found != null) {
                return found;
            }
            if (System.currentTimeMillis() > deadline || Thread.currentThread().isInterrupted()) {
                throw new AssertionError("Timed out after " + timeoutMs + " ms waiting for " + what.get());
            }
            sleep(10);
        }
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the recorders, then the publisher and admin client. Stop the service under test first. */
    @Override
    public void close() {
        recorders.forEach(ConsumerLoop::close);
        publisher.close();
        admin.close();
    }
}
