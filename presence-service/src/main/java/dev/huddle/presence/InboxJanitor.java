package dev.huddle.presence;

import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;

/**
 * Deletes the inboxes of gateways that are gone: dead (silent past the timeout), stopped (a gateway deletes its
 * own on a clean stop, but may have failed to), or never heard of (orphans of instances that died while presence
 * was down). An inbox goes only after it has been unheard-of for {@code keepMs} on end: a starting gateway
 * creates its inbox just before its first heartbeat, and services stop writing to a silent gateway's inbox
 * ({@link dev.huddle.delivery.Gateways#GONE_AFTER_MS}) well before it goes, since a write to a deleted topic
 * blocks the writer. Nothing is decided while heartbeats are not flowing (broker restarting).
 * Every presence instance does it; deleting twice is harmless.
 */
final class InboxJanitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InboxJanitor.class.getName());

    private final Admin admin;
    private final KafkaSettings settings;
    private final Liveness liveness;
    private final long keepMs;
    private final Map<String, Long> unheardSince = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("presence-inboxes").daemon().factory());

    InboxJanitor(Admin admin, KafkaSettings settings, Liveness liveness, long keepMs) {
        this.admin = admin;
        this.settings = settings;
        this.liveness = liveness;
        this.keepMs = keepMs;
    }

    InboxJanitor start(long periodMs) {
        timer.scheduleWithFixedDelay(this::sweepSafely, periodMs, periodMs, TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweepSafely() {
        try {
            sweep(System.currentTimeMillis());
        } catch (Exception e) {
            unheardSince.clear(); // judged again from scratch once the broker answers
            LOG.log(Level.DEBUG, "Inbox sweep failed: " + e);
        }
    }

    void sweep(long now) throws Exception {
        if (!liveness.flowing(now)) {
            unheardSince.clear();
            return;
        }
        String prefix = settings.topicPrefix() + Topics.INBOX_PREFIX;
        Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        Set<String> heard = liveness.heardInboxes();
        unheardSince.keySet().retainAll(topics);
        List<String> doomed = topics.stream()
                .filter(t -> t.startsWith(prefix))
                .filter(t -> {
                    if (heard.contains(t.substring(settings.topicPrefix().length()))) {
                        unheardSince.remove(t);
                        return false;
                    }
                    return now - unheardSince.computeIfAbsent(t, k -> now) >= keepMs;
                })
                .toList();
        if (!doomed.isEmpty()) {
            LOG.log(Level.INFO, "Deleting the inboxes of gone gateways: " + doomed);
            admin.deleteTopics(doomed).all().get(10, TimeUnit.SECONDS);
            doomed.forEach(unheardSince::remove);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
