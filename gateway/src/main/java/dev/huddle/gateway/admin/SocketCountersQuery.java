package dev.huddle.gateway.admin;

import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.RecordIds;
import dev.huddle.json.Json;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Asks the gateway holding a connection for its counters, over the gateways' inboxes (architecture.md, "Socket
 * counters across gateways"): a {@link Delivery.Control#COUNTERS_QUERY} to the holder's inbox, answered with a
 * {@link Delivery.Control#COUNTERS_ANSWER} to the asker's. Also answers the queries of other gateways. Such records
 * address no peer ({@code to} is empty), so they can never reach a client socket. Thread-safe.
 */
public final class SocketCountersQuery {
    private static final System.Logger LOG = System.getLogger(SocketCountersQuery.class.getName());
    /** How long the socket detail waits for the holder before it answers without counters. */
    public static final long TIMEOUT_MS = 2_000;

    /** The frame of a query: which connection, and whose inbox the answer goes to. */
    record Query(String id, String conn, String replyTo) {
    }

    /** The frame of an answer: {@code counters} is {@code null} when the holder no longer has the connection. */
    record Answer(String id, SocketCounters counters) {
    }

    private final Publisher publisher;
    private final String self;
    private final LocalSockets local;
    private final Map<String, CompletableFuture<SocketCounters>> pending = new ConcurrentHashMap<>();

    public SocketCountersQuery(Publisher publisher, String self, LocalSockets local) {
        this.publisher = publisher;
        this.self = self;
        this.local = local;
    }

    /**
     * The counters of connection {@code conn} on gateway {@code holder}; fails after {@link #TIMEOUT_MS} if no
     * answer came (the holder is gone or slow), or with {@code null} if the holder does not have it any more.
     */
    public CompletableFuture<SocketCounters> ask(String holder, String conn) {
        String id = RecordIds.random();
        CompletableFuture<SocketCounters> answer = new CompletableFuture<>();
        pending.put(id, answer);
        answer.whenComplete((c, e) -> pending.remove(id));
        // Off the caller's thread: a write to a deleted inbox blocks for the producer's max.block.ms.
        Thread.ofVirtual().start(() -> publisher.send(Topics.inbox(holder), null,
                        internal(Delivery.Control.COUNTERS_QUERY, Json.write(new Query(id, conn, self))))
                .exceptionally(e -> {
                    answer.completeExceptionally(e);
                    return null;
                }));
        return answer.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** This gateway's instance id. */
    public String self() {
        return self;
    }

    /** This gateway's own counters of a connection, or {@code null}. */
    public SocketCounters local(String conn) {
        return local.counters(conn);
    }

    /** Whether {@code d} is one of these internal records; handles it if so (the delivery loop's thread). */
    public boolean handles(Delivery d) {
        if (d.control() == Delivery.Control.COUNTERS_QUERY) {
            Query q = Json.read(d.frame(), Query.class);
            Answer a = new Answer(q.id(), q.conn() == null ? null : local.counters(q.conn()));
            publisher.send(Topics.inbox(q.replyTo()), null,
                    internal(Delivery.Control.COUNTERS_ANSWER, Json.write(a))).exceptionally(e -> {
                LOG.log(Level.DEBUG, "Could not answer a counters query of " + q.replyTo() + ": " + e);
                return null;
            });
            return true;
        }
        if (d.control() == Delivery.Control.COUNTERS_ANSWER) {
            Answer a = Json.read(d.frame(), Answer.class);
            CompletableFuture<SocketCounters> f = pending.get(a.id());
            if (f != null) {
                f.complete(a.counters());
            }
            return true;
        }
        return false;
    }

    private static Delivery internal(Delivery.Control control, String frame) {
        return new Delivery(Command.VERSION, RecordIds.random(), System.currentTimeMillis(), List.of(), null,
                frame, control, null, 0);
    }
}
