package dev.huddle.events;

/**
 * One public room in the cluster-wide room list ({@link dev.huddle.kafka.Topics#ROOM_DIRECTORY}, compacted,
 * keyed by room; a tombstone when the room ends). Private rooms never appear.
 *
 * @param password joining needs a password
 * @param locked   an operator locked the room: joins get {@code room_locked}
 */
public record DirectoryEntry(String name, int count, int capacity, boolean password, boolean locked, long created) {
    /** An entry of a room without a password. */
    public DirectoryEntry(String name, int count, int capacity, boolean locked, long created) {
        this(name, count, capacity, false, locked, created);
    }
}
