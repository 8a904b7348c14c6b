package dev.huddle.delivery;

import dev.huddle.events.InstanceHeartbeat;
import dev.huddle.kafka.Received;
import dev.huddle.kafka.RecordParser;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Which gateways have an inbox worth writing to, from a replica of the {@code instances} heartbeats: the
 * gateways that "everyone" means, and the ones that are gone (stopped cleanly, or silent for so long that
 * presence-service is about to delete their inbox). A write to a deleted inbox would block the writer for the
 * producer's {@code max.block.ms}, so {@link Deliveries} skips gone gateways. A gateway never heard of (its first
 * heartbeat still on its way) is not gone. Silence counts only while other heartbeats arrive (as in presence's
 * liveness): a stalled broker says nothing about one gateway. Thread-safe.
 */
public final class Gateways {
    private static final System.Logger LOG = System.getLogger(Gateways.class.getName());
    /** presence deletes a silent gateway's inbox after its dead timeout (7 s) plus 30 s; stop writing well before */
    public static final long GONE_AFTER_MS = 20_000;
    private static final String KIND = "gateway";
    /** How the {@code instances} replica parses its records. */
    public static final RecordParser<InstanceHeartbeat> PARSER = RecordParser.json(InstanceHeartbeat.class);

    private record Seen(long lastSeen, boolean stopped) {
    }

    private final Map<String, Seen> gateways = new HashMap<>();
    private long lastRecord;

    /** Handler of the {@code instances} replica (from the beginning, parsed with {@link #PARSER}). */
    public CompletionStage<?> heartbeats(List<Received<InstanceHeartbeat>> batch) {
        long now = System.currentTimeMillis();
        for (Received<InstanceHeartbeat> r : batch) {
            if (r.key() == null) {
                continue;
            }
            if (r.value() == null) {
                stopped(r.key(), now);
            } else if (KIND.equals(r.value().kind())) {
                beat(r.key(), r.value().ts(), now);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * As {@link #heartbeats}, for a loop that reads {@code instances} among other topics and hands raw records (the
     * admin API's view): an unreadable heartbeat is skipped.
     */
    public CompletionStage<?> handle(List<ConsumerRecord<String, String>> batch) {
        List<Received<InstanceHeartbeat>> parsed = new ArrayList<>(batch.size());
        for (ConsumerRecord<String, String> r : batch) {
            try {
                parsed.add(new Received<>(r.topic(), r.partition(), r.offset(), r.key(), PARSER.parse(r.key(),
                        r.value())));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Skipping unreadable heartbeat at offset " + r.offset());
            }
        }
        return heartbeats(parsed);
    }

    /**
     * @param ts the beat's own time (the gateway's clock): a first beat of long ago is a replayed beat of a gateway
     *           that died without a goodbye, no sign of life (a later beat is, whatever its clock says)
     */
    synchronized void beat(String id, long ts, long now) {
        arrived(now);
        boolean stale = !gateways.containsKey(id) && now - ts > GONE_AFTER_MS;
        gateways.put(id, new Seen(stale ? now - 2 * GONE_AFTER_MS : now, false));
    }

    synchronized void stopped(String id, long now) {
        arrived(now);
        Seen old = gateways.get(id);
        if (old != null) {
            gateways.put(id, new Seen(old.lastSeen, true));
        }
    }

    private void arrived(long now) {
        if (lastRecord > 0 && now - lastRecord > GONE_AFTER_MS / 4) {
            gateways.replaceAll((id, s) -> new Seen(Math.max(s.lastSeen, now - GONE_AFTER_MS / 4), s.stopped));
        }
        lastRecord = now;
    }

    /** True when nothing should be written to {@code gateway}'s inbox any more. */
    public synchronized boolean gone(String gateway) {
        Seen s = gateways.get(gateway);
        return s != null && (s.stopped || lastRecord - s.lastSeen > GONE_AFTER_MS);
    }

    /** The gateways that are not gone, in a stable order: where a notice to everyone goes. */
    public synchronized Set<String> live() {
        Set<String> live = new TreeSet<>();
        gateways.forEach((id, s) -> {
            if (!s.stopped && lastRecord - s.lastSeen <= GONE_AFTER_MS) {
                live.add(id);
            }
        });
        return live;
    }
}
