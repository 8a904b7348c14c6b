package dev.huddle.launcher;

import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** {@code --warm-up}: real signals cross between two gateways before READY, and their rooms are left afterwards. */
@ExtendWith(KafkaExtension.class)
class WarmupTest {

    @Test
    void relaysSignalsAcrossGatewaysAndSaysHowMany(@TempDir Path tmp) throws Exception {
        String prefix = "wu" + UUID.randomUUID().toString().substring(0, 6) + ".";
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                tmp.resolve("kafka"), Map.of("kafka.topic.prefix", prefix, "gateway.request.timeout.ms", "30000")))) {
            List<Integer> ports = cluster.gateways().stream().map(RunningService::port).toList();
            Warmup.Result r = Warmup.run(ports, Duration.ofSeconds(3));
            System.out.println(r);
            // A loaded machine may still have some in flight at the end; what matters is that traffic flowed.
            assertThat(r.failures().toString(), r.failures().isEmpty(), is(true));
            assertThat(r.sent(), greaterThan(0L));
            assertThat(r.received(), greaterThan(0L));
            assertThat(r.toString(), containsString("signals relayed"));
        }
    }
}
