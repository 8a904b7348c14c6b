package dev.huddle.service;

import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.Publisher;

import io.helidon.webserver.WebServer;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;

/**
 * The parts every service has (consumer loops, heartbeat, publisher, Kafka admin, web server) and the order they
 * stop in, once: what a {@link RunningService}'s {@code close()} and {@code kill()} delegate to.
 *
 * <p>Clean stop: the loops in the order given (each commits and leaves its group), the service's own parts, the
 * heartbeat's tombstone, the publisher flushed, the admin client, the server. Crash: the heartbeat falls silent,
 * the loops crash (no commit, no leave), the own parts, the publisher dropped unflushed, the admin client, the
 * server. The own parts come after the loops, so nothing feeds them any more, and before the publisher, so they
 * can still send.
 */
public final class ServiceParts {
    private static final System.Logger LOG = System.getLogger(ServiceParts.class.getName());
    private static final Part NONE = new Part(() -> { }, () -> { });

    /** How one part stops: {@code close} cleanly, {@code crash} as if the process had died. */
    record Part(Runnable close, Runnable crash) {
    }

    private final List<Part> loops;
    private final List<AutoCloseable> own;
    private final Part publisher;
    private final Part admin;
    private final Part server;
    private volatile Part heartbeat = NONE;
    private final AtomicBoolean stopped = new AtomicBoolean();

    /**
     * @param loops stopped in this order, e.g. a group member before the replicas its handler waits on
     * @param own   the service's own parts (metrics, ...), closed in this order on a clean stop and a crash alike
     */
    public ServiceParts(List<ConsumerLoop> loops, Publisher publisher, Admin admin, WebServer server,
                        AutoCloseable... own) {
        this(loops.stream().map(l -> new Part(l::close, l::crash)).toList(),
                new Part(publisher::close, publisher::kill), new Part(admin::close, admin::close),
                new Part(server::stop, server::stop), List.of(own));
    }

    ServiceParts(List<Part> loops, Part publisher, Part admin, Part server, List<AutoCloseable> own) {
        this.loops = List.copyOf(loops);
        this.publisher = publisher;
        this.admin = admin;
        this.server = server;
        this.own = List.copyOf(own);
    }

    /** Set once it beats (a gateway starts it only when it is up); without one there is no tombstone to write. */
    public ServiceParts heartbeat(Heartbeat heartbeat) {
        return heartbeat(new Part(heartbeat::close, heartbeat::stopSilently));
    }

    ServiceParts heartbeat(Part heartbeat) {
        this.heartbeat = heartbeat;
        return this;
    }

    public boolean close() {
        return close(() -> { });
    }

    /**
     * Stops cleanly, after {@code first} (what the service must do before anything else stops, e.g. a gateway's
     * drain).
     *
     * @return false if it had already stopped (or crashed): then nothing is done, {@code first} included
     */
    public boolean close(Runnable first) {
        if (!stopped.compareAndSet(false, true)) {
            return false;
        }
        run(first);
        loops.forEach(l -> run(l.close()));
        own.forEach(ServiceParts::attempt);
        run(heartbeat.close()); // tombstone: "stopped on purpose"
        run(publisher.close()); // flushes it and whatever the loops and own parts sent last
        run(admin.close());
        run(server.close());
        return true;
    }

    public boolean kill() {
        return kill(() -> { });
    }

    /**
     * Stops as a crash would, after {@code first}: no goodbye, nothing more committed or flushed.
     *
     * @return false if it had already stopped (or crashed): then nothing is done, {@code first} included
     */
    public boolean kill(Runnable first) {
        if (!stopped.compareAndSet(false, true)) {
            return false;
        }
        run(first);
        run(heartbeat.crash());
        loops.forEach(l -> run(l.crash())); // partitions wait for the session timeout, as after a crash
        own.forEach(ServiceParts::attempt);
        run(publisher.crash());
        run(admin.crash());
        run(server.crash());
        return true;
    }

    // One part failing to stop must not leave the others running: several services share the launcher's JVM.
    private static void run(Runnable step) {
        attempt(step::run);
    }

    private static void attempt(AutoCloseable step) {
        try {
            step.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Stopping a part failed; stopping the rest", e);
        }
    }
}
