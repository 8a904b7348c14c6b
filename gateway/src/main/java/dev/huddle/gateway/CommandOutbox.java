package dev.huddle.gateway;

import dev.huddle.events.Command;
import dev.huddle.kafka.TopicSpec;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection's commands to Kafka, handed to the producer one at a time in the order given, by a virtual thread
 * of the outbox's own. The producer's send blocks while it lacks a topic's metadata (the broker gone: up to its
 * {@code max.block.ms}); its callers must not. They hold the connection's request order, or they are the gateway
 * timer (the request timeouts of every connection, which answer {@code unavailable}) or the inbox's delivery loop.
 * Like {@link Outbound}, the thread exists only while there is something to send.
 */
final class CommandOutbox implements Requests.Commands {
    private static final Thread.Builder SENDERS = Thread.ofVirtual().name("ws-commands");

    private final Requests.Commands producer;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicInteger unsent;

    /**
     * @param producer sends a command now (may block); its future completes when Kafka has it
     * @param unsent   the gateway's count of commands queued in outboxes and not yet handed to the producer (a
     *                 stopping gateway waits for it to reach zero before its producer's final flush)
     */
    CommandOutbox(Requests.Commands producer, AtomicInteger unsent) {
        this.producer = producer;
        this.unsent = unsent;
    }

    /** Queues the command; the future completes as the producer's does. Never blocks. */
    @Override
    public CompletableFuture<?> send(TopicSpec topic, String key, Command command) {
        unsent.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return producer.send(topic, key, command);
            } finally {
                unsent.decrementAndGet();
            }
        }, this::queue).thenCompose(sent -> sent);
    }

    private void queue(Runnable task) {
        tasks.add(task);
        startSender();
    }

    private void startSender() {
        if (sending.compareAndSet(false, true)) {
            SENDERS.start(this::drain);
        }
    }

    /** The tasks are supplyAsync's, which catch whatever the producer throws. */
    private void drain() {
        for (Runnable next; (next = tasks.poll()) != null; ) {
            next.run();
        }
        sending.set(false);
        if (!tasks.isEmpty()) {
            startSender(); // added after the last poll, before the flag was cleared
        }
    }
}
