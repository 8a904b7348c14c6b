package dev.huddle.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A protocol client for tests, on the JDK's {@link WebSocket}: sends requests, waits for replies and pushes.
 * Frames that a wait skips are kept, so later waits still see them.
 */
public final class WsClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> skipped = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicInteger refs = new AtomicInteger();
    private final WebSocket socket;
    private final StringBuilder partial = new StringBuilder();

    private WsClient(URI uri, String origin) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
        if (origin != null) {
            builder.header("Origin", origin);
        }
        this.socket = builder.buildAsync(uri, new Listener()).join();
    }

    /** Connects to {@code ws://host:port/ws}. */
    public static WsClient connect(int port) {
        return new WsClient(URI.create("ws://localhost:" + port + "/ws"), null);
    }

    public static WsClient connect(URI uri, String origin) {
        return new WsClient(uri, origin);
    }

    /** Connects and waits for {@code hello}; returns its data. */
    public static WsClient hello(int port) {
        WsClient c = connect(port);
        c.hello = c.await("hello").get("data");
        return c;
    }

    private JsonNode hello;

    public JsonNode helloData() {
        return hello;
    }

    public String peerId() {
        return hello.get("peerId").asText();
    }

    /** Sends a raw text frame. */
    public WsClient sendText(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    public WsClient sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
        return this;
    }

    /** Sends {@code {type, ref, data}} and returns the reply frame. */
    public JsonNode request(String type, Object data) {
        String ref = "r" + refs.incrementAndGet();
        send(type, ref, data);
        return await(f -> "reply".equals(text(f, "type")) && ref.equals(text(f, "ref")));
    }

    /** Sends a request that must succeed; returns the reply's data. */
    public JsonNode ok(String type, Object data) {
        JsonNode reply = request(type, data);
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError(type + " failed: " + reply);
        }
        return reply.get("data");
    }

    /** Sends a frame; {@code ref} may be null. */
    public void send(String type, String ref, Object data) {
        ObjectNode frame = Json.object();
        frame.put("type", type);
        if (ref != null) {
            frame.put("ref", ref);
        }
        if (data != null) {
            frame.set("data", Json.toTree(data));
        }
        sendText(Json.write(frame));
    }

    /** Waits for the next push of {@code type}. */
    public JsonNode await(String type) {
        return await(f -> type.equals(text(f, "type")));
    }

    public JsonNode await(Predicate<JsonNode> match) {
        return await(match, TIMEOUT);
    }

    /** Waits for a frame matching {@code match}, keeping the others for later waits. */
    public synchronized JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        for (int i = 0; i < skipped.size(); i++) {
            if (match.test(skipped.get(i))) {
                return skipped.remove(i);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode f = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
                if (f == null) {
                    throw new AssertionError("No matching frame within " + timeout + "; got " + skipped);
                }
                if (match.test(f)) {
                    return f;
                }
                skipped.add(f);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Takes every frame received so far that no wait has taken, oldest first (to account for all of them). */
    public synchronized List<JsonNode> drain() {
        List<JsonNode> all = new ArrayList<>(skipped);
        skipped.clear();
        inbox.drainTo(all);
        return all;
    }

    /** True if a matching frame arrives within {@code timeout} (for asserting that nothing arrives). */
    public boolean receives(Predicate<JsonNode> match, Duration timeout) {
        try {
            await(match, timeout);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** Completes with the close code when the server closes the connection (1006 if it just drops). */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    public boolean isOpen() {
        return !socket.isInputClosed() && !closed.isDone();
    }

    /** Drops the TCP connection without a close handshake. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
    }

    private static String text(JsonNode f, String field) {
        JsonNode v = f.get(field);
        return v == null ? null : v.asText();
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                inbox.add(Json.tree(partial.toString()));
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(1006);
        }
    }
}
