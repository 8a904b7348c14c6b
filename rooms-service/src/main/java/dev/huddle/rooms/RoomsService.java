package dev.huddle.rooms;

import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.Publisher;
import dev.huddle.service.Heartbeat;
import dev.huddle.service.Instance;
import dev.huddle.service.RunningService;

import io.helidon.webserver.WebServer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;

/**
 * A running rooms-service instance (what {@link Main#start} returns): its HTTP server, its command consumer,
 * and the Kafka clients they use.
 */
public final class RoomsService implements RunningService {
    private final Instance instance;
    private final Admin admin;
    private final Publisher publisher;
    private final ConsumerLoop loop;
    private final WebServer server;
    private final Heartbeat heartbeat;
    private final RoomsMetrics metrics;
    private final AtomicBoolean stopped = new AtomicBoolean();

    RoomsService(Instance instance, Admin admin, Publisher publisher, ConsumerLoop loop, WebServer server,
                 Heartbeat heartbeat, RoomsMetrics metrics) {
        this.instance = instance;
        this.admin = admin;
        this.publisher = publisher;
        this.loop = loop;
        this.server = server;
        this.heartbeat = heartbeat;
        this.metrics = metrics;
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public Instance instance() {
        return instance;
    }

    /** Completes once the consumer has its partitions and their rooms are loaded. */
    public CompletableFuture<Void> ready() {
        return loop.ready();
    }

    @Override
    public void close() {
        if (stopped.compareAndSet(false, true)) {
            loop.close(); // finishes the batch in hand, commits, leaves the group: the partitions move at once
            server.stop();
            heartbeat.close();
            release();
        }
    }

    @Override
    public void kill() {
        if (stopped.compareAndSet(false, true)) {
            heartbeat.stopSilently();
            loop.crash(); // no commit, no leave: the partitions wait for the session timeout, as after a crash
            server.stop();
            metrics.close();
            publisher.kill();
            admin.close();
        }
    }

    private void release() {
        metrics.close();
        publisher.close();
        admin.close();
    }
}
