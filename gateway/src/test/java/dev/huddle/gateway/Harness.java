package dev.huddle.gateway;

import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.DirectoryEntry;
import dev.huddle.events.Frames;
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.KafkaExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;

/**
 * A topic prefix of its own on the test broker, gateways started on it with {@code Main.start}, a publisher to act
 * as the services do, and watchers of the command topics to see what gateways send.
 */
final class Harness implements AutoCloseable {
    final KafkaSettings kafka = KafkaExtension.settings();
    final Admin admin = Admin.create(kafka.admin());
    final Publisher publisher;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** instance ids of the gateways started */
    private final List<String> gateways = new CopyOnWriteArrayList<>();

    Harness() {
        TopicAdmin.ensure(admin, kafka, Topics.ALL);
        publisher = new Publisher(kafka, "test");
    }

    /** A gateway on a free port, with short drain and heartbeat, no connection caps, and {@code overrides}. */
    RunningService gateway(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        values.put("server.port", "0");
        values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        values.put("kafka.topic.prefix", kafka.topicPrefix());
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
        Watcher w = new Watcher(kafka, topic);
        open.add(0, w);
        return w;
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
        try {
            publisher.send(Topics.ROOM_DIRECTORY, room, entry).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
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
        publisher.close();
        admin.close();
    }

    /** The commands seen on one topic. */
    static final class Watcher implements AutoCloseable {
        private final List<Command> seen = new CopyOnWriteArrayList<>();
        private final ConsumerLoop loop;

        Watcher(KafkaSettings kafka, TopicSpec topic) {
            loop = ConsumerLoop.replica(kafka, "test-watch", List.of(topic), true, batch -> {
                batch.forEach(r -> {
                    if (r.value() != null) {
                        seen.add(Json.read(r.value(), Command.class));
                    }
                });
                return CompletableFuture.completedFuture(null);
            }).start();
            loop.ready().join();
        }

        Command await(Predicate<Command> match) {
            return await(match, Duration.ofSeconds(10));
        }

        Command await(Predicate<Command> match, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (Command c : seen) {
                    if (match.test(c)) {
                        return c;
                    }
                }
                sleep(10);
            }
            throw new AssertionError("No matching command within " + timeout + "; saw " + seen.stream()
                    .map(c -> c.type() + "/" + c.key()).toList());
        }

        Command await(String type, String ref) {
            return await(c -> type.equals(c.type()) && ref.equals(c.ref()));
        }

        List<Command> all() {
            return List.copyOf(seen);
        }

        @Override
        public void close() {
            loop.close();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
