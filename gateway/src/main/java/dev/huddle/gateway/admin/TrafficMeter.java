package dev.huddle.gateway.admin;

import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;

import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The dashboard's charts, sampled once a second and kept for the last hour: connections; cluster-wide client
 * traffic without reading it (the growth of the end offsets of {@code room-commands} and {@code signals}, where
 * every client request but presence bookkeeping lands); joins per minute (seen in the room-members replica);
 * and this gateway's mean relay latency (its {@code huddle_gateway_relay_latency} timer, over the last second).
 */
final class TrafficMeter {
    private static final System.Logger LOG = System.getLogger(TrafficMeter.class.getName());
    private static final List<TopicSpec> COUNTED = List.of(Topics.ROOM_COMMANDS, Topics.SIGNALS);
    /** The gateway's relay timer, by name and its node_id tag (GatewayMetrics registers it). */
    static final String RELAY_TIMER = "huddle_gateway_relay_latency";
    static final int HISTORY = 3600;
    private static final int MINUTE = 60;

    /** One point of the charts; a {@code null} value is unknown (a gap in the line). */
    record Sample(long ts, int connections, Double messagesPerSecond, Integer joinsPerMinute, Double relayMs) {
    }

    private final Admin admin;
    private final String node;
    private final Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    private final ArrayDeque<Sample> history = new ArrayDeque<>();
    /** Joins seen so far, one entry a second for the last minute. */
    private final ArrayDeque<Long> joinTotals = new ArrayDeque<>();
    private long lastTotal = -1;
    private long lastTs;
    private long lastRelayCount;
    private double lastRelayMs;
    private volatile Sample latest;

    TrafficMeter(Admin admin, KafkaSettings settings, String node) {
        this.admin = admin;
        this.node = node;
        for (TopicSpec spec : COUNTED) {
            for (int p = 0; p < spec.partitions(); p++) {
                partitions.put(new TopicPartition(settings.topic(spec), p), OffsetSpec.latest());
            }
        }
    }

    /** The last sample, or {@code null} before the first. */
    Sample latest() {
        return latest;
    }

    /** Called once a second from one thread: measures, then records a chart point. */
    void sample(int connections, long joinsSoFar) {
        long now = System.currentTimeMillis();
        Sample s = new Sample(now, connections, messagesPerSecond(now), joinsPerMinute(joinsSoFar), relayMs());
        latest = s;
        synchronized (history) {
            history.addLast(s);
            while (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
    }

    private Double messagesPerSecond(long now) {
        if (admin == null) {
            return null;
        }
        try {
            ListOffsetsResult result = admin.listOffsets(partitions);
            long total = 0;
            for (ListOffsetsResult.ListOffsetsResultInfo info : result.all().get(2, TimeUnit.SECONDS).values()) {
                total += info.offset();
            }
            Double rate = null;
            if (lastTotal >= 0 && now > lastTs) {
                double perSecond = Math.max(0, total - lastTotal) * 1000.0 / (now - lastTs);
                rate = Math.round(perSecond * 10) / 10.0;
            }
            lastTotal = total;
            lastTs = now;
            return rate;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            lastTotal = -1;
            LOG.log(Level.DEBUG, "Cannot read end offsets: " + e);
        }
        return null;
    }

    /** Joins in the last minute, or {@code null} until a minute has been seen. */
    private Integer joinsPerMinute(long joinsSoFar) {
        joinTotals.addLast(joinsSoFar);
        if (joinTotals.size() <= MINUTE) {
            return null;
        }
        long minuteAgo = joinTotals.removeFirst();
        return (int) (joinsSoFar - minuteAgo);
    }

    /** Mean relay latency of the deliveries of the last second, or {@code null} when there were none. */
    private Double relayMs() {
        Timer timer = Metrics.globalRegistry().timer(RELAY_TIMER, List.of(Tag.create("node_id", node))).orElse(null);
        if (timer == null) {
            return null;
        }
        long count = timer.count();
        double totalMs = timer.totalTime(TimeUnit.MICROSECONDS) / 1000.0;
        Double mean = count > lastRelayCount
                ? Math.round((totalMs - lastRelayMs) / (count - lastRelayCount) * 10) / 10.0 : null;
        lastRelayCount = count;
        lastRelayMs = totalMs;
        return mean;
    }

    List<Sample> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }
}
