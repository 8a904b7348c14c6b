package dev.huddle.kafka;

/**
 * One record of a polled batch with its value parsed ({@code null}: a tombstone, where the parser allows them).
 */
public record Received<T>(String topic, int partition, long offset, String key, T value) {
    /** {@code topic-partition@offset}, for logs. */
    public String where() {
        return topic + "-" + partition + "@" + offset;
    }
}
