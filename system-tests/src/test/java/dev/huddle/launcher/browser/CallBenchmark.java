package dev.huddle.launcher.browser;

import dev.huddle.launcher.LocalCluster;
import dev.huddle.testing.KafkaExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * Benchmark, not part of the test suite (its name does not match Surefire's test patterns): the time from
 * clicking {@code join} until every remote video of the page decodes frames, for calls of 2 and 4 people on
 * two gateways. Run it with
 * {@code ./test.sh -pl system-tests -am -Dtest=CallBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dcalls=10}
 * and read the result lines in {@code launcher/target/surefire-reports/*CallBenchmark-output.txt}.
 */
class CallBenchmark {

    @Test
    void joinToVideo() throws Exception {
        int calls = Integer.getInteger("calls", 10);
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(2, 0,
                KafkaExtension.bootstrapServers(), Files.createTempDirectory("unused"),
                Map.of("kafka.topic.prefix", "bench" + UUID.randomUUID().toString().substring(0, 6) + ".")))) {
            List<String> urls = cluster.gateways().stream().map(g -> "http://localhost:" + g.port()).toList();
            for (int people : new int[] {2, 4}) {
                double[] ms = new double[calls * people];
                int n = 0;
                List<CallPage> pages = new ArrayList<>();
                try {
                    for (int i = 0; i < people; i++) {
                        pages.add(new CallPage(urls.get(i % 2), "P" + i));
                    }
                    for (int c = 0; c < calls; c++) {
                        String room = "bench-" + UUID.randomUUID().toString().substring(0, 8);
                        long[] clicked = new long[people];
                        for (int i = 0; i < people; i++) {
                            clicked[i] = System.nanoTime();
                            pages.get(i).join(room, null).awaitJoined();
                        }
                        for (int i = 0; i < people; i++) {
                            pages.get(i).awaitRemoteVideos(people - 1, Duration.ofSeconds(90));
                            ms[n++] = (System.nanoTime() - clicked[i]) / 1e6;
                        }
                        for (CallPage p : pages) {
                            p.click("leave");
                        }
                        for (CallPage p : pages) {
                            p.waitFor(Duration.ofSeconds(15), () -> p.all("join").stream().anyMatch(e -> e.isDisplayed()));
                        }
                    }
                } finally {
                    pages.forEach(CallPage::close);
                }
                Arrays.sort(ms, 0, n);
                System.out.printf("BENCH join-to-video people=%d calls=%d p50=%.0f ms p95=%.0f ms max=%.0f ms%n",
                        people, calls, ms[(int) (n * 0.5)], ms[Math.min(n - 1, (int) Math.ceil(n * 0.95) - 1)],
                        ms[n - 1]);
            }
        }
    }
}
