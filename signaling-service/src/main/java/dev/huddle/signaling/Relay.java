package dev.huddle.signaling;

import dev.huddle.delivery.Deliveries;
import dev.huddle.events.ChatMessage;
import dev.huddle.events.Command;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;
import dev.huddle.events.Member;
import dev.huddle.events.RoomMembers;
import dev.huddle.events.commands.ChatPosted;
import dev.huddle.events.commands.ParsedCommand;
import dev.huddle.json.Json;
import dev.huddle.kafka.Partitions;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Received;
import dev.huddle.kafka.RecentIds;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RoomLog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Handler of the {@code signals} topic: relays {@code signal} and {@code chat} between members of a room and
 * refuses everything else. A batch is handled in order, so per room (one partition) an offer goes out before
 * the candidates that follow it, even when a causality barrier makes the relay wait.
 */
final class Relay {
    private static final System.Logger LOG = System.getLogger(Relay.class.getName());
    /** A gateway's internal request on the signals topic: answer once everything before it is pushed. */
    static final String FENCE = "fence";

    /** The room as it was when a request was admitted, or why the request was refused. */
    private record Admission(RoomMembers room, ErrorCode code, String message) {
        static Admission refused(ErrorCode code, String message) {
            return new Admission(null, code, message);
        }

        boolean ok() {
            return code == null;
        }
    }

    private final Membership membership;
    private final Courier courier;
    private final Publisher publisher;
    private final Deliveries inboxes;
    private final RelayMetrics metrics;
    private final Function<String, CompletableFuture<Void>> barrier;
    private final long barrierMs;
    private final RecentIds done = new RecentIds(20_000);
    /**
     * room-members partitions the replica has caught up on since the current batch was polled. That covers
     * every request of the batch: each was written after the membership it depends on was acknowledged. So
     * a burst of signals to a peer who just left (trickled candidates) costs one wait per batch, not one each.
     */
    private final Set<Integer> caughtUpThisBatch = new HashSet<>();

    /**
     * @param barrier   completes when the membership replica has read everything written so far for a room
     * @param barrierMs how long to wait for it before answering {@code unavailable}
     */
    Relay(Membership membership, Courier courier, Publisher publisher, Deliveries inboxes, RelayMetrics metrics,
          Function<String, CompletableFuture<Void>> barrier, long barrierMs) {
        this.inboxes = inboxes;
        this.membership = membership;
        this.courier = courier;
        this.publisher = publisher;
        this.metrics = metrics;
        this.barrier = barrier;
        this.barrierMs = barrierMs;
    }

    CompletionStage<?> handle(List<Received<ParsedCommand>> batch) {
        List<CompletableFuture<?>> acks = new ArrayList<>(batch.size());
        caughtUpThisBatch.clear();
        for (Received<ParsedCommand> record : batch) {
            Command command = record.value().command();
            if (done.contains(command.id())) {
                continue;
            }
            if (FENCE.equals(command.type())) {
                acks.add(fence(command, List.copyOf(acks)));
                continue;
            }
            acks.add(handleSafely(command).thenRun(() -> done.add(command.id())));
        }
        return Publisher.all(acks);
    }

    /**
     * A gateway's {@code fence}: answered once everything relayed before it in this partition is acknowledged (the
     * batches before this one were, before it was polled). The gateway holds a sender's next rooms request until
     * then, so that request's pushes come after these (architecture.md, "Order of a sender's requests").
     */
    private CompletableFuture<?> fence(Command command, List<CompletableFuture<?>> before) {
        if (command.origin() == null || command.ref() == null) {
            return CompletableFuture.completedFuture(null);
        }
        String room = command.key();
        return Publisher.all(before).thenCompose(x -> reply(command, room, Json.object()));
    }

    /** A bug must not turn one request into a poison pill that stalls its partition: answer it and go on. */
    private CompletableFuture<?> handleSafely(Command command) {
        try {
            return handle(command);
        } catch (RuntimeException e) {
            RoomLog.log(LOG, Level.ERROR, command.key(), command.origin() == null ? null : command.origin().peer(),
                    "Failed to handle '" + command.type() + "' command " + command.id(), e);
            if (command.origin() == null || command.origin().peer() == null) {
                return CompletableFuture.completedFuture(null);
            }
            return refuse(command, ErrorCode.INTERNAL, "Your message could not be relayed because of a server error");
        }
    }

    private CompletableFuture<?> handle(Command command) {
        if (command.origin() == null || command.origin().peer() == null) {
            LOG.log(Level.WARNING, "Dropping '" + command.type() + "' command " + command.id() + " without an origin");
            return CompletableFuture.completedFuture(null);
        }
        JsonNode data = command.data();
        String type = command.type();
        return switch (type) {
            case "signal" -> signal(command, data);
            case "chat" -> chat(command, data);
            case "react" -> react(command, data);
            default -> refuse(command, ErrorCode.UNKNOWN_TYPE,
                    "Signaling relays only 'signal', 'chat' and 'react', not '" + type + "'");
        };
    }

    private CompletableFuture<?> signal(Command command, JsonNode data) {
        String room = text(data, "room");
        String to = text(data, "to");
        if (room == null || to == null) {
            return refuse(command, ErrorCode.INVALID_FIELD, "A signal needs 'room' and 'to' (strings)");
        }
        String sender = command.origin().peer();
        // Carries nothing from the room's state: members confirmed is enough (see admit), even after a rooms request.
        Admission admission = admit(room, sender, to, false);
        if (!admission.ok()) {
            return refuse(command, admission.code(), admission.message());
        }
        ObjectNode push = Json.object();
        push.put("room", room);
        push.put("from", sender);
        for (String field : List.of("description", "candidate")) {
            if (present(data, field)) {
                push.set(field, data.get(field));
            }
        }
        CompletableFuture<?> pushed = courier.send(command.id(), room, List.of(to), Frames.push("signal", push),
                command.ts(), true);
        metrics.relayed("signal");
        return CompletableFuture.allOf(pushed, reply(command, room, Json.object()));
    }

    private CompletableFuture<?> chat(Command command, JsonNode data) {
        String room = text(data, "room");
        String text = text(data, "text");
        String to = text(data, "to");
        if (room == null || text == null || (present(data, "to") && to == null)) {
            return refuse(command, ErrorCode.INVALID_FIELD, "A chat needs 'room' and 'text' (strings), 'to' if "
                    + "present must be a peerId");
        }
        String sender = command.origin().peer();
        Admission admission = admit(room, sender, to, sync(data));
        if (!admission.ok()) {
            return refuse(command, admission.code(), admission.message());
        }
        long ts = command.ts() > 0 ? command.ts() : System.currentTimeMillis();
        ChatMessage message = new ChatMessage(room, chatId(command), new ChatMessage.Sender(sender,
                admission.room().member(sender).nickname()), to, text, ts);
        String frame = Frames.push("chat", message);
        List<CompletableFuture<?>> acks = new ArrayList<>(3);
        if (to == null) {
            List<String> everyone = admission.room().members().stream().map(Member::peerId).toList();
            acks.add(courier.send(command.id(), room, everyone, frame, command.ts(), false));
            // Into the room's history. Both ids derive from the request's, so a redelivered request repeats
            // the same command and message, and rooms-service can drop the copy.
            ChatPosted posted = new ChatPosted(message);
            acks.add(publisher.send(Topics.ROOM_COMMANDS, room, new Command(Command.VERSION,
                    Command.derivedId(message.id(), posted.type()), ts, null, posted.type(), null, room,
                    posted.toJson())));
        } else {
            List<String> both = to.equals(sender) ? List.of(sender) : List.of(to, sender);
            acks.add(courier.send(command.id(), room, both, frame, command.ts(), true));
        }
        metrics.relayed("chat");
        ObjectNode reply = Json.object();
        reply.put("id", message.id());
        reply.put("ts", ts);
        acks.add(reply(command, room, reply));
        return Publisher.all(acks);
    }

    /** A reaction goes to everyone in the room, the sender included, and is kept nowhere. */
    private CompletableFuture<?> react(Command command, JsonNode data) {
        String room = text(data, "room");
        String emoji = text(data, "emoji");
        if (room == null || emoji == null) {
            return refuse(command, ErrorCode.INVALID_FIELD, "A reaction needs 'room' and 'emoji' (strings)");
        }
        String sender = command.origin().peer();
        Admission admission = admit(room, sender, null, false); // like a signal, it carries no room state
        if (!admission.ok()) {
            return refuse(command, admission.code(), admission.message());
        }
        long ts = command.ts() > 0 ? command.ts() : System.currentTimeMillis();
        String frame = Frames.push("reaction", new Reaction(room, sender, emoji, ts));
        List<String> everyone = admission.room().members().stream().map(Member::peerId).toList();
        CompletableFuture<?> pushed = courier.send(command.id(), room, everyone, frame, command.ts(), false);
        metrics.relayed("react");
        return CompletableFuture.allOf(pushed, reply(command, room, Json.object()));
    }

    /** The {@code reaction} push of protocol.md. */
    record Reaction(String room, String from, String emoji, long ts) {
    }

    /**
     * Checks that {@code sender} (and {@code to}, if given) are members of {@code room}. When not, it may be
     * that rooms-service has just added them and our replica has not read it yet (a newcomer's first offer):
     * wait until the replica has read everything written for the room so far, then decide. {@code sync}: the
     * sender's previous request in the room went to rooms-service (a rename) and what is relayed carries room
     * state (a chat line carries the sender's nickname): wait for that anyway, so the line shows its effect. A
     * signal or a reaction carries none, so it waits only when the members are not confirmed: a newcomer's first
     * offer, whose join rooms-service answered a moment ago, must not wait for a round trip to the broker.
     */
    private Admission admit(String room, String sender, String to, boolean sync) {
        Admission admission = check(room, sender, to);
        int partition = Partitions.forKey(room, Topics.ROOM_MEMBERS.partitions());
        if ((admission.ok() && !sync) || caughtUpThisBatch.contains(partition)) {
            return admission;
        }
        metrics.barrier();
        try {
            barrier.apply(room).get(barrierMs, TimeUnit.MILLISECONDS);
            caughtUpThisBatch.add(partition);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unconfirmed(room);
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.WARNING, "Membership of room '" + room + "' not confirmed within " + barrierMs + " ms: " + e);
            return unconfirmed(room);
        }
        return check(room, sender, to);
    }

    private Admission check(String room, String sender, String to) {
        RoomMembers members = membership.room(room);
        if (members == null || members.member(sender) == null) {
            return Admission.refused(ErrorCode.NOT_IN_ROOM, "You are not in room '" + room + "'; join it first");
        }
        if (to != null && members.member(to) == null) {
            return Admission.refused(ErrorCode.UNKNOWN_PEER, "Peer '" + to + "' is not in room '" + room + "'");
        }
        return new Admission(members, null, null);
    }

    private static Admission unconfirmed(String room) {
        return Admission.refused(ErrorCode.UNAVAILABLE,
                "The members of room '" + room + "' could not be confirmed in time; try again");
    }

    private CompletableFuture<?> reply(Command command, String room, Object data) {
        if (command.ref() == null) {
            return CompletableFuture.completedFuture(null);
        }
        return inboxes.send(Deliveries.toConnection(Command.derivedId(command.id(), "reply"), command.origin(),
                Frames.reply(command.ref(), data), command.ts()));
    }

    private CompletableFuture<?> refuse(Command command, ErrorCode code, String message) {
        metrics.refused(code);
        return inboxes.send(Deliveries.toConnection(Command.derivedId(command.id(), "refusal"), command.origin(),
                Frames.failed(command.ref(), command.type(), code, message), command.ts()));
    }

    /** The gateway marks a request that follows one of the sender's rooms requests (RequestOrder, "sync"). */
    private static boolean sync(JsonNode data) {
        return data.path("sync").asBoolean(false);
    }

    /** 16 hex characters, unguessable (from the request's random id) and the same if the request is redelivered. */
    private static String chatId(Command command) {
        String seed = command.id() != null ? command.id() : dev.huddle.events.RecordIds.random();
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** null counts as absent (protocol.md) */
    private static boolean present(JsonNode data, String field) {
        JsonNode node = data.get(field);
        return node != null && !node.isNull();
    }

    private static String text(JsonNode data, String field) {
        JsonNode node = data.get(field);
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
