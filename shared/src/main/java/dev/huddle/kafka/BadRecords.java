package dev.huddle.kafka;

import dev.huddle.json.JsonShapeException;

import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer loop's parsing of its records for a {@link ConsumerLoop.TypedHandler}: a record that cannot be parsed
 * is logged, counted ({@link ConsumerLoop.BadRecordListener}) and left out. A batch that failed is polled and
 * parsed again; its bad records are logged and counted only the first time.
 */
final class BadRecords {
    private static final System.Logger LOG = System.getLogger(BadRecords.class.getName());

    private final String loop;
    /** Per partition, the offset of the last bad record logged and counted. Only the loop's thread uses it. */
    private final Map<TopicPartition, Long> counted = new HashMap<>();
    private volatile ConsumerLoop.BadRecordListener listener;

    BadRecords(String loop) {
        this.loop = loop;
    }

    void listener(ConsumerLoop.BadRecordListener listener) {
        this.listener = listener;
    }

    <T> ConsumerLoop.Handler parsing(RecordParser<T> parser, ConsumerLoop.TypedHandler<T> handler) {
        return batch -> handler.handle(parse(batch, parser));
    }

    private <T> List<Received<T>> parse(List<ConsumerRecord<String, String>> batch, RecordParser<T> parser) {
        List<Received<T>> parsed = new ArrayList<>(batch.size());
        for (ConsumerRecord<String, String> r : batch) {
            try {
                parsed.add(new Received<>(r.topic(), r.partition(), r.offset(), r.key(), parser.parse(r.key(),
                        r.value())));
            } catch (RuntimeException e) {
                bad(r, e);
            }
        }
        return parsed;
    }

    private void bad(ConsumerRecord<String, String> r, RuntimeException e) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Long last = counted.get(tp);
        if (last != null && r.offset() <= last) {
            return; // seen in a batch that failed and was polled again
        }
        counted.put(tp, r.offset());
        // Only our own messages: a parser's may quote the record (an SDP, a chat text).
        String why = e instanceof JsonShapeException ? e.getMessage()
                : e instanceof UncheckedIOException ? "not JSON" : e.getClass().getSimpleName();
        LOG.log(Level.WARNING, "Skipping bad record at " + r.topic() + "-" + r.partition() + "@" + r.offset()
                + " on " + loop + ": " + why);
        ConsumerLoop.BadRecordListener l = listener;
        if (l != null) {
            l.badRecord(r.topic());
        }
    }
}
