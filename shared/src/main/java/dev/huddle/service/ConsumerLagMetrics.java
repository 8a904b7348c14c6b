package dev.huddle.service;

import dev.huddle.kafka.ConsumerLoop;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;

/**
 * {@code huddle_kafka_consumer_lag{node_id, service, consumer, topic, partition}}: records a consumer loop has
 * not read yet, per partition it reads, as of its last poll. A gauge appears when the loop first reads a
 * partition and goes with the loop; a partition a group rebalance took away (no update for
 * {@link #STALE_MS}) reads as 0, so that only its new owner reports it.
 */
public final class ConsumerLagMetrics implements ConsumerLoop.LagListener {
    private static final MeterRegistry REGISTRY = Metrics.globalRegistry();
    static final long STALE_MS = 30_000;

    /** A partition's lag and when it was last measured. */
    private static final class Lag {
        volatile long records;
        volatile long measured;

        long read() {
            return System.currentTimeMillis() - measured > STALE_MS ? 0 : records;
        }
    }

    private final String node;
    private final String service;
    private final Map<TopicPartition, Lag> lags = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Meter> gauges = new ConcurrentHashMap<>();

    public ConsumerLagMetrics(String node, String service) {
        this.node = node;
        this.service = service;
    }

    @Override
    public void lag(String loop, TopicPartition partition, long records) {
        Lag value = lags.get(partition);
        if (value == null) {
            Lag created = new Lag();
            value = lags.computeIfAbsent(partition, p -> created);
            if (value == created) {
                gauges.put(partition, REGISTRY.getOrCreate(Gauge.builder("huddle_kafka_consumer_lag", created::read)
                        .description("Records not yet read by a consumer, per partition")
                        .tags(List.of(Tag.create("node_id", node), Tag.create("service", service),
                                Tag.create("consumer", loop), Tag.create("topic", partition.topic()),
                                Tag.create("partition", Integer.toString(partition.partition()))))));
            }
        }
        value.records = records;
        value.measured = System.currentTimeMillis();
    }

    @Override
    public void close() {
        gauges.values().forEach(REGISTRY::remove);
        gauges.clear();
        lags.clear();
    }
}
