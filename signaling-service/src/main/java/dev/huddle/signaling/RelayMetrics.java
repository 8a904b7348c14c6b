package dev.huddle.signaling;

import dev.huddle.events.ErrorCode;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

import dev.huddle.service.Buckets;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service's domain meters (on {@code /observe/metrics}): messages relayed and refused, handed to
 * rooms-service to hold for away peers, causality barriers waited for, and the relay latency from the gateway's
 * read of the request to the broker's ack of the delivery.
 */
final class RelayMetrics {
    private final MeterRegistry registry = Metrics.globalRegistry();
    private final Counter signals = counter("huddle_signaling_relayed", "type", "signal");
    private final Counter chats = counter("huddle_signaling_relayed", "type", "chat");
    private final Counter reactions = counter("huddle_signaling_relayed", "type", "react");
    private final Counter held = counter("huddle_signaling_held");
    private final Counter barriers = counter("huddle_signaling_barrier_waits");
    // A histogram, not client-side percentiles: buckets add up across replicas (histogram_quantile in PromQL).
    private final Timer latency = registry.getOrCreate(Timer.builder("huddle_signaling_relay_latency")
            .description("From the gateway reading the request to the broker acknowledging its delivery")
            .buckets(Buckets.LATENCY));

    void relayed(String type) {
        (switch (type) {
            case "chat" -> chats;
            case "react" -> reactions;
            default -> signals;
        }).increment();
    }

    void refused(ErrorCode code) {
        counter("huddle_signaling_refused", "code", code.wire()).increment();
    }

    void held() {
        held.increment();
    }

    /** A request named a non-member, so the relay waited for the membership replica to catch up. */
    void barrier() {
        barriers.increment();
    }

    void latency(long ingressTs) {
        if (ingressTs > 0) {
            latency.record(Math.max(0, System.currentTimeMillis() - ingressTs), TimeUnit.MILLISECONDS);
        }
    }

    private Counter counter(String name, String... tag) {
        Counter.Builder builder = Counter.builder(name);
        if (tag.length == 2) {
            builder.tags(List.of(Tag.create(tag[0], tag[1])));
        }
        return registry.getOrCreate(builder);
    }
}
