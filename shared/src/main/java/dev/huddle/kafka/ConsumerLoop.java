package dev.huddle.kafka;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Runs one Kafka consumer on its own thread and hands each polled batch to a {@link Handler}, or parsed with a
 * {@link RecordParser} to a {@link TypedHandler} (records the parser refuses are logged, counted and skipped).
 * The next poll (and, in a group, the offset commit) waits until the handler's effects are durable,
 * so a crash redelivers rather than loses (at-least-once). A failed batch is retried from its start.
 *
 * <p>Two modes: a <em>group</em> member shares partitions with the other instances of its service; a
 * <em>replica</em> reads every partition itself (to hold a full copy of a compacted topic, or to see every
 * delivery).
 */
public final class ConsumerLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConsumerLoop.class.getName());
    private static final Duration POLL = Duration.ofMillis(20); // while a caughtUp() waiter waits
    /**
     * Otherwise: records end a poll as soon as they come, so this only sets how often an idle loop wakes. At 20 ms
     * the twenty-odd idle loops of a node cost a tenth of a core (assignment and lag bookkeeping 50 times a second).
     */
    private static final Duration IDLE_POLL = Duration.ofMillis(250);
    /**
     * Handled offsets are committed at most this often, not after every batch: under load a commit per batch was
     * a broker request per few messages. A crash redelivers up to this much more; handlers are idempotent anyway.
     */
    private static final long COMMIT_INTERVAL_NANOS = Duration.ofMillis(100).toNanos();

    /** Handles one batch of raw records (a reader of several record types, or one that wants the strings). */
    @FunctionalInterface
    public interface Handler {
        /** @return a stage that completes when the batch's effects are durable (sent and acknowledged) */
        CompletionStage<?> handle(List<ConsumerRecord<String, String>> records) throws Exception;
    }

    /**
     * Handles one batch of parsed records: the loop parsed each with the loop's {@link RecordParser}, and left out
     * (logged and counted) those it could not parse.
     */
    @FunctionalInterface
    public interface TypedHandler<T> {
        /** @return a stage that completes when the batch's effects are durable (sent and acknowledged) */
        CompletionStage<?> handle(List<Received<T>> records) throws Exception;
    }

    /** Told of each record the loop skipped because its parser refused it (a metrics binder). */
    @FunctionalInterface
    public interface BadRecordListener {
        void badRecord(String topic);
    }

    /** Receives each assigned partition's lag after every poll (a metrics binder); closed when the loop ends. */
    public interface LagListener extends AutoCloseable {
        void lag(String loop, TopicPartition partition, long records);

        @Override
        void close();
    }

    /** Told on the loop thread when a group member gains or loses partitions (before it gets their records). */
    public interface Assignment {
        void assigned(Collection<TopicPartition> partitions);

        void revoked(Collection<TopicPartition> partitions);
    }

    private record Waiter(TopicPartition partition, long offset, CompletableFuture<Void> done) {
    }

    private final String name;
    private final KafkaSettings settings;
    private final KafkaConsumer<String, String> consumer;
    private final List<String> topics;
    private final boolean group;
    private final boolean fromBeginning;
    private final Handler handler;
    private final Assignment assignment;
    private final BadRecords badRecords;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    /** Per partition, the offset after the last record this loop handled (for caughtUp's answer without a wait). */
    private final Map<TopicPartition, Long> handledUpTo = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Set by {@link #crash()}: the loop ends without another word to the broker (no commit, no leave). */
    private volatile boolean crashed;
    private volatile long lag;
    private volatile LagListener lagListener;
    /** When the loop last came round to poll (nanoTime): a loop that stops polling is stuck. */
    private volatile long lastPoll = System.nanoTime();
    /** When the broker last answered this consumer (a fetch or a group heartbeat; nanoTime). */
    private volatile long lastContact = System.nanoTime();
    private double contacts = -1;
    private long lastContactCheck;
    private Thread thread;
    private boolean uncommitted;
    private long lastCommit = System.nanoTime();

    private ConsumerLoop(KafkaSettings settings, String name, String groupId, List<TopicSpec> topics,
                         boolean fromBeginning, Handler handler, Assignment assignment, BadRecords badRecords) {
        this.name = name;
        this.settings = settings;
        this.consumer = new KafkaConsumer<>(settings.consumer(name, groupId));
        this.topics = topics.stream().map(settings::topic).toList();
        this.group = groupId != null;
        this.fromBeginning = fromBeginning;
        this.handler = handler;
        this.assignment = assignment;
        this.badRecords = badRecords;
    }

    /** A member of consumer group {@code groupId}, sharing the partitions of {@code topics}. */
    public static ConsumerLoop group(KafkaSettings settings, String name, String groupId, List<TopicSpec> topics,
                                     Handler handler, Assignment assignment) {
        return new ConsumerLoop(settings, name, groupId, topics, true, handler, assignment, new BadRecords(name));
    }

    /** As {@link #group(KafkaSettings, String, String, List, Handler, Assignment)}, handing parsed records. */
    public static <T> ConsumerLoop group(KafkaSettings settings, String name, String groupId, List<TopicSpec> topics,
                                         RecordParser<T> parser, TypedHandler<T> handler, Assignment assignment) {
        BadRecords bad = new BadRecords(name);
        return new ConsumerLoop(settings, name, groupId, topics, true, bad.parsing(parser, handler), assignment, bad);
    }

    /** Reads every partition of {@code topics}, from the beginning or only what comes from now on. */
    public static ConsumerLoop replica(KafkaSettings settings, String name, List<TopicSpec> topics,
                                       boolean fromBeginning, Handler handler) {
        return new ConsumerLoop(settings, name, null, topics, fromBeginning, handler, null, new BadRecords(name));
    }

    /** As {@link #replica(KafkaSettings, String, List, boolean, Handler)}, handing parsed records. */
    public static <T> ConsumerLoop replica(KafkaSettings settings, String name, List<TopicSpec> topics,
                                           boolean fromBeginning, RecordParser<T> parser, TypedHandler<T> handler) {
        BadRecords bad = new BadRecords(name);
        return new ConsumerLoop(settings, name, null, topics, fromBeginning, bad.parsing(parser, handler), null, bad);
    }

    public ConsumerLoop start() {
        if (running.compareAndSet(false, true)) {
            thread = Thread.ofPlatform().name("kafka-" + name).daemon().start(this::run);
        }
        return this;
    }

    public String name() {
        return name;
    }

    /** Completes once a replica has read what was there when it started, or a group member got its partitions. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    public boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally() && running.get();
    }

    /** Sends per-partition lag to {@code listener} from now on (set before {@link #start()}). */
    public ConsumerLoop lagTo(LagListener listener) {
        this.lagListener = listener;
        return this;
    }

    /** Tells {@code listener} of each record skipped from now on because the loop's parser refused it. */
    public ConsumerLoop badRecordsTo(BadRecordListener listener) {
        badRecords.listener(listener);
        return this;
    }

    /**
     * Liveness: the loop's thread runs and came round to poll within {@code stall}. A loop that died (its thread
     * ended on an error) or hangs in a handler is not alive, and only a restart helps.
     */
    public boolean isAlive(Duration stall) {
        return thread != null && thread.isAlive() && System.nanoTime() - lastPoll < stall.toNanos();
    }

    /** How long since the broker last answered this consumer: grows while the broker is unreachable. */
    public Duration sinceBrokerContact() {
        return Duration.ofNanos(System.nanoTime() - lastContact);
    }

    /** Records behind the end of the partitions, as of the last poll. */
    public long lag() {
        return lag;
    }

    /**
     * Completes when this loop has handled everything written to {@code topic}'s partition of {@code key}
     * up to now: the way to read one's own writes, or another service's writes that caused a request.
     */
    public CompletableFuture<Void> caughtUp(Admin admin, KafkaSettings settings, TopicSpec topic, String key) {
        TopicPartition tp = new TopicPartition(settings.topic(topic), Partitions.forKey(key, topic.partitions()));
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)
                .toCompletionStage().toCompletableFuture()
                .thenCompose(info -> {
                    // Handled already (the usual case: the write that caused the request was read meanwhile):
                    // no need to wait for the loop's next round, which may be a whole idle poll away.
                    if (handledUpTo.getOrDefault(tp, -1L) >= info.offset()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    Waiter w = new Waiter(tp, info.offset(), new CompletableFuture<>());
                    waiters.add(w);
                    consumer.wakeup(); // the loop may be in an idle poll
                    return w.done;
                });
    }

    private void run() {
        KafkaClientMeters meters = KafkaClientMeters.consumer(settings, name, consumer.metrics());
        try {
            if (group) {
                consumer.subscribe(topics, new Listener());
            } else {
                assignAll();
            }
            while (running.get()) {
                try {
                    pollOnce();
                } catch (WakeupException e) {
                    if (!running.get()) {
                        throw e;
                    }
                    // woken for a new caughtUp() waiter: check it in the next round, at once
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            if (!crashed) {
                LOG.log(Level.ERROR, "Consumer loop " + name + " failed", e);
            }
            ready.completeExceptionally(e);
        } finally {
            if (crashed) {
                Thread.interrupted(); // crash() interrupted us; Kafka's close would throw on the flag
                // Still a member as far as the coordinator knows: the partitions move only when the session
                // times out, and the uncommitted batch is redelivered to whoever gets them, as after a real crash.
                consumer.close(CloseOptions.groupMembershipOperation(GroupMembershipOperation.REMAIN_IN_GROUP)
                        .withTimeout(Duration.ZERO));
            } else {
                try {
                    if (group) {
                        consumer.commitSync(Duration.ofSeconds(2));
                    }
                } catch (Exception e) {
                    LOG.log(Level.DEBUG, "Final commit failed", e);
                }
                consumer.close(Duration.ofSeconds(2));
            }
            waiters.forEach(w -> w.done.completeExceptionally(new IllegalStateException("consumer closed")));
            if (lagListener != null) {
                lagListener.close();
            }
            meters.close();
        }
    }

    /** One round: poll, handle what came, commit now and then, update the lag and answer caughtUp() waiters. */
    private void pollOnce() {
        lastPoll = System.nanoTime();
        ConsumerRecords<String, String> records = consumer.poll(waiters.isEmpty() ? IDLE_POLL : POLL);
        noteContact();
        if (!records.isEmpty()) {
            List<ConsumerRecord<String, String>> batch = new ArrayList<>(records.count());
            records.forEach(batch::add);
            if (!handle(batch)) {
                return;
            }
            for (TopicPartition tp : records.partitions()) {
                handledUpTo.merge(tp, records.records(tp).getLast().offset() + 1, Math::max);
            }
            uncommitted = group;
        }
        maybeCommit();
        updateLag();
        checkWaiters();
    }

    /** @return false if the batch failed and was rewound for another try */
    private boolean handle(List<ConsumerRecord<String, String>> batch) {
        try {
            handler.handle(batch).toCompletableFuture().get(30, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
            return false;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Batch of " + batch.size() + " on " + name + " failed, retrying: " + e);
            Map<TopicPartition, Long> first = new HashMap<>();
            for (ConsumerRecord<String, String> r : batch) {
                first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
            }
            first.forEach((tp, offset) -> {
                if (consumer.assignment().contains(tp)) {
                    consumer.seek(tp, offset);
                }
            });
            sleep(500);
            return false;
        }
    }

    private void assignAll() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            // A topic created a moment ago may not be in the metadata yet.
            for (int i = 0; (infos == null || infos.isEmpty()) && i < 300; i++) {
                sleep(100);
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("Topic " + topic + " has no partitions");
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            ends.forEach((tp, end) -> waiters.add(new Waiter(tp, end, new CompletableFuture<>())));
            CompletableFuture.allOf(waiters.stream().map(Waiter::done).toArray(CompletableFuture[]::new))
                    .thenRun(() -> ready.complete(null));
        } else {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve "end" now, not at the first poll
            ready.complete(null);
        }
    }

    /**
     * Counts the broker's answers (fetch responses, which come at least every fetch.max.wait.ms while connected,
     * and group heartbeats, for a member without partitions) at most every 500 ms; any new one is contact.
     */
    private void noteContact() {
        long now = System.nanoTime();
        if (now - lastContactCheck < 500_000_000L) {
            return;
        }
        lastContactCheck = now;
        double total = 0;
        for (var e : consumer.metrics().entrySet()) {
            String metric = e.getKey().name();
            if ((metric.equals("fetch-total") || metric.equals("heartbeat-total"))
                    && e.getValue().metricValue() instanceof Double d) {
                total += d;
            }
        }
        if (total != contacts) {
            contacts = total;
            lastContact = now;
        }
    }

    private void maybeCommit() {
        long now = System.nanoTime();
        if (uncommitted && now - lastCommit >= COMMIT_INTERVAL_NANOS) {
            consumer.commitAsync();
            uncommitted = false;
            lastCommit = now;
        }
    }

    private void checkWaiters() {
        if (waiters.isEmpty()) {
            return;
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (!consumer.assignment().contains(w.partition) || consumer.position(w.partition) >= w.offset) {
                w.done.complete(null);
                it.remove();
            }
        }
    }

    private void updateLag() {
        long total = 0;
        LagListener listener = lagListener;
        for (TopicPartition tp : consumer.assignment()) {
            long partitionLag = consumer.currentLag(tp).orElse(0);
            total += partitionLag;
            if (listener != null) {
                listener.lag(name, tp, partitionLag);
            }
        }
        lag = total;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (running.compareAndSet(true, false)) {
            consumer.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops as a crash would (for {@code RunningService.kill()} in fault tests): the batch in hand is abandoned, no
     * offset is committed and the group is not told, so the partitions stay with this dead member until its
     * session times out ({@code kafka.session.timeout.ms}). Without this a "crash" would be a clean hand-over.
     */
    public void crash() {
        crashed = true;
        if (running.compareAndSet(true, false)) {
            consumer.wakeup();
            thread.interrupt(); // a handler waiting for its sends' acks gives up
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (crashed) {
                return; // a dead process commits nothing and hands nothing over
            }
            try {
                consumer.commitSync(Duration.ofSeconds(5));
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Commit on revoke failed: " + e);
            }
            if (assignment != null) {
                assignment.revoked(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (assignment != null) {
                assignment.assigned(partitions);
            }
            ready.complete(null);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (assignment != null) {
                assignment.revoked(partitions);
            }
        }
    }
}
