package dev.huddle.loadgen;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line: {@code <scenario> [--option value]...}. Every target must be a loopback address: this tool
 * is for measuring one's own machine, never for loading someone else's.
 *
 * @param scenario    relay, join or idle
 * @param gateways    WebSocket URLs; relay spreads each room's peers over them, join and idle use the first
 * @param clients     relay: connections in total; idle: idle connections
 * @param rooms       relay: rooms the clients are spread over
 * @param rate        relay: signals per second per client
 * @param seconds     relay: sending time (warm-up included); idle: probing time; join: time limit
 * @param ramp        relay: seconds over which connections are opened
 * @param warmup      relay: first seconds of sending left out of the latency figures
 * @param drain       relay: at most this many seconds to wait for the last deliveries after sending stops
 * @param timeout     seconds to wait for a connection's hello or a request's reply before counting a timeout
 * @param joins       join: round-trips
 * @param probes      idle: connections that send {@code ping} every 100 ms
 * @param concurrency idle: connection attempts in flight at once
 * @param threads     threads of the WebSocket client's executor
 * @param window      relay: seconds per latency window (0: none), e.g. 5 for the p99 of each 5 s from the start
 * @param metrics     the gateway's {@code /observe/metrics}, for its heap (optional)
 * @param broker      the launcher's {@code /broker/requests}, for broker requests per relayed signal (optional)
 * @param gatewayPid  the gateway's process id, for its RSS from /proc (optional)
 * @param json        file to append the result to as one JSON line (optional)
 */
public record Options(String scenario, List<URI> gateways, int clients, int rooms, double rate, int seconds,
                      int ramp, int warmup, int drain, int timeout, int joins, int probes, int concurrency, int threads,
                      int window, URI metrics, URI broker, Long gatewayPid, Path json) {

    static final Set<String> SCENARIOS = Set.of("relay", "join", "idle");

    static final String USAGE = """
            usage: loadgen.sh <relay|join|idle> [options]
              --gateways URL[,URL]  gateway WebSocket URLs (default ws://localhost:8080/ws); loopback only
              --metrics URL         gateway metrics, e.g. http://localhost:8080/observe/metrics (heap)
              --broker URL          relay: the embedded broker's request counters, as ./run.sh prints them
                                    (http://127.0.0.1:Q/broker/requests): broker requests per relayed signal
              --gateway-pid PID     gateway process id (RSS from /proc/PID/status)
              --json FILE           append the result as one JSON line
              --threads N           WebSocket client threads (default 2)
              --timeout S           seconds to wait for a hello or a reply (default 10)
            relay: peers of each room send ICE candidates to each other through the gateways
              --clients C (100) --rooms K (50) --rate M per second per client (5) --seconds S (30)
              --ramp R seconds to open connections (5) --warmup W seconds not measured (5, part of S)
              --drain D seconds to wait for late deliveries (10)
              --window S  latency of each S seconds of sending, warm-up included (0: off), e.g. with
                          --warmup 0 right after start: how slow the first seconds are
            join: sequential join + leave round-trips, each into a fresh room
              --joins J (1000) --seconds time limit (300)
            idle: many idle connections to one gateway, ping round-trips from a few probes
              --clients N (20000) --probes P (4) --seconds S of probing (30) --concurrency connects in flight (200)
            """;

    /** Parses {@code args}; throws {@link IllegalArgumentException} with a message for the user. */
    public static Options parse(String... args) {
        if (args.length == 0 || args[0].startsWith("-")) {
            throw new IllegalArgumentException("The first argument is the scenario: relay, join or idle");
        }
        String scenario = args[0];
        if (!SCENARIOS.contains(scenario)) {
            throw new IllegalArgumentException("Unknown scenario '" + scenario + "': use relay, join or idle");
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String key = args[i];
            if (!key.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --option value, got '" + key + "'");
            }
            values.put(key.substring(2), args[++i]);
        }
        Reader r = new Reader(values);
        boolean relay = scenario.equals("relay");
        boolean idle = scenario.equals("idle");
        List<URI> gateways = new ArrayList<>();
        for (String url : r.text("gateways", "ws://localhost:8080/ws").split(",")) {
            gateways.add(loopback(url.trim(), "ws"));
        }
        String metrics = r.text("metrics", null);
        String broker = r.text("broker", null);
        String pid = r.text("gateway-pid", null);
        String json = r.text("json", null);
        Options o = new Options(scenario, List.copyOf(gateways),
                r.integer("clients", idle ? 20000 : 100, 1, 200_000),
                r.integer("rooms", 50, 1, 100_000),
                r.decimal("rate", 5, 0.01, 1000),
                r.integer("seconds", scenario.equals("join") ? 300 : 30, 1, 86_400),
                r.integer("ramp", 5, 0, 3600),
                r.integer("warmup", 5, 0, 3600),
                r.integer("drain", 10, 0, 600),
                r.integer("timeout", 10, 1, 600),
                r.integer("joins", 1000, 1, 10_000_000),
                r.integer("probes", 4, 1, 100),
                r.integer("concurrency", 200, 1, 10_000),
                r.integer("threads", 2, 1, 64),
                r.integer("window", 0, 0, 3600),
                metrics == null ? null : loopback(metrics, "http"),
                broker == null ? null : loopback(broker, "http"),
                pid == null ? null : pid(pid),
                json == null ? null : Path.of(json));
        r.rejectUnknown();
        if (relay && o.warmup >= o.seconds) {
            throw new IllegalArgumentException("--warmup (" + o.warmup + ") must be shorter than --seconds ("
                    + o.seconds + ")");
        }
        return o;
    }

    private static long pid(String pid) {
        try {
            return Long.parseLong(pid);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--gateway-pid needs a process id, got '" + pid + "'");
        }
    }

    /** The URL, if its scheme fits and its host is this machine. */
    static URI loopback(String url, String scheme) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Not a URL: '" + url + "'");
        }
        if (uri.getScheme() == null || !uri.getScheme().startsWith(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException("Expected a " + scheme + ":// URL, got '" + url + "'");
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(uri.getHost())) {
                if (!a.isLoopbackAddress()) {
                    throw new IllegalArgumentException("Only loopback targets are allowed, not " + uri.getHost());
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Unknown host " + uri.getHost());
        }
        return uri;
    }

    /** Reads typed values and remembers which keys were used, so misspelt options are reported. */
    private static final class Reader {
        private final Map<String, String> values;

        Reader(Map<String, String> values) {
            this.values = new HashMap<>(values);
        }

        String text(String key, String fallback) {
            String v = values.remove(key);
            return v == null ? fallback : v;
        }

        int integer(String key, int fallback, int min, int max) {
            String v = values.remove(key);
            if (v == null) {
                return fallback;
            }
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    throw new IllegalArgumentException("--" + key + " must be " + min + " to " + max + ", got " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + " needs a whole number, got '" + v + "'");
            }
        }

        double decimal(String key, double fallback, double min, double max) {
            String v = values.remove(key);
            if (v == null) {
                return fallback;
            }
            try {
                double d = Double.parseDouble(v);
                if (!(d >= min && d <= max)) {
                    throw new IllegalArgumentException("--" + key + " must be " + min + " to " + max + ", got " + v);
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + " needs a number, got '" + v + "'");
            }
        }

        void rejectUnknown() {
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("Unknown option(s) " + values.keySet().stream()
                        .map(k -> "--" + k).sorted().toList());
            }
        }
    }
}
