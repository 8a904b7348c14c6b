package dev.huddle.kafka;

import java.util.List;

/**
 * Every topic of the system. Room topics share one partition count and are keyed by room name,
 * so one partition orders everything about a room.
 */
public final class Topics {
    public static final int ROOM_PARTITIONS = 12;
    private static final long HOUR = 3_600_000L;

    /**
     * gateway and operators to rooms-service: join, leave, rename, media, away/back/depart, admin actions. Recovery
     * needs only what rooms-service has not handled yet (its snapshots on room-state hold the rest), and a request
     * older than a few seconds has been answered `unavailable` anyway: an hour covers a long outage of rooms-service
     * without keeping room passwords and chat on disk for a day.
     */
    public static final TopicSpec ROOM_COMMANDS = new TopicSpec("room-commands", ROOM_PARTITIONS, false, HOUR);
    /** rooms-service's own state, one snapshot per room, replayed when a partition is assigned */
    public static final TopicSpec ROOM_STATE = new TopicSpec("room-state", ROOM_PARTITIONS, true, 0);
    /** rooms-service to everyone: who is in each room ({@link dev.huddle.events.RoomMembers}) */
    public static final TopicSpec ROOM_MEMBERS = new TopicSpec("room-members", ROOM_PARTITIONS, true, 0);
    /** rooms-service to gateways: the public room list ({@link dev.huddle.events.DirectoryEntry}) */
    public static final TopicSpec ROOM_DIRECTORY = new TopicSpec("room-directory", ROOM_PARTITIONS, true, 0);
    /** gateway to signaling-service: signal and chat */
    public static final TopicSpec SIGNALS = new TopicSpec("signals", ROOM_PARTITIONS, false, HOUR);
    /** services to gateways: frames and controls for peers ({@link dev.huddle.events.Delivery}) */
    public static final TopicSpec DELIVERIES = new TopicSpec("deliveries", ROOM_PARTITIONS, false, HOUR);
    /** gateways to presence-service: connections opened and closed, resumes; keyed by peerId */
    public static final TopicSpec PRESENCE = new TopicSpec("presence", 6, false, 24 * HOUR);
    /** presence-service's sessions (resume tokens, connection details), keyed by peerId */
    public static final TopicSpec SESSIONS = new TopicSpec("sessions", 6, true, 0);
    /** every instance's heartbeat (kind, version, health, connections), keyed by instance id */
    public static final TopicSpec INSTANCES = new TopicSpec("instances", 1, true, 0);

    /** gateways' admin API: every operator action and sign-in ({@link dev.huddle.events.AuditEvent}), keyed by user */
    public static final TopicSpec AUDIT = new TopicSpec("audit", 1, false, 30 * 24 * HOUR);

    /**
     * gateways to gateways: admin sessions ended by a logout or a password change, keyed by session id; every
     * gateway reads it from the beginning, so a revoked session is refused everywhere
     */
    public static final TopicSpec ADMIN_REVOCATIONS = new TopicSpec("admin-revocations", 1, true, 0);

    public static final List<TopicSpec> ALL = List.of(ROOM_COMMANDS, ROOM_STATE, ROOM_MEMBERS, ROOM_DIRECTORY,
            SIGNALS, DELIVERIES, PRESENCE, SESSIONS, INSTANCES, AUDIT, ADMIN_REVOCATIONS);

    private Topics() {
    }
}
