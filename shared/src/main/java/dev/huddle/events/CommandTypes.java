package dev.huddle.events;

/**
 * Names of internal commands (those not sent by clients). Client requests keep their protocol type. Each command's
 * data is a record in {@code dev.huddle.events.commands} (named after it), which producers write and consumers
 * read ({@link dev.huddle.events.commands.CommandData#read}).
 */
public final class CommandTypes {
    /** rooms: the peer's connection is gone for good; data {room, reason} */
    public static final String DEPART = "depart";
    /** rooms: the peer's connection dropped, its grace period runs; data {room} */
    public static final String AWAY = "away";
    /** rooms: the peer resumed; data {room}; origin is the new connection, ref the resume's */
    public static final String BACK = "back";
    /** rooms: operator removes a peer; data {room, peerId} */
    public static final String KICK = "kick";
    /** rooms: operator closes a room; data {room} */
    public static final String CLOSE_ROOM = "close_room";
    /** rooms: operator locks or unlocks a room; data {room, locked} */
    public static final String LOCK = "lock";
    /** rooms: operator announcement to one room; data {room, text} */
    public static final String NOTICE = "notice";
    /**
     * rooms: signaling relayed a signal or private chat to a member who is away (grace period): keep it in the
     * room's state until the member is back, deliver it at once if it is back already, drop it if it is gone;
     * data {room, to, frame, ingressTs}
     */
    public static final String HOLD = "hold";
    /** rooms: signaling relayed a public chat message, keep it in history; data ChatMessage */
    public static final String CHAT_POSTED = "chat_posted";

    /** presence: a connection opened; data {tokenHash, remote, userAgent} */
    public static final String CONNECTED = "connected";
    /** presence: a connection closed; data {} */
    public static final String DISCONNECTED = "disconnected";
    /** presence: a new connection asks for an old session; data {peerId, tokenHash, newTokenHash, abandonedPeer} */
    public static final String RESUME = "resume";
    /** presence to itself: a resume gave up this (fresh) peer, whose session ends now; data {} */
    public static final String ABANDONED = "abandoned";

    private CommandTypes() {
    }
}
