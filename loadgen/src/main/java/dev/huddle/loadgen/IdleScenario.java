package dev.huddle.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code idle}: many connections that only hold their session open, and a few probes that send {@code ping}
 * requests every 100 ms. Shows what an idle connection costs the gateway (heap and RSS per connection) and
 * whether a crowd of sockets slows the ones that talk.
 */
final class IdleScenario {
    private static final long PROBE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Options options;
    private final HttpClient http;
    private final Duration timeout;
    private final ErrorCounts errors = new ErrorCounts();
    private final Latency connects = new Latency();
    private final Latency pings = new Latency();
    private final ConcurrentLinkedQueue<Client> idle = new ConcurrentLinkedQueue<>();
    private final Client.Handler handler = new Client.Handler() {
        @Override
        public void push(Client client, JsonNode frame) {
            String type = frame.path("type").asText();
            if (type.equals("error")) {
                errors.add(frame.path("data").path("code").asText("error_without_code"));
            } else if (type.equals("reconnect") || type.equals("unparsable")) {
                errors.add(type);
            }
        }

        @Override
        public void closed(Client client, int code) {
            if (!client.isClosing()) {
                errors.add("closed_" + code);
            }
        }
    };

    IdleScenario(Options options, HttpClient http) {
        this.options = options;
        this.http = http;
        this.timeout = Duration.ofSeconds(options.timeout());
    }

    Report run() throws InterruptedException {
        long started = System.nanoTime();
        URI gateway = options.gateways().getFirst();
        GatewayMemory memory = new GatewayMemory(http, options.metrics(), options.gatewayPid());
        boolean collected = memory.collectGarbage();
        GatewayMemory.Sample before = memory.sample(5, 300);

        long openStart = System.nanoTime();
        openIdle(gateway);
        long openNanos = System.nanoTime() - openStart;
        Thread.sleep(1000); // let the gateway finish its per-connection work (presence, buffers) before measuring
        collected &= memory.collectGarbage();
        GatewayMemory.Sample after = memory.sample(5, 300);

        List<Client> probes = new ArrayList<>();
        for (int i = 0; i < options.probes(); i++) {
            try {
                probes.add(Client.connect(http, gateway, handler, timeout).get());
            } catch (ExecutionException e) {
                errors.addFailure(e);
            }
        }
        probe(probes);
        long stillOpen = idle.stream().filter(Client::isOpen).count();
        // This process's own footprint: whether the client side, not the gateway, would run out first.
        GatewayMemory.Sample self = new GatewayMemory(http, null, ProcessHandle.current().pid()).sample(1, 0);

        List<CompletableFuture<Integer>> closing = new ArrayList<>();
        idle.forEach(c -> closing.add(c.close()));
        probes.forEach(c -> closing.add(c.close()));
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Best effort: every client drops its socket a second after asking to close.
        }

        long opened = idle.size();
        Report r = new Report()
                .put("scenario", "idle")
                .put("clients", options.clients())
                .put("warning", limitWarning(options.clients() + options.probes()))
                .put("opened", opened)
                .put("open_s", Math.round(openNanos / 1e8) / 10.0)
                .put("connect_ms", connects.summary())
                .put("still_open", stillOpen)
                .put("probes", probes.size())
                .put("ping_ms", pings.summary())
                .put("errors", errors.snapshot())
                .put("loadgen", self.mb(""));
        if (memory.enabled()) {
            Map<String, Object> gw = new LinkedHashMap<>();
            // Without a forced collection the heap readings include garbage, and the difference is rough.
            gw.put("heap_after_full_gc", collected);
            gw.putAll(before.mb("_before"));
            gw.putAll(after.mb("_after"));
            if (opened > 0 && before.heapBytes() != null && after.heapBytes() != null) {
                gw.put("heap_kb_per_connection", perConnectionKb(after.heapBytes() - before.heapBytes(), opened));
            }
            if (opened > 0 && before.rssBytes() != null && after.rssBytes() != null) {
                gw.put("rss_kb_per_connection", perConnectionKb(after.rssBytes() - before.rssBytes(), opened));
            }
            r.put("gateway", gw);
        }
        return r.put("elapsed_s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    /** Opens the idle connections, at most {@code concurrency} attempts at a time, within a time bound. */
    private void openIdle(URI gateway) throws InterruptedException {
        int n = options.clients();
        // A safety bound, generous for a busy machine: a minute plus 20 ms per connection.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + n / 50);
        Semaphore inFlight = new Semaphore(options.concurrency());
        for (int i = 0; i < n; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                errors.add("not_attempted_time_limit", n - i);
                break;
            }
            long t = System.nanoTime();
            Client.connect(http, gateway, handler, timeout).whenComplete((c, e) -> {
                if (e != null) {
                    errors.addFailure(e);
                } else {
                    connects.recordNanos(System.nanoTime() - t);
                    idle.add(c);
                }
                inFlight.release();
            });
        }
        // Attempts that were started end by their own timeouts.
        inFlight.tryAcquire(options.concurrency(), timeout.toSeconds() * 2, TimeUnit.SECONDS);
    }

    /** Every 100 ms each probe sends {@code ping {t}} with a ref; the reply's arrival gives the round-trip. */
    private void probe(List<Client> probes) {
        if (probes.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(options.seconds());
        List<CompletableFuture<?>> outstanding = new ArrayList<>();
        for (long n = 0; ; n++) {
            long due = start + n * PROBE_PERIOD_NANOS;
            if (due >= end) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            for (Client p : probes) {
                long t = System.nanoTime();
                outstanding.add(p.request("ping", Json.object().put("t", t), timeout).whenComplete((reply, e) -> {
                    if (e != null) {
                        errors.addFailure(e);
                    } else if (reply.path("ok").asBoolean()) {
                        pings.recordNanos(System.nanoTime() - t);
                    } else {
                        errors.add(reply.path("error").path("code").asText("reply_without_code"));
                    }
                }));
            }
        }
        try {
            CompletableFuture.allOf(outstanding.toArray(CompletableFuture[]::new))
                    .get(timeout.toSeconds() + 1, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Each failure was counted where it happened.
        }
    }

    /**
     * Why this machine cannot open {@code sockets} connections from one process, if it cannot: too few file
     * descriptors or too few ephemeral ports towards one address.
     */
    static String limitWarning(int sockets) {
        List<String> problems = new ArrayList<>();
        Long files = firstNumberAfter(Path.of("/proc/self/limits"), "Max open files");
        if (files != null && files < sockets + 100L) {
            problems.add("open-file limit " + files + " (ulimit -n)");
        }
        String range = read(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        if (range != null) {
            String[] p = range.trim().split("\\s+");
            long ports = Long.parseLong(p[1]) - Long.parseLong(p[0]) + 1;
            if (ports < sockets) {
                problems.add(ports + " ephemeral ports (net.ipv4.ip_local_port_range)");
            }
        }
        return problems.isEmpty() ? null : "expect failed connects above the " + String.join(" and the ", problems);
    }

    private static Long firstNumberAfter(Path file, String label) {
        String text = read(file);
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(label)) {
                String[] p = line.substring(label.length()).trim().split("\\s+");
                return p[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(p[0]);
            }
        }
        return null;
    }

    private static String read(Path file) {
        try {
            // Not Files.readString: /proc files report size 0 and it returns only their first byte.
            return String.join("\n", Files.readAllLines(file));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static double perConnectionKb(long bytes, long connections) {
        return Math.round(bytes / 1024.0 / connections * 10) / 10.0;
    }
}
