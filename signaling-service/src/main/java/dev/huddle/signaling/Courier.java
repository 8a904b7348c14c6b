package dev.huddle.signaling;

import dev.huddle.delivery.Deliveries;
import dev.huddle.delivery.Target;
import dev.huddle.events.Command;
import dev.huddle.events.Member;
import dev.huddle.events.RoomMembers;
import dev.huddle.events.commands.Hold;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Received;
import dev.huddle.kafka.Topics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Pushes frames to members of a room. A member who is away (grace period) gets signals and private chat held
 * for it, not here but in the room's state: a {@code hold} command to rooms-service, which keeps it through a
 * crash of either service and delivers it when the member is back. It also applies {@code room-members} updates.
 */
final class Courier {
    private final Membership membership;
    private final Publisher publisher;
    private final Deliveries inboxes;
    private final RelayMetrics metrics;

    Courier(Membership membership, Publisher publisher, Deliveries inboxes, RelayMetrics metrics) {
        this.inboxes = inboxes;
        this.membership = membership;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    /**
     * Sends {@code frame} now to those of {@code peers} who are present in {@code room}. Away ones get it held
     * when {@code hold} (signals, private chat), else not at all (public chat: history covers it). Peers no
     * longer in the room get nothing.
     *
     * @param cause the request's command id: a redelivered request sends and holds under the same ids, so
     *              gateways and rooms-service keep one copy
     * @return completes when the broker has the delivery and the holds
     */
    CompletableFuture<?> send(String cause, String room, List<String> peers, String frame, long ingressTs,
                              boolean hold) {
        List<Target> now = new ArrayList<>(peers.size());
        List<CompletableFuture<?>> acks = new ArrayList<>(2);
        for (String peer : peers) {
            Member m = membership.member(room, peer);
            if (m == null) {
                continue;
            }
            if (!m.away()) {
                now.add(new Target(peer, m.gateway()));
            } else if (hold) {
                metrics.held();
                acks.add(publisher.send(Topics.ROOM_COMMANDS, room, holdCommand(cause, room, peer, frame, ingressTs)));
            }
        }
        if (!now.isEmpty()) {
            acks.add(inboxes.send(Deliveries.push(Command.derivedId(cause, "push"), now, frame, ingressTs))
                    .thenRun(() -> metrics.latency(ingressTs)));
        }
        return Publisher.all(acks);
    }

    private static Command holdCommand(String cause, String room, String peer, String frame, long ingressTs) {
        Hold hold = new Hold(room, peer, frame, ingressTs);
        String id = Command.derivedId(cause, hold.type() + "/" + peer);
        return new Command(Command.VERSION, id, System.currentTimeMillis(), null, hold.type(), null, room,
                hold.toJson());
    }

    /** Handler of the {@code room-members} replica: record the new snapshots. */
    CompletionStage<?> onRoomMembers(List<Received<RoomMembers>> batch) {
        for (Received<RoomMembers> record : batch) {
            membership.put(record.key(), record.value());
        }
        return CompletableFuture.completedFuture(null);
    }
}
