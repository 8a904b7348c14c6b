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
            SIGNALS, PRESENCE, SESSIONS, INSTANCES, AUDIT, ADMIN_REVOCATIONS);

    /** Name (without prefix) of every gateway's inbox starts with this (a prefix ACL covers them all). */
    public static final String INBOX_PREFIX = "inbox.";
    /** An inbox is read within milliseconds by its one reader; a dead gateway's is deleted by presence. */
    public static final long INBOX_RETENTION_MS = 10 * 60_000L;

    /**
     * The inbox of gateway instance {@code instanceId}: services to that gateway, frames and controls for the
     * peers it holds ({@link dev.huddle.events.Delivery}), written through {@link dev.huddle.delivery.Deliveries}.
     * One partition: a gateway's deliveries are totally ordered. Not in {@link #ALL}: the gateway creates its own.
     */
    public static TopicSpec inbox(String instanceId) {
        return new TopicSpec(INBOX_PREFIX + legal(instanceId), 1, false, INBOX_RETENTION_MS);
    }

    /** Kafka allows only ASCII letters, digits, '.', '_' and '-' in topic names (up to 249 characters). */
    static String legal(String id) {
        StringBuilder b = new StringBuilder(id.length());
        id.codePoints().limit(200).forEach(cp -> b.append(
                cp < 128 && (Character.isLetterOrDigit(cp) || cp == '.' || cp == '_' || cp == '-') ? (char) cp : '_'));
        return b.toString();
    }

    private Topics() {
    }
}
