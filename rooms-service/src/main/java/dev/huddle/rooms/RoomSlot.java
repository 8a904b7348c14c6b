package dev.huddle.rooms;

import dev.huddle.delivery.Routed;

import java.util.ArrayList;
import java.util.List;

/**
 * One room's part of a batch: its committed state, its working copy, and the deliveries its commands caused.
 */
final class RoomSlot {
    /** Command ids remembered per room, to drop a command that a producer sent twice. */
    private static final int RECENT_IDS = 64;

    final String name;
    /** The committed state ({@code null}: no such room; may be an ended marker). */
    final RoomState before;
    /** The working copy, {@code null} while there is no live room of that name. */
    Room room;
    private boolean changed;
    private long ended;
    private long lastOffset;
    private long offset;
    private final List<String> recentIds;
    private final List<RoomState.Outgoing> outbox = new ArrayList<>();
    private final List<Routed> sink;

    RoomSlot(String name, RoomState before, List<Routed> sink) {
        this.name = name;
        this.before = before;
        this.sink = sink;
        this.room = before != null && before.live() ? Room.of(before) : null;
        this.ended = before == null ? 0 : before.ended();
        this.lastOffset = before == null ? -1 : before.lastOffset();
        this.recentIds = new ArrayList<>(before == null || before.recentIds() == null ? List.of() : before.recentIds());
    }

    /** A redelivery of a command whose effects are already in the committed state. */
    boolean redelivered(long offset) {
        return before != null && offset <= before.lastOffset();
    }

    /** A command that was applied before at another offset (the same command produced twice). */
    boolean duplicate(String id) {
        return id != null && recentIds.contains(id);
    }

    /** Sends again what the command at {@code offset} caused: its writer may have died before sending it. */
    void resend(long offset) {
        this.offset = offset;
        if (before.outbox() != null) {
            for (RoomState.Outgoing o : before.outbox()) {
                if (o.offset() == offset) {
                    deliver(List.of(new Routed(o.gateway(), o.delivery())));
                }
            }
        }
    }

    void begin(long offset) {
        this.offset = offset;
    }

    /** The command begun last is applied: redeliveries and duplicates of it will be skipped. */
    void applied(String id) {
        lastOffset = offset;
        if (id != null) {
            recentIds.add(id);
            if (recentIds.size() > RECENT_IDS) {
                recentIds.removeFirst();
            }
        }
    }

    Room create(Room created) {
        room = created;
        ended = 0;
        changed = true;
        return created;
    }

    void changed() {
        changed = true;
    }

    /** The room ends (its last member left, or it was closed). */
    void end() {
        room = null;
        ended = System.currentTimeMillis();
        changed = true;
    }

    boolean isChanged() {
        return changed;
    }

    /** Inbox records of the batch, in the order the commands caused them (the seam built them). */
    void deliver(List<Routed> routed) {
        for (Routed r : routed) {
            sink.add(r);
            outbox.add(new RoomState.Outgoing(offset, r.gateway(), r.delivery()));
        }
    }

    /**
     * The state to write: the live room, or an ended marker. The outbox is left out when it is large (a join
     * reply carries the chat history), so a snapshot never nears the broker's record size limit.
     */
    RoomState after(int outboxLimitChars) {
        long size = outbox.stream().mapToLong(o -> o.delivery().frame() == null ? 0 : o.delivery().frame().length())
                .sum();
        List<RoomState.Outgoing> kept = size <= outboxLimitChars ? List.copyOf(outbox) : List.of();
        List<String> ids = List.copyOf(recentIds);
        return room != null
                ? room.state(lastOffset, ids, kept)
                : new RoomState(name, List.of(), null, false, false, 0, List.of(), lastOffset, ids, kept, ended,
                        List.of());
    }
}
