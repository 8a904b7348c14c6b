package dev.huddle.kafka;

import java.util.Map;

/**
 * A topic as the code declares it. The k8s KafkaTopic resources must say the same (a test checks).
 *
 * @param name       name without the configured prefix
 * @param partitions partition count
 * @param compacted  cleanup policy {@code compact} (latest value per key) instead of {@code delete}
 * @param retentionMs for {@code delete} topics, how long records are kept
 */
public record TopicSpec(String name, int partitions, boolean compacted, long retentionMs) {
    public Map<String, String> configs() {
        return compacted
                ? Map.of("cleanup.policy", "compact")
                : Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retentionMs));
    }
}
