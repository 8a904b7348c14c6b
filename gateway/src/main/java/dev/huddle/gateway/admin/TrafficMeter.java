package dev.huddle.gateway.admin;

import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;

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
 * Cluster-wide client traffic without reading it: every second, the growth of the end offsets of
 * {@code room-commands} and {@code signals} (every client request but presence bookkeeping lands on one of
 * them), from any gateway. Keeps the last minutes of samples for the dashboard's chart.
 */
final class TrafficMeter {
    private static final System.Logger LOG = System.getLogger(TrafficMeter.class.getName());
    private static final List<TopicSpec> COUNTED = List.of(Topics.ROOM_COMMANDS, Topics.SIGNALS);
    static final int HISTORY = 300;

    /** One point of the chart. */
    record Sample(long ts, int connections, Double messagesPerSecond) {
    }

    private final Admin admin;
    private final Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    private final ArrayDeque<Sample> history = new ArrayDeque<>();
    private long lastTotal = -1;
    private long lastTs;
    private volatile Double rate;

    TrafficMeter(Admin admin, KafkaSettings settings) {
        this.admin = admin;
        for (TopicSpec spec : COUNTED) {
            for (int p = 0; p < spec.partitions(); p++) {
                partitions.put(new TopicPartition(settings.topic(spec), p), OffsetSpec.latest());
            }
        }
    }

    /** Messages per second over the last interval, or {@code null} while unknown. */
    Double rate() {
        return rate;
    }

    /** Called once a second from one thread: measures, then records a chart point. */
    void sample(int connections) {
        long now = System.currentTimeMillis();
        try {
            if (admin != null) {
                ListOffsetsResult result = admin.listOffsets(partitions);
                long total = 0;
                for (ListOffsetsResult.ListOffsetsResultInfo info : result.all().get(2, TimeUnit.SECONDS).values()) {
                    total += info.offset();
                }
                if (lastTotal >= 0 && now > lastTs) {
                    double perSecond = Math.max(0, total - lastTotal) * 1000.0 / (now - lastTs);
                    rate = Math.round(perSecond * 10) / 10.0;
                }
                lastTotal = total;
                lastTs = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            rate = null;
            lastTotal = -1;
            LOG.log(Level.DEBUG, "Cannot read end offsets: " + e);
        }
        synchronized (history) {
            history.addLast(new Sample(now, connections, rate));
            while (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
    }

    List<Sample> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }
}
