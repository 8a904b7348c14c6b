package dev.huddle.presence;

import dev.huddle.events.Session;
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * When this instance gets {@code presence} partitions, reads the same partitions of the compacted
 * {@code sessions} topic to the end, so that no session is lost by a restart or rebalance and grace periods
 * go on from their stored {@code awaySince}. Runs on the command loop's thread, before it gets the
 * partitions' commands.
 */
final class SessionRestore implements ConsumerLoop.Assignment {
    private static final System.Logger LOG = System.getLogger(SessionRestore.class.getName());
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final KafkaSettings settings;
    private final Sessions sessions;

    SessionRestore(KafkaSettings settings, Sessions sessions) {
        this.settings = settings;
        this.sessions = sessions;
    }

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
        Collection<Session> restored = read(numbers);
        sessions.load(numbers, restored);
        LOG.log(Level.INFO, "Took over presence partitions " + numbers + " with " + restored.size() + " session(s)");
    }

    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        sessions.drop(partitions.stream().map(TopicPartition::partition).toList());
    }

    private Collection<Session> read(List<Integer> numbers) {
        String topic = settings.topic(Topics.SESSIONS);
        List<TopicPartition> tps = numbers.stream().map(p -> new TopicPartition(topic, p)).toList();
        Map<String, Session> latest = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings.consumer("presence-restore", null))) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, DEADLINE);
            long deadline = System.currentTimeMillis() + DEADLINE.toMillis();
            while (!reached(consumer, ends)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("Could not read back the sessions of partitions " + numbers);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        try {
                            latest.put(r.key(), Json.read(r.value(), Session.class));
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "Skipping unreadable session at offset " + r.offset() + ": " + e);
                        }
                    }
                }
            }
        }
        return latest.values();
    }

    private static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
