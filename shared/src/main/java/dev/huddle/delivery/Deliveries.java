package dev.huddle.delivery;

import dev.huddle.events.Delivery;
import dev.huddle.events.Member;
import dev.huddle.events.Origin;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one way a service addresses clients (architecture.md, "Deliveries"): every target is a peer on a gateway,
 * and what a call addresses becomes one record per gateway concerned, written to that gateway's inbox
 * ({@link Topics#inbox}). A room push goes once to each gateway holding members; a notice to everyone once to
 * each live gateway. The builders are pure (rooms-service keeps what it built in its snapshot, to send it again
 * after a crash); {@link #send} writes. Every record of one call keeps the call's delivery id, so a gateway drops
 * a copy made again for a redelivered command.
 */
public final class Deliveries {
    private static final System.Logger LOG = System.getLogger(Deliveries.class.getName());

    private final Publisher publisher;
    private final Gateways gateways;

    public Deliveries(Publisher publisher, Gateways gateways) {
        this.publisher = publisher;
        this.gateways = gateways;
    }

    // ---- what to send (pure) ----

    /** A reply, or anything else that only the connection that asked may see. */
    public static List<Routed> toConnection(String id, Origin origin, String frame, long ingressTs) {
        if (origin == null || origin.gateway() == null) {
            return List.of();
        }
        return List.of(new Routed(origin.gateway(), new Delivery(dev.huddle.events.Command.VERSION, id(id),
                System.currentTimeMillis(), List.of(origin.peer()), origin.conn(), frame, null, null, ingressTs)));
    }

    /** An internal control ({@code RESUME_ACCEPTED}, {@code RESUME_ROOM}) for the connection of {@code origin}. */
    public static List<Routed> control(Origin origin, Delivery.Control control, String frame) {
        if (origin == null || origin.gateway() == null) {
            return List.of();
        }
        return List.of(new Routed(origin.gateway(), Delivery.control(origin, control, frame, null)));
    }

    /** A frame to peers, one record per gateway holding some of them. */
    public static List<Routed> push(String id, Collection<Target> to, String frame, long ingressTs) {
        String shared = id(id);
        List<Routed> routed = new ArrayList<>(1);
        byGateway(to).forEach((gateway, peers) -> routed.add(new Routed(gateway,
                Delivery.frame(shared, peers, frame, ingressTs))));
        return routed;
    }

    /**
     * The members of a room who hold a connection, except {@code except} (may be {@code null}): those away have
     * none (their gateway may be gone); what they missed reaches them in the room's state when they are back.
     */
    public static List<Target> present(Collection<Member> members, String except) {
        List<Target> targets = new ArrayList<>(members.size());
        for (Member m : members) {
            if (!m.away() && !m.peerId().equals(except)) {
                targets.add(new Target(m.peerId(), m.gateway()));
            }
        }
        return targets;
    }

    /** Closes the connections of these peers (or only {@code conn}) with {@code code}, after sending {@code frame}. */
    public static List<Routed> close(Collection<Target> to, String conn, String frame, int code) {
        List<Routed> routed = new ArrayList<>(1);
        String shared = id(null);
        byGateway(to).forEach((gateway, peers) -> {
            Delivery d = Delivery.close(peers, conn, frame, code);
            routed.add(new Routed(gateway, new Delivery(d.v(), shared, d.ts(), d.to(), d.conn(), d.frame(),
                    d.control(), d.code(), d.ingressTs())));
        });
        return routed;
    }

    /** A frame to every connection of every live gateway. */
    public List<Routed> everyone(String frame) {
        Delivery d = Delivery.frame(id(null), List.of(Delivery.EVERYONE), frame, 0);
        return gateways.live().stream().map(g -> new Routed(g, d)).toList();
    }

    private static Map<String, List<String>> byGateway(Collection<Target> to) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (Target t : to) {
            if (t.gateway() == null) {
                LOG.log(Level.DEBUG, "No gateway known for peer " + t.peer() + ": nothing sent to it");
                continue;
            }
            groups.computeIfAbsent(t.gateway(), g -> new ArrayList<>(2)).add(t.peer());
        }
        return groups;
    }

    private static String id(String id) {
        return id != null ? id : dev.huddle.events.RecordIds.random();
    }

    // ---- writing ----

    /**
     * Writes each record to its gateway's inbox; completes when the broker has them all. A gone gateway
     * ({@link Gateways#gone}) gets nothing, and a write that failed because its gateway went meanwhile counts as
     * done: its peers are gone with it, and failing would make the caller retry forever.
     */
    public CompletableFuture<Void> send(Collection<Routed> routed) {
        if (routed.size() == 1) {
            return send(routed.iterator().next());
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(routed.size());
        for (Routed r : routed) {
            acks.add(send(r));
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
    }

    public CompletableFuture<Void> send(Routed r) {
        if (gateways.gone(r.gateway())) {
            return CompletableFuture.completedFuture(null);
        }
        return publisher.send(Topics.inbox(r.gateway()), null, r.delivery()).handle((md, e) -> {
            if (e == null || gateways.gone(r.gateway())) {
                return null;
            }
            throw e instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(e);
        });
    }

    public Gateways gateways() {
        return gateways;
    }
}
