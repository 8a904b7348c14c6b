package dev.huddle.launcher;

import dev.huddle.service.RunningService;
import io.helidon.logging.common.LogConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./run.sh [--gateways N] [--port P] [--data DIR] [--broker-metrics-port Q]}: the whole system on this
 * machine. Prints {@code READY http://localhost:P} once every gateway accepts WebSocket connections; Ctrl-C or
 * SIGTERM stops everything. With the embedded broker it also serves the broker's request counters on loopback
 * port Q (default: any free port, printed) for {@code loadgen.sh relay --broker URL}. {@code --warm-up S} relays
 * signals through every gateway for S seconds before READY ({@link Warmup}), so the first users meet compiled code.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        LogConfig.configureRuntime(); // logging.properties from the class path: Kafka's loggers at WARNING
        int gateways = 1;
        int port = 8080;
        Path data = Path.of("data", "kafka");
        int brokerMetricsPort = 0;
        int warmUpSeconds = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--gateways" -> gateways = Integer.parseInt(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--broker-metrics-port" -> brokerMetricsPort = Integer.parseInt(args[++i]);
                case "--warm-up" -> warmUpSeconds = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: ./run.sh [--gateways N] [--port P] [--data DIR] [--broker-metrics-port Q] [--warm-up S]");
                    return;
                }
                default -> {
                    System.err.println("Unknown option " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        long started = System.nanoTime();
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        Map<String, String> overrides = new HashMap<>(AdminCredentials.fromEnvironment().settings());
        LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(gateways, port,
                external == null || external.isBlank() ? null : external, data.toAbsolutePath(), overrides));
        BrokerMetricsEndpoint brokerMetrics = cluster.kafka() == null ? null
                : BrokerMetricsEndpoint.start(brokerMetricsPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (brokerMetrics != null) {
                brokerMetrics.close();
            }
            cluster.close();
            stopped.countDown();
        }));
        for (RunningService g : cluster.gateways()) {
            awaitWebSocket(g.port());
        }
        if (warmUpSeconds > 0) {
            System.out.println(Warmup.run(cluster.gateways().stream().map(RunningService::port).toList(),
                    Duration.ofSeconds(warmUpSeconds)));
        }
        // Every gateway's WebSocket URL, as loadgen.sh's --gateways takes them (ports may have been chosen freely).
        System.out.println("gateways: " + String.join(",", cluster.gateways().stream()
                .map(g -> "ws://localhost:" + g.port() + "/ws").toList()));
        System.out.println("kafka: " + cluster.bootstrapServers()
                + (cluster.kafka() != null ? " (embedded, data in " + cluster.kafka().dataDir() + ")" : ""));
        if (brokerMetrics != null) {
            System.out.println("broker metrics: " + brokerMetrics.url() + " (loadgen.sh relay --broker URL)");
        }
        for (RunningService s : List.of(cluster.rooms(), cluster.signaling(), cluster.presence())) {
            System.out.println(s.instance().kind() + ": http://localhost:" + s.port() + "/observe/metrics");
        }
        System.out.printf("started in %.1f s%n", (System.nanoTime() - started) / 1e9);
        System.out.println("READY http://localhost:" + cluster.gateways().getFirst().port());
        System.out.flush();
        stopped.await();
    }

    private static void awaitWebSocket(int port) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2))
                        .buildAsync(URI.create("ws://localhost:" + port + "/ws"), new WebSocket.Listener() { })
                        .get(5, TimeUnit.SECONDS);
                ws.abort();
                return;
            } catch (Exception e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("Gateway on port " + port + " does not accept WebSockets", e);
                }
                Thread.sleep(100);
            }
        }
    }
}
