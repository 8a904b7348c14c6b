package dev.huddle.rooms;

import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Partitions;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;

/**
 * The committed state of the rooms this instance owns: those of its {@code room-commands} partitions. Loaded from
 * {@code room-state} when partitions are assigned, dropped when they are revoked, so rooms move between instances
 * and survive restarts. Only the consumer loop thread changes it; metrics read it from other threads.
 */
final class RoomRegistry implements ConsumerLoop.Assignment {
    private static final System.Logger LOG = System.getLogger(RoomRegistry.class.getName());

    private final KafkaSettings settings;
    private final Map<String, RoomState> rooms = new ConcurrentHashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();

    RoomRegistry(KafkaSettings settings) {
        this.settings = settings;
    }

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
        List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
        Map<String, RoomState> loaded = StateLoader.load(settings, numbers);
        rooms.keySet().removeIf(name -> numbers.contains(partition(name)));
        rooms.putAll(loaded);
        owned.addAll(numbers);
        LOG.log(Level.INFO, "Took partitions " + numbers + " with " + loaded.size() + " rooms");
    }

    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
        owned.removeAll(numbers);
        rooms.keySet().removeIf(name -> numbers.contains(partition(name)));
        LOG.log(Level.INFO, "Gave up partitions " + numbers);
    }

    /** The committed state of a room (possibly an ended marker), or {@code null}. */
    RoomState get(String name) {
        return rooms.get(name);
    }

    /** Makes a written state current ({@code null}: tombstoned). Ignored if the partition moved meanwhile. */
    void commit(String name, RoomState state) {
        if (!owned.contains(partition(name))) {
            return;
        }
        if (state == null) {
            rooms.remove(name);
        } else {
            rooms.put(name, state);
        }
    }

    /** Names of the ended markers older than {@code time}. */
    List<String> endedBefore(long time) {
        return rooms.values().stream().filter(s -> !s.live() && s.ended() < time).map(RoomState::name).toList();
    }

    int liveRooms() {
        return (int) rooms.values().stream().filter(RoomState::live).count();
    }

    int members() {
        return rooms.values().stream().filter(RoomState::live).mapToInt(s -> s.members().size()).sum();
    }

    private static int partition(String room) {
        return Partitions.forKey(room, Topics.ROOM_PARTITIONS);
    }
}
