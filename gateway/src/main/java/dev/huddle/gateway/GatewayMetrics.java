package dev.huddle.gateway;

import dev.huddle.events.ErrorCode;
import dev.huddle.service.Buckets;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The gateway's domain meters, tagged {@code node_id} with the instance id (not {@code instance}, which Prometheus
 * sets to the scrape target and would rename to {@code exported_instance}) (tests and the launcher run several gateways in one
 * JVM, on one global registry): open connections, frames in and out by type, rejected frames by error code,
 * relay latency (from the gateway that read a request to the gateway that delivers what it caused).
 */
final class GatewayMetrics implements AutoCloseable {
    /**
     * Types counted by name: the requests of the table, the server's own frames and pushes, and binary frames;
     * anything else is counted as "other" so a client cannot create meters.
     */
    private static final Set<String> KNOWN = known();

    private static Set<String> known() {
        Set<String> known = new HashSet<>(List.of("hello", "reply", "error", "pong", "rooms_changed", "peer_joined",
                "peer_left", "peer_renamed", "peer_media", "peer_hand", "peer_reconnected", "reaction", "kicked",
                "room_closed", "notice", "reconnect", "binary"));
        for (RequestType t : RequestType.values()) {
            known.add(t.metricLabel());
        }
        return Set.copyOf(known);
    }

    private final MeterRegistry registry = Metrics.globalRegistry();
    private final String instance;
    private final Map<String, Counter> in = new ConcurrentHashMap<>();
    private final Map<String, Counter> out = new ConcurrentHashMap<>();
    private final Map<ErrorCode, Counter> rejected = new ConcurrentHashMap<>();
    private final Timer relay;
    private final Gauge<Integer> connections;
    private final Counter inboxRecords;
    private final Counter inboxDelivered;
    private final Gauge<Double> inboxRatio;

    GatewayMetrics(String instance, IntSupplier openConnections) {
        this.instance = instance;
        this.relay = registry.getOrCreate(Timer.builder("huddle_gateway_relay_latency")
                .description("From a request read by a gateway to the delivery it caused, at the delivering gateway")
                .tags(tags())
                .buckets(Buckets.LATENCY));
        this.connections = registry.getOrCreate(Gauge.builder("huddle_gateway_connections",
                        () -> openConnections.getAsInt())
                .description("Open client WebSocket connections").tags(tags()));
        this.inboxRecords = registry.getOrCreate(Counter.builder("huddle_gateway_inbox_records")
                .description("Records fetched from this gateway's inbox").tags(tags()));
        this.inboxDelivered = registry.getOrCreate(Counter.builder("huddle_gateway_inbox_delivered")
                .description("Inbox records that reached at least one of this gateway's connections").tags(tags()));
        this.inboxRatio = registry.getOrCreate(Gauge.builder("huddle_gateway_inbox_fetched_per_delivered",
                        () -> fetchedPerDelivered())
                .description("Inbox records fetched per record that reached a connection (1 when routing is exact)")
                .tags(tags()));
    }

    /** One inbox record was read; {@code delivered}: it reached at least one connection (a copy did not). */
    void inboxRecord(boolean delivered) {
        inboxRecords.increment();
        if (delivered) {
            inboxDelivered.increment();
        }
    }

    long inboxRecords() {
        return inboxRecords.count();
    }

    long inboxDelivered() {
        return inboxDelivered.count();
    }

    /** Fetched over delivered (0 before anything was delivered). */
    double fetchedPerDelivered() {
        long delivered = inboxDelivered.count();
        return delivered == 0 ? 0 : (double) inboxRecords.count() / delivered;
    }

    void frameIn(String type) {
        counter(in, "huddle_gateway_frames_in", "type", name(type), "Client frames received, by type").increment();
    }

    void frameOut(String type) {
        counter(out, "huddle_gateway_frames_out", "type", name(type), "Frames sent to clients, by type").increment();
    }

    void rejected(ErrorCode code) {
        rejected.computeIfAbsent(code, c -> registry.getOrCreate(Counter.builder("huddle_gateway_frames_rejected")
                .description("Client frames answered with an error, by code")
                .tags(tags("code", c.wire())))).increment();
    }

    void relayed(long ingressTs, long nowMs) {
        if (ingressTs > 0 && nowMs >= ingressTs) {
            relay.record(nowMs - ingressTs, TimeUnit.MILLISECONDS);
        }
    }

    private Counter counter(Map<String, Counter> cache, String name, String tag, String value, String description) {
        return cache.computeIfAbsent(value, v -> registry.getOrCreate(Counter.builder(name)
                .description(description).tags(tags(tag, v))));
    }

    private static String name(String type) {
        return type != null && KNOWN.contains(type) ? type : "other";
    }

    private List<Tag> tags(String... more) {
        List<Tag> tags = new java.util.ArrayList<>(List.of(Tag.create("node_id", instance)));
        for (int i = 0; i + 1 < more.length; i += 2) {
            tags.add(Tag.create(more[i], more[i + 1]));
        }
        return tags;
    }

    /** Removes this instance's meters (the registry outlives a gateway stopped in a test). */
    @Override
    public void close() {
        List<Meter> meters = new java.util.ArrayList<>(List.of(relay, connections, inboxRecords, inboxDelivered,
                inboxRatio));
        meters.addAll(in.values());
        meters.addAll(out.values());
        meters.addAll(rejected.values());
        meters.forEach(registry::remove);
    }

    /** The {@code type} of a server frame without parsing it: every frame we build starts with it. */
    static String typeOf(String frame) {
        String prefix = "{\"type\":\"";
        if (frame.startsWith(prefix)) {
            int end = frame.indexOf('"', prefix.length());
            if (end > 0) {
                return frame.substring(prefix.length(), end);
            }
        }
        return null;
    }
}
