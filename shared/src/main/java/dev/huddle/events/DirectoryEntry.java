package dev.huddle.events;

/**
 * One public room in the cluster-wide room list ({@link dev.huddle.kafka.Topics#ROOM_DIRECTORY}, compacted,
 * keyed by room; a tombstone when the room ends). Private rooms never appear.
 */
public record DirectoryEntry(String name, int count, int capacity, boolean locked, long created) {
}
