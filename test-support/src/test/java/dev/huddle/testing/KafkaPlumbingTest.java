package dev.huddle.testing;

import dev.huddle.json.JsonShapeException;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.RecordParser;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.Topics;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
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
