package dev.huddle.rooms;

import dev.huddle.delivery.Deliveries;
import dev.huddle.delivery.Routed;
import dev.huddle.events.Command;
import dev.huddle.events.DirectoryEntry;
import dev.huddle.events.RoomMembers;
import dev.huddle.events.commands.ParsedCommand;
import dev.huddle.events.commands.RoomCommandData;
import dev.huddle.json.JsonShapeException;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Received;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RoomLog;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Handles a batch of {@code room-commands}: applies the commands in order to working copies of their rooms,
 * writes the changed rooms to {@code room-state}, {@code room-members} and {@code room-directory}, waits for the
 * broker's acks, and only then makes the new states current and sends the replies and pushes. So whatever a
 * reply tells (e.g. a joiner's membership) is already readable by the other services (architecture.md,
 * Causality), and a failed batch is applied again from the unchanged committed states.
 *
 * <p>Redelivery (a crash before the offset commit) is exact: each room's snapshot holds the offset of the last
 * command applied to it, and the deliveries that batch caused, which are sent again instead of applying again.
 */
final class CommandProcessor implements ConsumerLoop.TypedHandler<ParsedCommand> {
    private static final System.Logger LOG = System.getLogger(CommandProcessor.class.getName());
    /** Room snapshots keep their batch's deliveries only up to this size (records must stay well under 1 MB). */
    private static final int OUTBOX_LIMIT_CHARS = 200_000;

    private final RoomRegistry registry;
    private final RoomCommands commands;
    private final Publisher publisher;
    private final Deliveries inboxes;
    private final RoomsMetrics metrics;
    private final int capacity;
    private final long tombstoneDelayMs;

    CommandProcessor(RoomRegistry registry, RoomCommands commands, Publisher publisher, Deliveries inboxes,
                     RoomsMetrics metrics, int capacity, long tombstoneDelayMs) {
        this.inboxes = inboxes;
        this.registry = registry;
        this.commands = commands;
        this.publisher = publisher;
        this.metrics = metrics;
        this.capacity = capacity;
        this.tombstoneDelayMs = tombstoneDelayMs;
    }

    @Override
    public CompletionStage<?> handle(List<Received<ParsedCommand>> records) {
        List<Routed> deliveries = new ArrayList<>();
        Map<String, RoomSlot> slots = new LinkedHashMap<>();
        for (Received<ParsedCommand> r : records) {
            ParsedCommand c = r.value();
            RoomSlot slot = slots.computeIfAbsent(r.key(), name -> new RoomSlot(name, registry.get(name), deliveries));
            if (slot.redelivered(r.offset())) {
                slot.resend(r.offset());
            } else if (slot.duplicate(c.command().id())) {
                LOG.log(Level.DEBUG, "Dropping duplicate command " + c.command().id());
            } else {
                slot.begin(r.offset());
                apply(c, slot);
                slot.applied(c.command().id());
            }
        }

        List<CompletableFuture<?>> writes = new ArrayList<>();
        Map<String, RoomState> commits = new LinkedHashMap<>();
        for (RoomSlot slot : slots.values()) {
            if (slot.isChanged()) {
                RoomState after = slot.after(OUTBOX_LIMIT_CHARS);
                write(slot.before, after, writes);
                commits.put(slot.name, after);
            }
        }
        // Ended rooms' markers go once their end is long behind the committed offset.
        for (String name : registry.endedBefore(System.currentTimeMillis() - tombstoneDelayMs)) {
            if (!slots.containsKey(name)) {
                writes.add(publisher.send(Topics.ROOM_STATE, name, null));
                commits.put(name, null);
            }
        }

        return Publisher.all(writes).thenCompose(written -> {
            commits.forEach(registry::commit);
            // Pushes first, then answers to the connections that asked: a reply means the request's pushes are
            // in every inbox, so the sender's next request (to signaling perhaps) pushes after them.
            List<Routed> answers = deliveries.stream().filter(CommandProcessor::answer).toList();
            List<Routed> pushes = deliveries.stream().filter(r -> !answer(r)).toList();
            return answers.isEmpty() ? inboxes.send(pushes)
                    : inboxes.send(pushes).thenCompose(pushed -> inboxes.send(answers));
        });
    }

    /** A reply or failure for one connection (not a push, not a resume control). */
    private static boolean answer(Routed r) {
        return r.delivery().conn() != null && r.delivery().control() == null;
    }

    private void apply(ParsedCommand parsed, RoomSlot slot) {
        Command c = parsed.command();
        metrics.command(c.type());
        if ("join".equals(c.type())) {
            metrics.joined(c.ts(), System.currentTimeMillis());
        }
        try {
            commands.apply(parsed, slot);
        } catch (RuntimeException e) {
            // A bug must not stop the partition by failing the batch over and over.
            RoomLog.log(LOG, Level.ERROR, slot.name, c.origin() == null ? null : c.origin().peer(),
                    "Command " + c.type() + " " + c.id() + " failed", e);
        }
    }

    /** Snapshot always; members and directory entry only when they changed (their readers react to each write). */
    private void write(RoomState before, RoomState after, List<CompletableFuture<?>> writes) {
        String name = after.name();
        writes.add(publisher.send(Topics.ROOM_STATE, name, after));
        List<?> membersBefore = before != null && before.live() ? before.members() : null;
        List<?> membersAfter = after.live() ? after.members() : null;
        if (before != null && before.live() && !after.live()) {
            metrics.roomEnded(before.created(), System.currentTimeMillis());
        }
        boolean lockChanged = before != null && before.live() && after.live() && before.locked() != after.locked();
        if (!Objects.equals(membersBefore, membersAfter) || lockChanged) {
            writes.add(publisher.send(Topics.ROOM_MEMBERS, name, after.live()
                    ? new RoomMembers(Command.VERSION, name, after.members(), System.currentTimeMillis(),
                            after.locked()) : null));
        }
        DirectoryEntry entryBefore = Room.directoryEntry(before, capacity);
        DirectoryEntry entryAfter = Room.directoryEntry(after, capacity);
        if (before == null || !Objects.equals(entryBefore, entryAfter)) {
            writes.add(publisher.send(Topics.ROOM_DIRECTORY, name, entryAfter));
        }
    }

    /**
     * How the loop reads {@code room-commands}: a command (internal ones with data of their shape) keyed by its
     * room, and naming no other room in its data. Anything else is a bad record, skipped and counted by the loop.
     */
    static ParsedCommand parse(String key, String value) {
        if (key == null) {
            throw new JsonShapeException("a room command without a room key");
        }
        ParsedCommand parsed = ParsedCommand.read(value);
        String room = parsed.data() instanceof RoomCommandData d ? d.room()
                : parsed.command().data().path("room").asText(key); // a client request's room, if it names one
        if (!room.equals(key)) {
            throw new JsonShapeException("a room command whose room is not its key");
        }
        return parsed;
    }
}
