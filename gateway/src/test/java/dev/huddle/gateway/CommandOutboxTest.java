package dev.huddle.gateway;

import dev.huddle.events.Command;
import dev.huddle.events.Origin;
import dev.huddle.kafka.Topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * A producer that blocks (no broker: it waits up to max.block.ms for metadata) must not block whoever sends: the
 * gateway timer that answers every connection's timed-out requests once sat behind such a send (BrokerRestartTest).
 */
class CommandOutboxTest {
    private static final Origin ORIGIN = new Origin("gw", "conn", "peer");

    private static Command command(String type) {
        return Command.of(ORIGIN, type, "room", Map.of());
    }

    @Test
    void aBlockedProducerBlocksNoCallerAndCommandsLeaveInTheOrderGiven() throws Exception {
        CountDownLatch broker = new CountDownLatch(1);
        List<String> handed = new CopyOnWriteArrayList<>();
        AtomicInteger unsent = new AtomicInteger();
        CommandOutbox outbox = new CommandOutbox((topic, key, c) -> {
            try {
                broker.await(); // like KafkaProducer.send waiting for metadata
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handed.add(c.type());
            return CompletableFuture.completedFuture(c.type());
        }, unsent);

        long start = System.nanoTime();
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String type : List.of("join", "media", "chat", "leave")) {
            sent.add(outbox.send(Topics.SIGNALS, "room", command(type)));
        }
        assertThat("sending returns at once (ms)", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                lessThan(500L));
        assertThat("nothing handed over while the producer blocks", handed.isEmpty(), is(true));
        assertThat(unsent.get(), is(4));

        broker.countDown();
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(handed, contains("join", "media", "chat", "leave"));
        assertThat(unsent.get(), is(0));
    }

    @Test
    void aFailedSendFailsOnlyItsOwnFuture() throws Exception {
        AtomicInteger unsent = new AtomicInteger();
        CommandOutbox outbox = new CommandOutbox((topic, key, c) -> "chat".equals(c.type())
                ? CompletableFuture.failedFuture(new IllegalStateException("broker gone"))
                : CompletableFuture.completedFuture(c.type()), unsent);
        CompletableFuture<?> chat = outbox.send(Topics.SIGNALS, "room", command("chat"));
        CompletableFuture<?> leave = outbox.send(Topics.SIGNALS, "room", command("leave"));
        assertThat(leave.get(5, TimeUnit.SECONDS), is("leave"));
        assertThat(chat.isCompletedExceptionally(), is(true));
        assertThat(unsent.get(), is(0));
    }
}
