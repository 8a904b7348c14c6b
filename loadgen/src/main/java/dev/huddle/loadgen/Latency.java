package dev.huddle.loadgen;

import org.HdrHistogram.ConcurrentHistogram;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A latency distribution in microseconds (HdrHistogram, 3 significant digits), safe to record from many threads;
 * reported in milliseconds.
 */
final class Latency {
    private final ConcurrentHistogram histogram = new ConcurrentHistogram(3);

    void recordNanos(long nanos) {
        histogram.recordValue(Math.max(0, nanos) / 1000);
    }

    long count() {
        return histogram.getTotalCount();
    }

    /** The value at {@code percentile} (0 to 100) in milliseconds. */
    double ms(double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMs() {
        return histogram.getMaxValue() / 1000.0;
    }

    /** {count, p50, p99, p999, max}, in milliseconds rounded to microseconds. */
    Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count());
        if (count() > 0) {
            m.put("p50", round(ms(50)));
            m.put("p99", round(ms(99)));
            m.put("p999", round(ms(99.9)));
            m.put("max", round(maxMs()));
        }
        return m;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
