package dev.huddle.kafka;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * A Kafka client's own meters on /observe/metrics, as gauges named {@code huddle_kafka_producer_<metric>} and
 * {@code huddle_kafka_consumer_<metric>} (Kafka's name with underscores, e.g. {@code huddle_kafka_producer_request_rate})
 * tagged {@code node_id} and {@code client_id}, and a consumer's also {@code consumer} (the loop's name, which
 * outlives the client id's random suffix). A gauge reads the client's metric when scraped; an average with no
 * sample in Kafka's window (nothing sent lately) reads NaN. Closing removes them, as the client goes.
 */
public final class KafkaClientMeters implements AutoCloseable {
    private static final MeterRegistry REGISTRY = Metrics.globalRegistry();
    private static final KafkaClientMeters NONE = new KafkaClientMeters(List.of());

    /** Sending: rates per second, latency in ms, sizes in bytes (group producer-metrics). */
    static final List<String> PRODUCER = List.of("record-send-rate", "record-error-rate", "request-rate",
            "request-latency-avg", "records-per-request-avg", "batch-size-avg", "record-queue-time-avg",
            "buffer-available-bytes");
    /** Reading (group consumer-fetch-manager-metrics). */
    static final List<String> CONSUMER = List.of("fetch-rate", "fetch-latency-avg", "records-lag-max",
            "records-consumed-rate", "bytes-consumed-rate", "records-per-request-avg");

    private final List<Meter> meters;

    private KafkaClientMeters(List<Meter> meters) {
        this.meters = meters;
    }

    /** A producer's meters, if {@code settings} name the instance it belongs to. */
    static KafkaClientMeters producer(KafkaSettings settings, String clientId,
                                      Map<MetricName, ? extends Metric> metrics) {
        return settings.node() == null ? NONE : bind("producer", "producer-metrics", PRODUCER, metrics,
                List.of(Tag.create("node_id", settings.node()), Tag.create("client_id", clientId)));
    }

    /**
     * A consumer's meters, if {@code settings} name the instance it belongs to. {@code metrics}: the map the
     * consumer returned on its own thread (a consumer may not be called from a scrape's thread while it polls);
     * the map is a live view that any thread may read.
     */
    static KafkaClientMeters consumer(KafkaSettings settings, String consumer,
                                      Map<MetricName, ? extends Metric> metrics) {
        if (settings.node() == null) {
            return NONE;
        }
        String clientId = metrics.keySet().stream().map(n -> n.tags().get("client-id")).filter(id -> id != null)
                .findFirst().orElse(consumer);
        return bind("consumer", "consumer-fetch-manager-metrics", CONSUMER, metrics,
                List.of(Tag.create("node_id", settings.node()), Tag.create("consumer", consumer),
                        Tag.create("client_id", clientId)));
    }

    private static KafkaClientMeters bind(String kind, String group, List<String> names,
                                          Map<MetricName, ? extends Metric> metrics, List<Tag> tags) {
        List<Meter> meters = new ArrayList<>();
        for (String name : names) {
            Reading reading = new Reading(metrics, group, name);
            meters.add(REGISTRY.getOrCreate(Gauge.builder("huddle_kafka_" + kind + "_" + name.replace('-', '_'),
                            reading::value)
                    .description("Kafka " + kind + " metric " + name + " (" + group + ")")
                    .tags(tags)));
        }
        return new KafkaClientMeters(meters);
    }

    /** One client-wide metric (tagged only by client id, not per topic, partition or broker), found when first read. */
    private static final class Reading {
        private final Map<MetricName, ? extends Metric> metrics;
        private final String group;
        private final String name;
        private volatile Metric metric;

        Reading(Map<MetricName, ? extends Metric> metrics, String group, String name) {
            this.metrics = metrics;
            this.group = group;
            this.name = name;
        }

        Double value() {
            Metric m = metric;
            if (m == null) {
                for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
                    MetricName n = e.getKey();
                    if (n.name().equals(name) && n.group().equals(group)
                            && n.tags().keySet().equals(Set.of("client-id"))) {
                        metric = m = e.getValue();
                        break;
                    }
                }
            }
            return m != null && m.metricValue() instanceof Number v ? v.doubleValue() : Double.NaN;
        }
    }

    @Override
    public void close() {
        meters.forEach(REGISTRY::remove);
    }
}
