package dev.huddle.kafka;

import dev.huddle.json.Json;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends JSON records. One per service instance: the Kafka producer is thread-safe and batches.
 */
public final class Publisher implements AutoCloseable {
    private static final Executor COMPLETIONS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("publisher-completion").factory());
    private final KafkaSettings settings;
    private final Producer<String, String> producer;
    private final KafkaClientMeters meters;

    public Publisher(KafkaSettings settings, String clientId) {
        this.settings = settings;
        this.producer = new KafkaProducer<>(settings.producer(clientId));
        this.meters = KafkaClientMeters.producer(settings, clientId, producer.metrics());
    }

    /**
     * Sends {@code value} (a record, serialised to JSON; a String as it is; {@code null} as a tombstone).
     * The future completes when the broker has it, or fails (never blocks the caller for long).
     */
    public CompletableFuture<RecordMetadata> send(TopicSpec topic, String key, Object value) {
        return send(topic, null, key, value);
    }

    /** Sends to one explicit partition ({@code null}: by key), e.g. to reach every owner of a partitioned topic. */
    public CompletableFuture<RecordMetadata> send(TopicSpec topic, Integer partition, String key, Object value) {
        String json = value == null ? null : value instanceof String s ? s : Json.write(value);
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            // Complete off the producer's I/O thread: whatever the caller chains on the future (often another
            // send, which may wait for metadata that only that very thread can fetch) must not run there.
            producer.send(new ProducerRecord<>(settings.topic(topic), partition, key, json), (md, e) ->
                    COMPLETIONS.execute(() -> {
                        if (e != null) {
                            result.completeExceptionally(e);
                        } else {
                            result.complete(md);
                        }
                    }));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /**
     * Wraps a consumer's handler so that what it sends for a batch leaves at once, in as few produce requests
     * as possible: with a linger above zero the records of a batch wait for each other, and the flush ends
     * the wait when the batch is handled. Broker requests, not bytes, are what a relay costs on a small box.
     */
    public <T> ConsumerLoop.TypedHandler<T> flushing(ConsumerLoop.TypedHandler<T> handler) {
        return records -> {
            var done = handler.handle(records);
            producer.flush();
            return done;
        };
    }

    public static CompletableFuture<Void> all(Collection<? extends CompletableFuture<?>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    }

    public KafkaSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(2));
        meters.close();
    }

    /** Closes as a crash would: what is not sent yet is dropped (its futures fail), nothing is flushed. */
    public void kill() {
        producer.close(java.time.Duration.ZERO);
        meters.close();
    }
}
