package dev.huddle.rooms;

import dev.huddle.json.Json;
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
 * Reads partitions of {@link Topics#ROOM_STATE} from the beginning to their current end with a short-lived
 * consumer of its own: the rooms whose commands this instance has just been given.
 */
final class StateLoader {
    private static final System.Logger LOG = System.getLogger(StateLoader.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private StateLoader() {
    }

    /** The latest snapshot of every room of these partitions (tombstoned rooms left out). */
    static Map<String, RoomState> load(KafkaSettings settings, Collection<Integer> partitions) {
        Map<String, RoomState> rooms = new HashMap<>();
        if (partitions.isEmpty()) {
            return rooms;
        }
        String topic = settings.topic(Topics.ROOM_STATE);
        List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings.consumer("rooms-state", null))) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, TIMEOUT);
            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (!reached(consumer, ends)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("Reading " + topic + " " + partitions + " took too long");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.value() == null) {
                        rooms.remove(r.key());
                    } else {
                        put(rooms, r);
                    }
                }
            }
        }
        return rooms;
    }

    private static void put(Map<String, RoomState> rooms, ConsumerRecord<String, String> r) {
        try {
            rooms.put(r.key(), Json.read(r.value(), RoomState.class));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Skipping unreadable room state at " + r.topic() + "-" + r.partition() + "@"
                    + r.offset() + ": " + e.getMessage());
        }
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
