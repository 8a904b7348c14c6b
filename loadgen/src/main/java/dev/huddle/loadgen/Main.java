package dev.huddle.loadgen;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code loadgen.sh <relay|join|idle> [options]}: drives a running Huddle system through its public WebSocket
 * protocol and prints what it measured, as a table and optionally as a JSON line (see {@link Options#USAGE}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help"))) {
            System.out.print(Options.USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        Report report = run(options);
        System.out.print(report.table());
        if (options.json() != null) {
            try {
                report.appendTo(options.json());
            } catch (IOException e) {
                System.err.println("Cannot write " + options.json() + ": " + e.getMessage());
                System.exit(1);
            }
        }
    }

    /** Runs the scenario to its end (every phase is bounded in time) and returns its figures. */
    public static Report run(Options options) throws InterruptedException {
        // One HttpClient for every connection; its few executor threads run all WebSocket callbacks, which
        // never block, so thousands of sockets need no thread each.
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "loadgen-ws-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpClient http = HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(options.timeout())).build();
        try {
            return switch (options.scenario()) {
                case "relay" -> new RelayScenario(options, http).run();
                case "join" -> new JoinScenario(options, http).run();
                case "idle" -> new IdleScenario(options, http).run();
                default -> throw new IllegalArgumentException("Unknown scenario " + options.scenario());
            };
        } finally {
            http.shutdownNow(); // not close(): that would wait for sockets a crashed gateway never ends
            executor.shutdownNow();
        }
    }
}
