package dev.huddle.gateway;

import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.DirectoryEntry;
import dev.huddle.events.Frames;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.TestBus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;

/**
 * A topic prefix of its own on the test broker ({@link TestBus}), gateways started on it with {@code Main.start},
 * a publisher to act as the services do, and watchers of the command topics to see what gateways send.
 */
final class Harness implements AutoCloseable {
    private final TestBus bus = new TestBus();
    final KafkaSettings kafka = bus.settings;
    final Admin admin = bus.admin;
    final Publisher publisher = bus.publisher;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** instance ids of the gateways started */
    private final List<String> gateways = new CopyOnWriteArrayList<>();

    /** A gateway on a free port, with short drain and heartbeat, no connection caps, and {@code overrides}. */
    RunningService gateway(Map<String, String> overrides) {
        Map<String, String> values = bus.serviceConfig();
        values.put("gateway.drain.ms", "300");
        values.put("instance.heartbeat.ms", "1000");
        // every test client comes from 127.0.0.1: no per-address caps unless a test asks (EdgeUnderAbuseTest does)
        values.put("gateway.connections.max.per.address", "0");
        values.put("gateway.connections.rate.per.address", "0");
        values.putAll(overrides);
        RunningService gateway = Main.start(ServiceConfig.load("gateway.yaml", values));
        open.add(0, gateway::kill);
        gateways.add(gateway.instance().id());
        return gateway;
    }

    RunningService gateway() {
        return gateway(Map.of());
    }

    /** Collects every command written to {@code topic} from now on (and before: it reads from the beginning). */
    Watcher watch(TopicSpec topic) {
        return new Watcher(bus.record(topic, Command.class));
    }

    /**
     * Publishes a delivery to the inbox of every gateway of this harness that still has one (as if each held
     * peers it is for: the gateways' own routing is what these tests check), and waits for the acks.
     */
    void deliver(String key, Delivery d) {
        try {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (String gateway : gateways) {
                if (topics.contains(kafka.topic(Topics.inbox(gateway)))) {
                    acks.add(publisher.send(Topics.inbox(gateway), key, d));
                }
            }
            for (CompletableFuture<?> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Publishes a delivery to the inbox of {@code gateway} without waiting. */
    CompletableFuture<?> publish(RunningService gateway, Delivery d) {
        return publisher.send(Topics.inbox(gateway.instance().id()), null, d);
    }

    /** Answers a command with a reply to its connection, as a service does. */
    void reply(Command c, Object data) {
        deliver(c.key(), Delivery.toConnection(c.origin(), Frames.reply(c.ref(), data), c.ts()));
    }

    void directory(String room, DirectoryEntry entry) {
        bus.send(Topics.ROOM_DIRECTORY, room, entry);
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
        bus.close();
    }

    /** The commands seen on one topic (read by the bus, which stops reading when the harness closes). */
    record Watcher(List<TestBus.Seen<Command>> seen) {
        Command await(Predicate<Command> match) {
            return await(match, Duration.ofSeconds(10));
        }

        Command await(Predicate<Command> match, Duration timeout) {
            return TestBus.await(() -> all().stream().filter(match).findFirst().orElse(null), timeout.toMillis(),
                    () -> "a matching command; saw " + all().stream().map(c -> c.type() + "/" + c.key()).toList());
        }

        Command await(String type, String ref) {
            return await(c -> type.equals(c.type()) && ref.equals(c.ref()));
        }

        List<Command> all() {
            return seen.stream().map(TestBus.Seen::value).filter(Objects::nonNull).toList();
        }
    }

    static void sleep(long ms) {
        TestBus.sleep(ms);
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
