package dev.huddle.events;

/**
 * The error codes of protocol.md, as they go on the wire.
 */
public enum ErrorCode {
    BAD_FRAME, TOO_LARGE, UNKNOWN_TYPE, INVALID_FIELD, NOT_IN_ROOM, UNKNOWN_PEER, ROOM_FULL, WRONG_PASSWORD,
    ROOM_LOCKED, RESUME_FAILED, RATE_LIMITED, UNAVAILABLE, INTERNAL;

    /** The wire name, e.g. {@code room_full}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
