package dev.huddle.presence;

import dev.huddle.kafka.Topics;
import dev.huddle.service.Heartbeat;
import dev.huddle.testing.KafkaExtension;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * presence-service deletes the inboxes of gateways that are gone (dead, or never heard of) and keeps those of live
 * ones, on a real broker (architecture.md, "Deliveries": inbox life cycle).
 */
@ExtendWith(KafkaExtension.class)
class InboxJanitorTest {
    private static Harness h;

    @BeforeAll
    static void start() throws Exception {
        h = new Harness(Map.of("presence.gateway.timeout.ms", "2000", "presence.inbox.keep.ms", "1000"));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void inboxesOfGoneGatewaysAreDeletedAndLiveOnesKept() throws Exception {
        Heartbeat dying = h.gateway("gw-dying");
        h.gateway("gw-healthy");
        Thread.sleep(1000);
        dying.stopSilently(); // a crash: no tombstone, no clean delete of its own
        String dead = h.settings.topic(Topics.inbox("gw-dying"));
        String ghost = h.settings.topic(Topics.inbox("gw-ghost")); // never beat: an orphan
        String live = h.settings.topic(Topics.inbox("gw-healthy"));
        try (Admin admin = Admin.create(h.settings.admin())) {
            long deadline = System.currentTimeMillis() + 60_000;
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            while ((topics.contains(dead) || topics.contains(ghost)) && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
                topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            }
            assertThat("the dead gateway's inbox is gone", topics.contains(dead), is(false));
            assertThat("the orphan inbox is gone", topics.contains(ghost), is(false));
            assertThat("the live gateway's inbox stays", topics.contains(live), is(true));
        }
    }
}
