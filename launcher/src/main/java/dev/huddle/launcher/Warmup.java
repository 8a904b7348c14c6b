package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.testing.WsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * Real traffic through the system before it says READY ({@code ./run.sh --warm-up S}): pairs of clients, the two
 * of each on different gateways, join a room of their own and relay ICE-like signals to each other, so the JIT has
 * compiled the hot paths (gateway, Kafka clients, broker, services) before the first user's signal. The AOT cache
 * keeps loaded classes and profiles across starts but no compiled code: this is what pays for that.
 * A failure here only shortens the warm-up; it never stops the start.
 */
final class Warmup {
    private static final int PAIRS = 20;
    private static final int SIGNALS_PER_SECOND = 20; // per client: well under the gateway's per-connection limit

    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();

    /** Runs for {@code length} and returns a line for the operator ("warmed up: ..."). */
    static String run(List<Integer> gatewayPorts, Duration length) throws InterruptedException {
        Warmup w = new Warmup();
        long started = System.nanoTime();
        String tag = UUID.randomUUID().toString().substring(0, 6);
        List<Thread> threads = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            int a = gatewayPorts.get(i % gatewayPorts.size());
            int b = gatewayPorts.get((i + 1) % gatewayPorts.size());
            String room = "warm-up-" + tag + "-" + i;
            threads.add(Thread.ofVirtual().name("warm-up-" + i).start(() -> {
                try {
                    w.pair(a, b, room, started + length.toNanos());
                } catch (RuntimeException | AssertionError e) {
                    synchronized (failures) {
                        failures.add(e.toString());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return String.format("warmed up in %.1f s: %d of %d signals relayed%s",
                (System.nanoTime() - started) / 1e9, w.received.sum(), w.sent.sum(),
                failures.isEmpty() ? "" : " (" + failures.size() + " pairs stopped early: " + failures.getFirst() + ")");
    }

    private void pair(int portA, int portB, String room, long until) throws InterruptedException {
        try (WsClient a = WsClient.hello(portA); WsClient b = WsClient.hello(portB)) {
            a.ok("join", Map.of("room", room, "nickname", "warm-up a"));
            b.ok("join", Map.of("room", room, "nickname", "warm-up b"));
            long period = 1_000_000_000L / SIGNALS_PER_SECOND;
            for (long next = System.nanoTime(); next < until; next += period) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                a.send("signal", null, signal(room, b.peerId()));
                b.send("signal", null, signal(room, a.peerId()));
                sent.add(2);
                count(a.drain());
                count(b.drain());
            }
            Thread.sleep(500); // the last ones in flight
            count(a.drain());
            count(b.drain());
            a.request("leave", Map.of("room", room));
            b.request("leave", Map.of("room", room));
        }
    }

    private void count(List<JsonNode> frames) {
        for (JsonNode f : frames) {
            if ("signal".equals(f.path("type").asText())) {
                received.increment();
            }
        }
    }

    /** About the size of a browser's ICE candidate message. */
    private static Map<String, Object> signal(String room, String to) {
        return Map.of("room", room, "to", to, "candidate", Map.of(
                "candidate", "candidate:" + System.nanoTime() + " 1 udp 2122260223 warm-up.local 50000 typ host"
                        + " generation 0 ufrag abcd network-id 1 network-cost 10",
                "sdpMid", "0", "sdpMLineIndex", 0, "usernameFragment", "abcd"));
    }
}
