package dev.huddle.signaling;

import dev.huddle.testing.KafkaExtension;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.signaling.Harness.data;
import static dev.huddle.signaling.Harness.present;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Measures relay latency (gateway's read of the request to a gateway's read of the delivery, one broker, this
 * machine) over a few thousand signals at a steady rate. Logged for the record, not asserted.
 */
@ExtendWith(KafkaExtension.class)
class RelayLatencyTest {

    @Test
    void relayLatencyOverThreeThousandSignals() throws Exception {
        int rooms = 20;
        int total = 3000;
        try (Harness h = new Harness()) {
            for (int r = 0; r < rooms; r++) {
                h.members("lat-" + r, present("a" + r), present("b" + r));
            }
            long start = System.currentTimeMillis();
            for (int i = 0; i < total; i++) {
                int r = i % rooms;
                h.send("a" + r, "signal", null, "lat-" + r, data("room", "lat-" + r, "to", "b" + r,
                        "candidate", Map.of("candidate", "c" + i)));
                if (i % 10 == 9) {
                    Thread.sleep(20); // about 500 signals a second
                }
            }
            long deadline = System.currentTimeMillis() + 4 * Harness.WAIT_MS;
            while (h.deliveries.size() < total && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            long elapsed = System.currentTimeMillis() - start;
            assertThat(h.deliveries.size(), is(total));
            long[] latencies = h.deliveries.stream()
                    .mapToLong(s -> s.at() - s.delivery().ingressTs()).sorted().toArray();
            System.out.printf("Relay latency over %d signals in %d ms (%.0f/s): p50 %d ms, p90 %d ms, p99 %d ms, "
                            + "max %d ms, mean %.1f ms (load average %.1f on %d cores)%n", total, elapsed,
                    total * 1000.0 / elapsed, pct(latencies, 50), pct(latencies, 90), pct(latencies, 99),
                    latencies[latencies.length - 1], Arrays.stream(latencies).average().orElse(0),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
