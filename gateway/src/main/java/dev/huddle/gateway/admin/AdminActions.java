package dev.huddle.gateway.admin;

import dev.huddle.delivery.Deliveries;
import dev.huddle.delivery.Routed;
import dev.huddle.delivery.Target;
import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.Frames;
import dev.huddle.events.Session;
import dev.huddle.events.commands.CloseRoom;
import dev.huddle.events.commands.Kick;
import dev.huddle.events.commands.Lock;
import dev.huddle.events.commands.Notice;
import dev.huddle.events.commands.RoomCommandData;
import dev.huddle.gateway.Unicode;
import dev.huddle.gateway.Validation;
import dev.huddle.json.Json;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RoomLog;

import com.fasterxml.jackson.databind.JsonNode;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What an operator can do, as commands to rooms-service and deliveries to the gateways
 * (docs/architecture.md, "Admin"). Inputs are checked here with the protocol's rules, so rooms-service never
 * sees an operator command a client could not have named; each method returns the id of what it sent and
 * completes when the broker has it.
 */
final class AdminActions {
    private static final System.Logger LOG = System.getLogger(AdminActions.class.getName());
    /**
     * Close code of an operator's disconnect, sent with no frame. The protocol's other codes mean something the
     * client acts on (4000: resumed elsewhere, 1001: reconnect); this one ends the session (no grace period).
     */
    static final int DISCONNECT_CODE = Delivery.CLOSE_ENDS_SESSION;

    /**
     * What an action sent: the id of the command or delivery, and the audit trail's {@code action} and
     * {@code target} for it.
     */
    record Sent(String id, String action, String target) {
    }

    private final Publisher publisher;
    private final ClusterView view;
    private final Deliveries inboxes;

    AdminActions(Publisher publisher, ClusterView view) {
        this.publisher = publisher;
        this.view = view;
        this.inboxes = new Deliveries(publisher, view.gateways());
    }

    /**
     * {@code {peerId}}: closes every connection of that peer, on the gateway its session names; without a session
     * in the view (presence has not written it yet) on every live gateway: a rare action, worth being sure of.
     */
    CompletableFuture<Sent> disconnect(String user, JsonNode body) {
        String peerId = peerId(body);
        Session session = view.session(peerId);
        RoomLog.log(LOG, Level.INFO, null, peerId, "Operator " + user + " disconnects peer " + peerId);
        List<Target> where = session != null && session.gateway() != null
                ? List.of(new Target(peerId, session.gateway()))
                : view.gateways().live().stream().map(g -> new Target(peerId, g)).toList();
        List<Routed> close = Deliveries.close(where, null, null, DISCONNECT_CODE);
        String id = close.isEmpty() ? Command.derivedId(null, "disconnect") : close.getFirst().delivery().id();
        return inboxes.send(close).thenApply(v -> new Sent(id, "disconnect", peerId));
    }

    /** {@code {room, peerId}} */
    CompletableFuture<Sent> kick(String user, JsonNode body) {
        String room = room(body, "room");
        String peerId = peerId(body);
        RoomLog.log(LOG, Level.INFO, room, peerId, "Operator " + user + " kicks peer " + peerId + " from room '" + room
                + "'");
        // room names have no '/', so "room/peerId" splits unambiguously
        return command(new Kick(room, peerId), "kick", room + "/" + peerId);
    }

    /** {@code {room}} */
    CompletableFuture<Sent> close(String user, JsonNode body) {
        String room = room(body, "room");
        RoomLog.log(LOG, Level.INFO, room, null, "Operator " + user + " closes room '" + room + "'");
        return command(new CloseRoom(room), "close_room", room);
    }

    /** {@code {room, locked}} */
    CompletableFuture<Sent> lock(String user, JsonNode body) {
        String room = room(body, "room");
        JsonNode locked = body.get("locked");
        if (locked == null || !locked.isBoolean()) {
            throw ApiError.badRequest("'locked' must be true or false");
        }
        RoomLog.log(LOG, Level.INFO, room, null, "Operator " + user + (locked.booleanValue() ? " locks" : " unlocks")
                + " room '" + room + "'");
        return command(new Lock(room, locked.booleanValue()), locked.booleanValue() ? "lock" : "unlock", room);
    }

    /** {@code {text, room?}}: to one room through rooms-service (it knows the members), else to everyone. */
    CompletableFuture<Sent> notice(String user, JsonNode body) {
        String text = text(body);
        JsonNode roomNode = body.get("room");
        if (roomNode != null && !roomNode.isNull()) {
            String room = room(body, "room");
            RoomLog.log(LOG, Level.INFO, room, null, "Operator " + user + " sends a notice (" + text.length()
                    + " chars) to room '" + room + "'");
            return command(new Notice(room, text), "notice", room);
        }
        List<Routed> everyone = inboxes.everyone(Frames.push("notice", Json.object().put("text", text)));
        LOG.log(Level.INFO, "Operator " + user + " sends a notice (" + text.length() + " chars) to everyone ("
                + everyone.size() + " gateways)");
        String id = everyone.isEmpty() ? Command.derivedId(null, "notice") : everyone.getFirst().delivery().id();
        return inboxes.send(everyone).thenApply(v -> new Sent(id, "notice", Delivery.EVERYONE));
    }

    private CompletableFuture<Sent> command(RoomCommandData data, String action, String target) {
        Command c = Command.of(null, data.room(), data);
        return publisher.send(Topics.ROOM_COMMANDS, data.room(), c).thenApply(md -> new Sent(c.id(), action, target));
    }

    // --- validation: the protocol's own rules (Validation), answered as 400 invalid_field ---

    static String room(JsonNode body, String field) {
        try {
            return Validation.roomName(string(body, field), field);
        } catch (Validation.Invalid e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    static String peerId(JsonNode body) {
        try {
            return Validation.peerId(string(body, "peerId"), "peerId");
        } catch (Validation.Invalid e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /** A chat text's rules, after NFC and trimming (an operator's notice is not meant to start with a blank). */
    static String text(JsonNode body) {
        try {
            return Validation.text(Unicode.normalise(string(body, "text")), "text");
        } catch (Validation.Invalid e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    private static String string(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual()) {
            throw ApiError.badRequest("'" + field + "' (string) is required");
        }
        return node.textValue();
    }
}
