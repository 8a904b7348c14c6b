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

    /** What the warm-up did; {@link #toString()} is the line for the operator. */
    record Result(double seconds, long sent, long received, List<String> failures) {
        @Override
        public String toString() {
            return String.format("warmed up in %.1f s: %d of %d signals relayed%s", seconds, received, sent,
                    failures.isEmpty() ? "" : " (" + failures.size() + " pairs stopped early: " + failures.getFirst() + ")");
        }
    }

    /** Relays for {@code length} once joins work (at most 90 s of waiting for that) and says what it did. */
    static Result run(List<Integer> gatewayPorts, Duration length) throws InterruptedException {
        Warmup w = new Warmup();
        long started = System.nanoTime();
        String tag = UUID.randomUUID().toString().substring(0, 6);
        List<String> notReady = awaitJoins(gatewayPorts, "warm-up-" + tag + "-probe", Duration.ofSeconds(90));
        if (!notReady.isEmpty()) {
            return new Result((System.nanoTime() - started) / 1e9, 0, 0, notReady);
        }
        List<Thread> threads = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            int a = gatewayPorts.get(i % gatewayPorts.size());
            int b = gatewayPorts.get((i + 1) % gatewayPorts.size());
            String room = "warm-up-" + tag + "-" + i;
            threads.add(Thread.ofVirtual().name("warm-up-" + i).start(() -> {
                try {
                    w.pair(a, b, room, length);
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
        return new Result((System.nanoTime() - started) / 1e9, w.sent.sum(), w.received.sum(), List.copyOf(failures));
    }

    /**
     * Waits until a join round-trips through every gateway: a gateway accepts sockets before every consumer on
     * the way has its partitions, and the pairs' joins would time out meanwhile. Returns what failed last, if
     * the system did not get there in time.
     */
    private static List<String> awaitJoins(List<Integer> ports, String room, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int port : ports) {
            while (true) {
                String failure;
                try (WsClient c = WsClient.hello(port)) {
                    JsonNode reply = c.request("join", Map.of("room", room + port, "nickname", "warm-up"));
                    if (reply.path("ok").asBoolean()) {
                        c.request("leave", Map.of("room", room + port));
                        break;
                    }
                    failure = reply.toString();
                } catch (RuntimeException | AssertionError e) {
                    failure = e.toString();
                }
                if (System.nanoTime() > deadline) {
                    return List.of("joins through port " + port + " kept failing: " + failure);
                }
                Thread.sleep(200);
            }
        }
        return List.of();
    }

    private void pair(int portA, int portB, String room, Duration length) throws InterruptedException {
        try (WsClient a = WsClient.hello(portA); WsClient b = WsClient.hello(portB)) {
            a.ok("join", Map.of("room", room, "nickname", "warm-up a"));
            b.ok("join", Map.of("room", room, "nickname", "warm-up b"));
            long until = System.nanoTime() + length.toNanos(); // each pair relays S seconds once it is in its room
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
            // The last ones in flight, for a few seconds at most: a loaded machine may lag behind.
            long drainUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (received.sum() < sent.sum() && System.nanoTime() < drainUntil) {
                Thread.sleep(100);
                count(a.drain());
                count(b.drain());
            }
            // Leave without waiting for the replies: the warm-up is over either way, and closing the sockets
            // ends the membership after the grace period even if a leave were lost.
            a.send("leave", null, Map.of("room", room));
            b.send("leave", null, Map.of("room", room));
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
