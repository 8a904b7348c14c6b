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
    /**
     * Compacted topics roll their active segment after this long and compact a record within this long: the
     * cleaner never touches the active segment, and with Kafka's defaults (a week, 1 GiB) a small topic such as
     * {@code instances} or {@code sessions} would keep every heartbeat and session change for a week.
     */
    public static final long COMPACTION_LAG_MS = 3_600_000L;

    public Map<String, String> configs() {
        return compacted
                ? Map.of("cleanup.policy", "compact",
                        "segment.ms", Long.toString(COMPACTION_LAG_MS),
                        "max.compaction.lag.ms", Long.toString(COMPACTION_LAG_MS))
                : Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retentionMs));
    }
}
