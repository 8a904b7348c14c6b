package dev.huddle.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.delivery.Deliveries;
import dev.huddle.delivery.Target;
import dev.huddle.events.ChatMessage;
import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;
import dev.huddle.events.Media;
import dev.huddle.events.RequestTypes;
import dev.huddle.events.Member;
import dev.huddle.json.Json;
import dev.huddle.service.RoomLog;
import dev.huddle.events.commands.Away;
import dev.huddle.events.commands.Back;
import dev.huddle.events.commands.ChatPosted;
import dev.huddle.events.commands.CloseRoom;
import dev.huddle.events.commands.Depart;
import dev.huddle.events.commands.Hold;
import dev.huddle.events.commands.Kick;
import dev.huddle.events.commands.Lock;
import dev.huddle.events.commands.Notice;
import dev.huddle.events.commands.ParsedCommand;
import dev.huddle.events.commands.RoomCommandData;
import dev.huddle.service.RoomPassword;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;

/**
 * What each command on {@code room-commands} does to its room (architecture.md, protocol.md "Rooms").
 * Pure bookkeeping on a {@link RoomSlot}: the batch processor decides when the results are written and sent.
 */
final class RoomCommands {
    private static final System.Logger LOG = System.getLogger(RoomCommands.class.getName());
    private static final Object EMPTY = Map.of();

    private final RoomRules rules;

    RoomCommands(RoomRules rules) {
        this.rules = rules;
    }

    void apply(ParsedCommand parsed, RoomSlot s) {
        Command c = parsed.command();
        if (parsed.data() instanceof RoomCommandData data) {
            // Every internal command of room-commands: the compiler checks that none is missed.
            switch (data) {
                case Away d -> away(c, s);
                case Back d -> back(c, s);
                case Depart d -> depart(c, d, s);
                case Kick d -> kick(c, d, s);
                case CloseRoom d -> closeRoom(c, s);
                case Lock d -> lock(c, d, s);
                case Notice d -> notice(c, d, s);
                case ChatPosted d -> chatPosted(d, s);
                case Hold d -> hold(d, s);
            }
            return;
        }
        switch (c.type()) {
            case RequestTypes.JOIN -> join(c, s);
            case RequestTypes.LEAVE -> leave(c, s);
            case RequestTypes.RENAME -> rename(c, s);
            case RequestTypes.MEDIA -> media(c, s);
            case RequestTypes.HAND -> hand(c, s);
            default -> {
                LOG.log(Level.WARNING, "Ignoring command of unknown type " + c.type());
                fail(c, s, ErrorCode.UNKNOWN_TYPE, "Unknown request type");
            }
        }
    }

    private void join(Command c, RoomSlot s) {
        String peerId = actor(c);
        String nickname = text(c.data(), "nickname");
        if (peerId == null || nickname == null) {
            fail(c, s, ErrorCode.INVALID_FIELD, "A join needs 'room' and 'nickname'");
            return;
        }
        Room room = s.room;
        if (room != null && room.member(peerId) != null) {
            reply(c, s, room.view(peerId)); // already in: nothing changes, nothing is pushed
            return;
        }
        // The gateway sends a key derived from the password (RoomPassword), never the password: comparing it is cheap.
        String key = text(c.data(), "passwordKey");
        if (room == null) {
            String stored = key == null ? null : RoomPassword.stored(key);
            long created = c.ts() > 0 ? c.ts() : System.currentTimeMillis();
            room = s.create(Room.create(s.name, stored, c.data().path("private").asBoolean(false), created));
        } else if (room.locked) {
            fail(c, s, ErrorCode.ROOM_LOCKED, "Room '" + s.name + "' is locked by an operator: nobody can join it now");
            return;
        } else if (room.size() >= rules.capacity()) {
            fail(c, s, ErrorCode.ROOM_FULL,
                    "Room '" + s.name + "' is full (" + room.size() + " of " + rules.capacity() + ")");
            return;
        } else if (room.passwordHash != null && !RoomPassword.matches(key, room.passwordHash)) {
            fail(c, s, ErrorCode.WRONG_PASSWORD, key == null
                    ? "Room '" + s.name + "' needs a password"
                    : "Wrong password for room '" + s.name + "'");
            return;
        }
        Member member = new Member(peerId, nickname, media(c.data().get("media")), false, null, c.origin().gateway());
        room.add(member);
        s.changed();
        RoomLog.log(LOG, Level.INFO, s.name, peerId, "Peer " + peerId + " joined room '" + s.name + "'");
        reply(c, s, room.view(peerId));
        push(c, s, room.present(peerId), RoomFrames.peerJoined(s.name, member.peer()));
    }

    /** The joiner's media as the gateway validated it; absent: all off. */
    private static Media media(JsonNode m) {
        if (m == null || !m.isObject()) {
            return Media.DEFAULT;
        }
        return new Media(m.path("audio").asBoolean(false), m.path("video").asBoolean(false),
                m.path("screen").asBoolean(false));
    }

    private void leave(Command c, RoomSlot s) {
        Member member = memberOrFail(c, s);
        if (member != null) {
            reply(c, s, EMPTY);
            remove(c, s, member.peerId(), "left");
        }
    }

    private void rename(Command c, RoomSlot s) {
        Member member = memberOrFail(c, s);
        String nickname = text(c.data(), "nickname");
        if (member == null) {
            return;
        }
        if (nickname == null) {
            fail(c, s, ErrorCode.INVALID_FIELD, "A rename needs 'nickname'");
            return;
        }
        s.room.update(member.withNickname(nickname));
        s.changed();
        reply(c, s, EMPTY);
        push(c, s, s.room.present(member.peerId()), RoomFrames.peerRenamed(s.name, member.peerId(), nickname));
    }

    private void media(Command c, RoomSlot s) {
        Member member = memberOrFail(c, s);
        if (member == null) {
            return;
        }
        JsonNode d = c.data();
        Media now = member.media();
        Media media = new Media(d.path("audio").asBoolean(now.audio()), d.path("video").asBoolean(now.video()),
                d.path("screen").asBoolean(now.screen()));
        s.room.update(member.withMedia(media));
        s.changed();
        reply(c, s, EMPTY);
        push(c, s, s.room.present(member.peerId()),
                RoomFrames.peerMedia(s.name, member.peerId(), media.audio(), media.video(), media.screen()));
    }

    /**
     * Raises or lowers the sender's hand. Raising a raised hand keeps the time it went up (its place in the order
     * of hands) and, like lowering a lowered one, changes nothing and pushes nothing.
     */
    private void hand(Command c, RoomSlot s) {
        Member member = memberOrFail(c, s);
        if (member == null) {
            return;
        }
        JsonNode raised = c.data().get("raised");
        if (raised == null || !raised.isBoolean()) {
            fail(c, s, ErrorCode.INVALID_FIELD, "A hand needs 'raised': true or false");
            return;
        }
        reply(c, s, EMPTY);
        if (raised.asBoolean() == (member.hand() != null)) {
            return;
        }
        Long hand = raised.asBoolean() ? (c.ts() > 0 ? c.ts() : System.currentTimeMillis()) : null;
        s.room.update(member.withHand(hand));
        s.changed();
        push(c, s, s.room.present(null), RoomFrames.peerHand(s.name, member.peerId(), hand));
    }

    /** The peer's connection dropped: it stays a member, marked away, and nobody is told yet. */
    private void away(Command c, RoomSlot s) {
        Member member = subjectMember(c, s);
        if (member != null && !member.away()) {
            s.room.update(member.withAway(true));
            s.changed();
        }
    }

    /**
     * The peer resumed on a new connection: the others hear it is back, the new connection gets the room as a
     * join reply would show it. No reply: the gateway answers the resume when it has every room.
     */
    private void back(Command c, RoomSlot s) {
        Member member = subjectMember(c, s);
        if (member == null) {
            s.deliver(Deliveries.control(c.origin(), Delivery.Control.RESUME_ROOM, RoomFrames.gone(s.name)));
            return;
        }
        // Back on the origin's connection, perhaps on another gateway: what is for it goes there from now on.
        String gateway = c.origin() != null && c.origin().gateway() != null ? c.origin().gateway() : member.gateway();
        RoomLog.log(LOG, Level.INFO, s.name, member.peerId(), "Peer " + member.peerId() + " is back in room '"
                + s.name + "' (resumed on " + gateway + ")");
        if (member.away() || !gateway.equals(member.gateway())) {
            member = member.backOn(gateway);
            s.room.update(member);
            s.changed();
        }
        s.deliver(Deliveries.control(c.origin(), Delivery.Control.RESUME_ROOM,
                RoomFrames.view(s.room.view(member.peerId()))));
        // What was relayed to it meanwhile, in order, after the room (the gateway sends both after the resume reply).
        List<RoomState.Held> held = s.room.takeHeld(member.peerId());
        List<Target> self = List.of(new Target(member.peerId(), gateway));
        for (RoomState.Held h : held) {
            s.deliver(Deliveries.push(null, self, h.frame(), h.ingressTs()));
        }
        if (!held.isEmpty()) {
            s.changed();
        }
        push(c, s, s.room.present(member.peerId()), RoomFrames.peerReconnected(s.name, member.peerId()));
    }

    /**
     * signaling relayed a signal or private chat to a member who is away. Kept in the room's state, it survives a
     * crash of either service; the member gets it when it is back. Decided here, in the room's order: a member
     * back already gets it now, one gone for good never.
     */
    private void hold(Hold h, RoomSlot s) {
        Member member = s.room == null ? null : s.room.member(h.to());
        if (member == null) {
            return;
        }
        if (!member.away()) {
            s.deliver(Deliveries.push(null, List.of(new Target(h.to(), member.gateway())), h.frame(), h.ingressTs()));
            return;
        }
        int dropped = s.room.hold(new RoomState.Held(h.to(), h.frame(), h.ingressTs()), rules.holdMax(),
                rules.holdChars());
        if (dropped > 0) {
            LOG.log(Level.DEBUG, dropped + " held frames dropped in room '" + s.name + "' to make room");
        }
        s.changed();
    }

    private void depart(Command c, Depart d, RoomSlot s) {
        Member member = subjectMember(c, s);
        if (member != null) {
            remove(c, s, member.peerId(), d.reason());
        }
    }

    private void kick(Command c, Kick d, RoomSlot s) {
        Member member = s.room == null ? null : s.room.member(d.peerId());
        if (member == null) {
            fail(c, s, ErrorCode.UNKNOWN_PEER, "That peer is not in room '" + s.name + "'");
            return;
        }
        reply(c, s, EMPTY);
        push(c, s, Deliveries.present(List.of(member), null), RoomFrames.kicked(s.name));
        remove(c, s, d.peerId(), "kicked");
    }

    private void closeRoom(Command c, RoomSlot s) {
        if (roomOrFail(c, s)) {
            RoomLog.log(LOG, Level.INFO, s.name, null, "Room '" + s.name + "' closed by an operator");
            reply(c, s, EMPTY);
            push(c, s, s.room.present(null), RoomFrames.roomClosed(s.name));
            s.end();
        }
    }

    private void lock(Command c, Lock d, RoomSlot s) {
        if (roomOrFail(c, s)) {
            if (s.room.locked != d.locked()) {
                RoomLog.log(LOG, Level.INFO, s.name, null, "Room '" + s.name + "' " + (d.locked() ? "locked" : "unlocked")
                        + " by an operator");
                s.room.locked = d.locked();
                s.changed();
            }
            reply(c, s, EMPTY);
        }
    }

    private void notice(Command c, Notice d, RoomSlot s) {
        if (roomOrFail(c, s)) {
            reply(c, s, EMPTY);
            push(c, s, s.room.present(null), RoomFrames.notice(s.name, d.text()));
        }
    }

    /** signaling relayed a public message: keep it for the room's joiners. */
    private void chatPosted(ChatPosted d, RoomSlot s) {
        ChatMessage message = d.message();
        if (s.room != null && message.to() == null && s.room.addChat(message, rules.history())) {
            s.changed();
        }
    }

    /** Removes a member, tells the others why, and ends the room when it was the last one. */
    private static void remove(Command c, RoomSlot s, String peerId, String reason) {
        s.room.remove(peerId);
        s.changed();
        RoomLog.log(LOG, Level.INFO, s.name, peerId, "Peer " + peerId + " left room '" + s.name + "' (" + reason + ")");
        push(c, s, s.room.present(null), RoomFrames.peerLeft(s.name, peerId, reason));
        if (s.room.isEmpty()) {
            s.end();
        }
    }

    /** The sender's membership for a client request, or a {@code not_in_room} answer. */
    private static Member memberOrFail(Command c, RoomSlot s) {
        String peerId = actor(c);
        Member member = s.room == null || peerId == null ? null : s.room.member(peerId);
        if (member == null) {
            fail(c, s, ErrorCode.NOT_IN_ROOM, "You are not in room '" + s.name + "'");
        }
        return member;
    }

    private static boolean roomOrFail(Command c, RoomSlot s) {
        if (s.room == null) {
            fail(c, s, ErrorCode.INVALID_FIELD, "There is no room '" + s.name + "'");
            return false;
        }
        return true;
    }

    /** For presence's away/back/depart: the peer the origin speaks for. */
    private static Member subjectMember(Command c, RoomSlot s) {
        String peerId = actor(c);
        return s.room == null || peerId == null ? null : s.room.member(peerId);
    }

    private static String actor(Command c) {
        return c.origin() == null ? null : c.origin().peer();
    }

    private static String text(JsonNode data, String field) {
        JsonNode n = data == null ? null : data.get(field);
        return n == null || !n.isTextual() ? null : n.asText();
    }

    private static void reply(Command c, RoomSlot s, Object data) {
        if (c.origin() != null && c.ref() != null) {
            s.deliver(Deliveries.toConnection(null, c.origin(), Frames.reply(c.ref(), data), c.ts()));
        }
    }

    /** A failure reply (with ref) or an error push (without) to the connection that asked; operators get none. */
    private static void fail(Command c, RoomSlot s, ErrorCode code, String message) {
        if (c.origin() != null) {
            s.deliver(Deliveries.toConnection(null, c.origin(), Frames.failed(c.ref(), c.type(), code, message),
                    c.ts()));
        }
    }

    private static void push(Command c, RoomSlot s, List<Target> to, String frame) {
        if (!to.isEmpty()) {
            s.deliver(Deliveries.push(null, to, frame, c.ts()));
        }
    }
}
