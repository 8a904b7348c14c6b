package dev.huddle.kafka;

import dev.huddle.json.Json;

/**
 * Turns a record's key and value into what a {@link ConsumerLoop.TypedHandler} handles. A record it cannot parse
 * (any runtime exception) is bad: the loop logs it once, counts it and leaves it out of the batch. Retrying would
 * fail the same way forever, so a bad record must never stall its partition.
 */
@FunctionalInterface
public interface RecordParser<T> {
    T parse(String key, String value);

    /** A JSON record of {@code type}; a {@code null} value (a tombstone on a compacted topic) is {@code null}. */
    static <T> RecordParser<T> json(Class<T> type) {
        return (key, value) -> value == null ? null : Json.read(value, type);
    }
}
