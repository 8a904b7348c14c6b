package dev.huddle.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET http://127.0.0.1:P/broker/requests}: the embedded broker's request counters as JSON
 * ({@link BrokerRequests}), for the load generator to read before and after its measured window. Loopback only
 * and read-only: counts of requests reveal nothing about their content.
 */
public final class BrokerMetricsEndpoint implements AutoCloseable {
    public static final String PATH = "/broker/requests";

    private final HttpServer server;

    private BrokerMetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Serves on {@code port} of the loopback address (0: a free port). */
    public static BrokerMetricsEndpoint start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            BrokerRequests broker = new BrokerRequests();
            server.createContext(PATH, exchange -> answer(exchange, broker));
            server.start(); // the default executor: one thread, enough for a reading now and then
            return new BrokerMetricsEndpoint(server);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve broker metrics on port " + port, e);
        }
    }

    private static void answer(HttpExchange exchange, BrokerRequests broker) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") || !exchange.getRequestURI().getPath().equals(PATH)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = broker.json().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL to give the load generator ({@code --broker}). */
    public String url() {
        return "http://127.0.0.1:" + port() + PATH;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
