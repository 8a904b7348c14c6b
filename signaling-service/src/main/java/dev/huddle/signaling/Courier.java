package dev.huddle.signaling;

import dev.huddle.events.Delivery;
import dev.huddle.events.Member;
import dev.huddle.events.RoomMembers;
import dev.huddle.json.Json;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.signaling.HeldMessages.Held;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Pushes frames to members of a room, holding them for members who are away (grace period) and flushing
 * them when the member is back. It also applies {@code room-members} updates, because the away flag and the
 * held messages must change together: one lock orders "is the peer away? hold : send" against
 * "peer is back: flush", so a held message never overtakes or trails behind a flush.
 */
final class Courier {
    private static final System.Logger LOG = System.getLogger(Courier.class.getName());

    private final Membership membership;
    private final HeldMessages held;
    private final Publisher publisher;
    private final RelayMetrics metrics;

    Courier(Membership membership, int holdMax, Publisher publisher, RelayMetrics metrics) {
        this.membership = membership;
        this.held = new HeldMessages(holdMax);
        this.publisher = publisher;
        this.metrics = metrics;
    }

    /**
     * Sends {@code frame} now to those of {@code peers} who are present in {@code room}. Away ones get it held
     * when {@code hold} (signals, private chat), else not at all (public chat: history covers it). Peers no
     * longer in the room get nothing.
     *
     * @return completes when the broker has the delivery
     */
    synchronized CompletableFuture<?> send(String room, List<String> peers, String frame, long ingressTs,
                                           boolean hold) {
        List<String> now = new ArrayList<>(peers.size());
        for (String peer : peers) {
            Member m = membership.member(room, peer);
            if (m == null) {
                continue;
            }
            if (!m.away()) {
                now.add(peer);
            } else if (hold) {
                metrics.held();
                if (held.hold(peer, new Held(room, frame, ingressTs))) {
                    metrics.holdDropped();
                }
            }
        }
        if (now.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return publisher.send(Topics.DELIVERIES, room, Delivery.frame(now, frame, ingressTs))
                .thenRun(() -> metrics.latency(ingressTs));
    }

    /** Handler of the {@code room-members} replica: record the new snapshots, flush or drop held messages. */
    CompletionStage<?> onRoomMembers(List<ConsumerRecord<String, String>> batch) {
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (ConsumerRecord<String, String> record : batch) {
            RoomMembers members;
            try {
                members = record.value() == null ? null : Json.read(record.value(), RoomMembers.class);
            } catch (RuntimeException e) {
                // Not the parser's message: it may quote the record (SDP, chat text).
                LOG.log(Level.WARNING, "Skipping unreadable room-members record at offset " + record.offset()
                        + " of partition " + record.partition() + " (" + e.getClass().getSimpleName() + ")");
                continue;
            }
            acks.addAll(membersChanged(record.key(), members));
        }
        return Publisher.all(acks);
    }

    private synchronized List<CompletableFuture<?>> membersChanged(String room, RoomMembers members) {
        membership.put(room, members);
        if (held.size() == 0) {
            return List.of();
        }
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (String peer : held.peers()) {
            Member m = members == null ? null : members.member(peer);
            if (m != null && m.away()) {
                continue; // still in its grace period
            }
            // Back: deliver in order now. Gone from the room (left, grace over, room ended): drop.
            List<Held> taken = held.take(peer, room);
            if (m != null) {
                for (Held h : taken) {
                    acks.add(publisher.send(Topics.DELIVERIES, room, Delivery.frame(peer, h.frame(), h.ingressTs())));
                }
            }
        }
        return acks;
    }
}
