package dev.huddle.gateway;

import dev.huddle.events.DirectoryEntry;
import dev.huddle.events.Frames;
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * This gateway's copy of the public room list ({@code room-directory}, compacted, read from the beginning), the
 * {@code list_rooms} answers made from it and the {@code rooms_changed} deltas for watching connections.
 *
 * <p>Every change gets a sequence number. A watcher remembers the sequence of what it last got; once per tick the
 * delta since each distinct remembered sequence is computed once and the same frame goes to every watcher that
 * shares it (after the first tick, all of them), so the cost does not grow with connections times changes.
 */
final class RoomDirectory {
    /** A connection that asked for the list (and may watch it). */
    interface Watcher {
        /** Queues a frame for its client; never blocks. */
        void push(String frame);
    }

    private static final System.Logger LOG = System.getLogger(RoomDirectory.class.getName());
    private static final Comparator<Listed> ORDER = Comparator.comparingInt(Listed::count).reversed()
            .thenComparing(Listed::name);

    /** A room as clients see it in the list ({@code password}: joining needs one; {@code locked}: by an operator). */
    record Listed(String name, int count, int capacity, boolean password, boolean locked) {
    }

    record Listing(List<Listed> rooms, int total) {
    }

    record Delta(List<Listed> rooms, List<String> removed, int total) {
    }

    private final Map<String, Listed> rooms = new HashMap<>();
    private final Map<String, Long> seqOf = new HashMap<>();           // room -> sequence of its last change
    private final NavigableMap<Long, String> changes = new TreeMap<>(); // sequence -> room (latest change only)
    private final Map<Watcher, Long> watchers = new HashMap<>();     // connection -> sequence it has seen
    private long seq;

    private final ConsumerLoop loop;
    private final Admin admin;
    private final KafkaSettings settings;

    RoomDirectory(KafkaSettings settings, Admin admin) {
        this.settings = settings;
        this.admin = admin;
        this.loop = ConsumerLoop.replica(settings, "gateway-directory", List.of(Topics.ROOM_DIRECTORY), true,
                this::apply);
    }

    ConsumerLoop loop() {
        return loop;
    }

    private CompletionStage<?> apply(List<ConsumerRecord<String, String>> records) {
        synchronized (this) {
            for (ConsumerRecord<String, String> r : records) {
                if (r.key() == null) {
                    continue;
                }
                Listed listed = null;
                if (r.value() != null) {
                    try {
                        DirectoryEntry e = Json.read(r.value(), DirectoryEntry.class);
                        listed = new Listed(e.name() != null ? e.name() : r.key(), e.count(), e.capacity(), e.password(),
                                e.locked());
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "Skipping unreadable directory entry for a room: " + e.getMessage());
                        continue;
                    }
                }
                Listed before = listed == null ? rooms.remove(r.key()) : rooms.put(r.key(), listed);
                if (!java.util.Objects.equals(before, listed)) {
                    Long old = seqOf.put(r.key(), ++seq);
                    if (old != null) {
                        changes.remove(old);
                    }
                    changes.put(seq, r.key());
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Completes when this replica has read everything written so far to the directory partitions of
     * {@code rooms} (those whose change the asking client caused and must see), and the initial read is done.
     */
    CompletableFuture<Void> caughtUp(Collection<String> rooms) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        waits.add(loop.ready());
        for (String room : rooms) {
            waits.add(loop.caughtUp(admin, settings, Topics.ROOM_DIRECTORY, room));
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    /**
     * The list for a {@code list_rooms} reply; with {@code watch} true the connection then gets the deltas, false
     * ends its watch, null leaves it as it is. {@code answer} gets the listing under the same lock that orders
     * the deltas, so the reply always goes out before the first delta after it.
     */
    synchronized void list(Watcher connection, int limit, Boolean watch,
                           java.util.function.Consumer<Listing> answer) {
        List<Listed> all = new ArrayList<>(rooms.values());
        all.sort(ORDER);
        if (Boolean.TRUE.equals(watch)) {
            watchers.put(connection, seq);
        } else if (Boolean.FALSE.equals(watch)) {
            watchers.remove(connection);
        }
        answer.accept(new Listing(List.copyOf(all.subList(0, Math.min(limit, all.size()))), all.size()));
    }

    synchronized void unwatch(Watcher connection) {
        watchers.remove(connection);
    }

    /** Sends the deltas (timer thread, once per tick). */
    synchronized void tick() {
        Map<Long, String> frames = new HashMap<>();
        for (Map.Entry<Watcher, Long> w : watchers.entrySet()) {
            long seen = w.getValue();
            if (seen >= seq) {
                continue;
            }
            String frame = frames.computeIfAbsent(seen, s -> Frames.push("rooms_changed", delta(s)));
            w.getKey().push(frame);
            w.setValue(seq);
        }
        forgetRemovals();
    }

    private Delta delta(long since) {
        List<Listed> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String room : changes.tailMap(since, false).values()) {
            Listed listed = rooms.get(room);
            if (listed != null) {
                changed.add(listed);
            } else {
                removed.add(room);
            }
        }
        changed.sort(ORDER);
        return new Delta(changed, removed, rooms.size());
    }

    /** A removal every watcher has been told about needs no remembering. */
    private void forgetRemovals() {
        long oldest = watchers.values().stream().mapToLong(Long::longValue).min().orElse(seq);
        for (var it = changes.headMap(oldest, true).entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, String> e = it.next();
            if (!rooms.containsKey(e.getValue())) {
                seqOf.remove(e.getValue());
                it.remove();
            }
        }
    }
}
