package dev.huddle.loadgen;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The command line, the loopback-only rule and reading the gateway's heap from its metrics. */
class OptionsTest {

    @Test
    void defaultsFollowTheScenario() {
        Options relay = Options.parse("relay");
        assertThat(relay.gateways(), is(List.of(URI.create("ws://localhost:8080/ws"))));
        assertThat(relay.clients(), is(100));
        assertThat(Options.parse("idle").clients(), is(20000));
        assertThat(Options.parse("join").joins(), is(1000));
    }

    @Test
    void readsEveryOption() {
        Options o = Options.parse("relay", "--gateways", "ws://127.0.0.1:8080/ws, ws://localhost:8081/ws",
                "--clients", "40", "--rooms", "20", "--rate", "2.5", "--seconds", "10", "--warmup", "2",
                "--ramp", "3", "--metrics", "http://localhost:8080/observe/metrics", "--gateway-pid", "42",
                "--json", "out.jsonl", "--threads", "4", "--broker", "http://127.0.0.1:18099/broker/requests",
                "--window", "5");
        assertThat(o.gateways().size(), is(2));
        assertThat(o.rate(), is(2.5));
        assertThat(o.gatewayPid(), is(42L));
        assertThat(o.metrics().getPort(), is(8080));
        assertThat(o.threads(), is(4));
        assertThat(o.broker().getPort(), is(18099));
        assertThat(o.window(), is(5));
    }

    @Test
    void refusesTargetsOffThisMachine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.parse("relay", "--gateways", "ws://192.0.2.1:8080/ws"));
        assertThat(e.getMessage(), containsString("loopback"));
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse("idle", "--metrics", "http://192.0.2.1:8080/observe/metrics"));
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse("relay", "--broker", "http://192.0.2.1:18099/broker/requests"));
    }

    @Test
    void refusesWhatItDoesNotKnow() {
        assertThrows(IllegalArgumentException.class, () -> Options.parse("flood"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> Options.parse("relay", "--client", "3"))
                .getMessage(), containsString("--client"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("relay", "--rate", "0"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("relay", "--seconds", "5", "--warmup", "5"));
    }

    @Test
    void warnsWhenThisMachineCannotHoldTheIdleConnections() {
        assertThat(IdleScenario.limitWarning(10), is((String) null));
        assertThat(IdleScenario.limitWarning(10_000_000), containsString("expect failed connects"));
    }

    @Test
    void readsUsedHeapFromPrometheusText() {
        String helidon = """
                # TYPE memory_usedHeap_bytes gauge
                memory_usedHeap_bytes{scope="base",} 3.0475392E7
                """;
        assertThat(GatewayMemory.usedHeap(helidon), is(30475392L));
        String micrometer = """
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1000.0
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5000.0
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2000.0
                """;
        assertThat(GatewayMemory.usedHeap(micrometer), is(3000L));
        assertThat(GatewayMemory.usedHeap("other_metric 1\n"), is((Long) null));
    }
}
