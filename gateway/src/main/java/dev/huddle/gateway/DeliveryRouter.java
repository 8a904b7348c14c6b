package dev.huddle.gateway;

import dev.huddle.events.Delivery;
import dev.huddle.gateway.admin.SocketCountersQuery;
import dev.huddle.json.Json;
import dev.huddle.kafka.RecentIds;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Hands each {@link Delivery} of this gateway's inbox to the connections it is for, and counts how many inbox
 * records reached none (a measure of misrouting: services address a gateway only for peers it holds).
 * Runs on the delivery loop's thread and never waits for a client: connections queue what they send.
 */
final class DeliveryRouter {
    private static final System.Logger LOG = System.getLogger(DeliveryRouter.class.getName());

    /*
     * A service that crashed before committing has its last deliveries made again, under the same ids, by the
     * next owner of its partitions, a session timeout (10 s) or so later: remembering 100,000 ids (about 15 MB)
     * covers that at 10,000 deliveries a second, so the client gets each frame once.
     */
    private static final int REMEMBERED = 100_000;

    private final Connections connections;
    private final GatewayMetrics metrics;
    private final SocketCountersQuery counters;
    private final RecentIds seen = new RecentIds(REMEMBERED);

    DeliveryRouter(Connections connections, GatewayMetrics metrics, SocketCountersQuery counters) {
        this.connections = connections;
        this.metrics = metrics;
        this.counters = counters;
    }

    CompletionStage<?> handle(List<ConsumerRecord<String, String>> records) {
        for (ConsumerRecord<String, String> r : records) {
            if (r.value() == null) {
                continue;
            }
            try {
                Delivery d = Json.read(r.value(), Delivery.class);
                if (counters.handles(d)) {
                    continue; // gateway to gateway, never for a connection nor a misrouting count
                }
                metrics.inboxRecord(seen.firstTime(d.id()) && route(d));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Skipping a delivery that could not be handled: " + e);
            }
        }
        return CompletableFuture.completedFuture(null); // nothing to make durable: sending is the effect
    }

    /** @return whether it reached at least one connection */
    boolean route(Delivery d) {
        if (d.control() == Delivery.Control.RESUME_ACCEPTED || d.control() == Delivery.Control.RESUME_ROOM) {
            Connection c = d.conn() == null ? null : connections.byConn(d.conn());
            if (c != null && d.frame() != null) {
                if (d.control() == Delivery.Control.RESUME_ACCEPTED) {
                    c.resumeAccepted(d.frame());
                } else {
                    c.resumeRoom(d.frame());
                }
                return true;
            }
            return false;
        }
        List<String> to = d.to() == null ? List.of() : d.to();
        Map<Connection, String> targets = new LinkedHashMap<>(); // connection -> the peerId it was addressed as
        boolean direct = d.conn() != null;
        if (direct) {
            Connection c = connections.byConn(d.conn());
            if (c != null) {
                for (String peer : c.peerIds()) {
                    if (to.contains(peer) || to.contains(Delivery.EVERYONE)) {
                        targets.put(c, peer);
                        break;
                    }
                }
            }
        } else if (to.contains(Delivery.EVERYONE)) {
            connections.all().forEach(c -> targets.put(c, null));
        } else {
            for (String peer : to) {
                connections.byPeer(peer).forEach(c -> targets.putIfAbsent(c, peer));
            }
        }
        if (targets.isEmpty()) {
            return false;
        }
        targets.forEach((c, peer) -> {
            if (d.control() == Delivery.Control.CLOSE) {
                c.closeBy(d.frame(), d.code() == null ? 1000 : d.code(), peer, direct);
            } else if (d.frame() != null) {
                c.deliver(d.frame(), peer, direct);
            }
        });
        metrics.relayed(d.ingressTs(), System.currentTimeMillis());
        return true;
    }
}
