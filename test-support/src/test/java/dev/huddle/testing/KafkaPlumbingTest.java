package dev.huddle.testing;

import dev.huddle.json.JsonShapeException;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.RecordParser;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.Topics;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.Metrics;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

/** The shared Kafka plumbing against a real broker. */
@ExtendWith(KafkaExtension.class)
class KafkaPlumbingTest {

    @Test
    void createsDeclaredTopicsWithTheirPartitionsAndPolicy() throws Exception {
        KafkaSettings settings = KafkaExtension.settings();
        try (Admin admin = Admin.create(settings.admin())) {
            TopicAdmin.ensure(admin, settings, Topics.ALL);
            TopicAdmin.ensure(admin, settings, Topics.ALL); // a second service starting finds them there
            TopicDescription d = admin.describeTopics(List.of(settings.topic(Topics.ROOM_STATE)))
                    .allTopicNames().get().get(settings.topic(Topics.ROOM_STATE));
            assertThat(d.partitions().size(), is(Topics.ROOM_PARTITIONS));
        }
    }

    @Test
    void replicaSeesWritesInKeyOrderAndCaughtUpWaitsForThem() throws Exception {
        KafkaSettings settings = KafkaExtension.settings();
        try (Admin admin = Admin.create(settings.admin());
             Publisher publisher = new Publisher(settings, "test")) {
            TopicAdmin.ensure(admin, settings, List.of(Topics.ROOM_MEMBERS));
            List<String> seen = new CopyOnWriteArrayList<>();
            try (ConsumerLoop loop = ConsumerLoop.replica(settings, "replica", List.of(Topics.ROOM_MEMBERS), true,
                    batch -> {
                        batch.forEach(r -> seen.add(r.value()));
                        return CompletableFuture.completedFuture(null);
                    }).start()) {
                loop.ready().get(30, TimeUnit.SECONDS);
                for (int i = 0; i < 5; i++) {
                    publisher.send(Topics.ROOM_MEMBERS, "room-a", "\"m" + i + "\"").get();
                }
                loop.caughtUp(admin, settings, Topics.ROOM_MEMBERS, "room-a").get(10, TimeUnit.SECONDS);
                assertThat(seen, contains("\"m0\"", "\"m1\"", "\"m2\"", "\"m3\"", "\"m4\""));
            }
        }
    }

    @Test
    void caughtUpDoesNotAnswerBeforeTheLatestWriteIsHandled() throws Exception {
        KafkaSettings settings = KafkaExtension.settings();
        try (Admin admin = Admin.create(settings.admin());
             Publisher publisher = new Publisher(settings, "test")) {
            TopicAdmin.ensure(admin, settings, List.of(Topics.ROOM_MEMBERS));
            List<String> seen = new CopyOnWriteArrayList<>();
            CountDownLatch release = new CountDownLatch(1);
            try (ConsumerLoop loop = ConsumerLoop.replica(settings, "replica", List.of(Topics.ROOM_MEMBERS), true,
                    batch -> CompletableFuture.runAsync(() -> batch.forEach(r -> {
                        if (r.value().equals("\"slow\"")) {
                            await(release);
                        }
                        seen.add(r.value());
                    }))).start()) {
                loop.ready().get(30, TimeUnit.SECONDS);
                publisher.send(Topics.ROOM_MEMBERS, "room-b", "\"first\"").get();
                loop.caughtUp(admin, settings, Topics.ROOM_MEMBERS, "room-b").get(10, TimeUnit.SECONDS);
                // Nothing new since: answered again.
                loop.caughtUp(admin, settings, Topics.ROOM_MEMBERS, "room-b").get(10, TimeUnit.SECONDS);
                assertThat(seen, contains("\"first\""));

                publisher.send(Topics.ROOM_MEMBERS, "room-b", "\"slow\"").get();
                CompletableFuture<Void> second = loop.caughtUp(admin, settings, Topics.ROOM_MEMBERS, "room-b");
                Thread.sleep(500);
                assertThat("answered before the write was handled", second.isDone(), is(false));
                release.countDown();
                second.get(10, TimeUnit.SECONDS);
                assertThat(seen, contains("\"first\"", "\"slow\""));
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void failedBatchIsRetriedNotLost() throws Exception {
        KafkaSettings settings = KafkaExtension.settings();
        try (Admin admin = Admin.create(settings.admin());
             Publisher publisher = new Publisher(settings, "test")) {
            TopicAdmin.ensure(admin, settings, List.of(Topics.SIGNALS));
            AtomicInteger attempts = new AtomicInteger();
            List<String> done = new CopyOnWriteArrayList<>();
            try (ConsumerLoop loop = ConsumerLoop.group(settings, "grp", "g1", List.of(Topics.SIGNALS), batch -> {
                if (attempts.incrementAndGet() == 1) {
                    return CompletableFuture.failedFuture(new IllegalStateException("broker hiccup"));
                }
                batch.forEach(r -> done.add(r.value()));
                return CompletableFuture.completedFuture(null);
            }, null).start()) {
                publisher.send(Topics.SIGNALS, "r", "\"x\"").get();
                long deadline = System.currentTimeMillis() + 20_000;
                while (done.isEmpty() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(done, contains("\"x\""));
            }
        }
    }

    @Test
    void anInstancesClientsHaveTheirKafkaMetersOnTheRegistryUntilTheyClose() throws Exception {
        String node = "plumbing-" + System.nanoTime();
        KafkaSettings plain = KafkaExtension.settings();
        KafkaSettings settings = plain.forNode(node);
        try (Admin admin = Admin.create(settings.admin());
             Publisher unmetered = new Publisher(plain, node + "-tool")) {
            TopicAdmin.ensure(admin, settings, List.of(Topics.ROOM_MEMBERS));
            Publisher publisher = new Publisher(settings, node);
            ConsumerLoop loop = ConsumerLoop.replica(settings, "metered", List.of(Topics.ROOM_MEMBERS), true,
                    batch -> CompletableFuture.completedFuture(null)).start();
            loop.ready().get(30, TimeUnit.SECONDS);
            List<CompletableFuture<?>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add(publisher.send(Topics.ROOM_MEMBERS, "room-" + i, "\"m\""));
            }
            Publisher.all(sent).get(30, TimeUnit.SECONDS);
            unmetered.send(Topics.ROOM_MEMBERS, "room-x", "\"m\"").get();
            loop.caughtUp(admin, settings, Topics.ROOM_MEMBERS, "room-19").get(10, TimeUnit.SECONDS);

            assertThat(names(meters(node)), hasItems("huddle_kafka_producer_request_rate",
                    "huddle_kafka_producer_record_send_rate", "huddle_kafka_producer_request_latency_avg",
                    "huddle_kafka_producer_batch_size_avg", "huddle_kafka_producer_buffer_available_bytes",
                    "huddle_kafka_consumer_fetch_rate", "huddle_kafka_consumer_records_lag_max",
                    "huddle_kafka_consumer_records_consumed_rate", "huddle_kafka_consumer_bytes_consumed_rate"));
            assertThat(gauge(node, "huddle_kafka_producer_record_send_rate"), is(greaterThan(0.0)));
            assertThat(gauge(node, "huddle_kafka_producer_request_latency_avg"), is(greaterThan(0.0)));
            assertThat(gauge(node, "huddle_kafka_consumer_records_consumed_rate"), is(greaterThan(0.0)));
            Meter fetch = meters(node).stream()
                    .filter(m -> m.id().name().equals("huddle_kafka_consumer_fetch_rate")).findFirst().orElseThrow();
            assertThat(fetch.id().tagsMap().get("consumer"), is("metered"));
            assertThat(fetch.id().tagsMap().get("client_id").startsWith("metered-"), is(true));
            // clients outside a service instance (tools, tests) are not metered
            assertThat(meters(node + "-tool"), is(empty()));

            loop.close();
            publisher.close();
            assertThat(meters(node), is(empty()));
        }
    }

    private static Collection<Meter> meters(String node) {
        return Metrics.globalRegistry().meters(m -> node.equals(m.id().tagsMap().get("node_id"))
                || node.equals(m.id().tagsMap().get("client_id")));
    }

    private static List<String> names(Collection<Meter> meters) {
        return meters.stream().map(m -> m.id().name()).toList();
    }

    private static double gauge(String node, String name) {
        return meters(node).stream().filter(m -> m.id().name().equals(name)).findFirst()
                .map(m -> ((Gauge<?>) m).value().doubleValue()).orElseThrow();
    }

    @Test
    void badRecordsAreSkippedAndCountedOnceThoughTheirBatchIsRetried() throws Exception {
        KafkaSettings settings = KafkaExtension.settings();
        try (Admin admin = Admin.create(settings.admin());
             Publisher publisher = new Publisher(settings, "test")) {
            TopicAdmin.ensure(admin, settings, List.of(Topics.SIGNALS));
            AtomicInteger attempts = new AtomicInteger();
            List<String> done = new CopyOnWriteArrayList<>();
            List<String> bad = new CopyOnWriteArrayList<>();
            RecordParser<String> parser = (key, value) -> {
                if (value.startsWith("bad")) {
                    throw new JsonShapeException("a bad one");
                }
                return value;
            };
            try (ConsumerLoop loop = ConsumerLoop.group(settings, "grp", "g2", List.of(Topics.SIGNALS), parser,
                    batch -> {
                        if (attempts.incrementAndGet() == 1) {
                            return CompletableFuture.failedFuture(new IllegalStateException("broker hiccup"));
                        }
                        batch.forEach(r -> done.add(r.value()));
                        return CompletableFuture.completedFuture(null);
                    }, null).badRecordsTo(bad::add).start()) {
                publisher.send(Topics.SIGNALS, "r", "bad").get();
                publisher.send(Topics.SIGNALS, "r", "good").get();
                long deadline = System.currentTimeMillis() + 20_000;
                while (done.isEmpty() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(done, contains("good"));
                assertThat(bad, contains(settings.topic(Topics.SIGNALS)));
            }
        }
    }
}
