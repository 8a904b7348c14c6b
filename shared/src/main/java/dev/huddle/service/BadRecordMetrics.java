package dev.huddle.service;

import dev.huddle.kafka.ConsumerLoop;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;

import java.util.List;

/**
 * {@code huddle_kafka_bad_records_total{node_id, service, topic}}: records a service's consumer loops skipped because
 * they could not be parsed (not JSON, or a command of the wrong shape). Anything above zero is a bug or a stranger
 * writing to our topics. A counter appears with the first bad record; there is no other cost.
 */
public final class BadRecordMetrics implements ConsumerLoop.BadRecordListener {
    private final String node;
    private final String service;

    public BadRecordMetrics(String node, String service) {
        this.node = node;
        this.service = service;
    }

    @Override
    public void badRecord(String topic) {
        Metrics.globalRegistry().getOrCreate(Counter.builder("huddle_kafka_bad_records")
                        .description("Records skipped by consumers because they could not be parsed")
                        .tags(List.of(Tag.create("node_id", node), Tag.create("service", service),
                                Tag.create("topic", topic))))
                .increment();
    }
}
