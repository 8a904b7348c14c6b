package dev.huddle.rooms;

import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.Publisher;
import dev.huddle.service.Heartbeat;
import dev.huddle.service.Instance;
import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceParts;

import io.helidon.webserver.WebServer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.admin.Admin;

/**
 * A running rooms-service instance (what {@link Main#start} returns): its HTTP server, its command consumer,
 * and the Kafka clients they use.
 */
public final class RoomsService implements RunningService {
    private final Instance instance;
    private final ConsumerLoop loop;
    private final WebServer server;
    private final ServiceParts parts;

    /** @param loops the command consumer first, then the replicas its handler reads */
    RoomsService(Instance instance, Admin admin, Publisher publisher, List<ConsumerLoop> loops, WebServer server,
                 Heartbeat heartbeat, RoomsMetrics metrics) {
        this.instance = instance;
        this.loop = loops.getFirst();
        this.server = server;
        // The loop stops before the server: it finishes the batch in hand, commits and leaves the group, so the
        // partitions move at once (on a crash they wait for the session timeout).
        this.parts = new ServiceParts(loops, publisher, admin, server, metrics).heartbeat(heartbeat);
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
        parts.close();
    }

    @Override
    public void kill() {
        parts.kill();
    }
}
