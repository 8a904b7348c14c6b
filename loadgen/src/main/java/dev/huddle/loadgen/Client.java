package dev.huddle.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One protocol connection on the JDK {@link WebSocket}. Requests with a {@code ref} complete a future with their
 * reply; pushes go to the {@link Handler}. Nothing here blocks, so thousands of connections share the few threads
 * of one {@link HttpClient}.
 */
final class Client {
    /** What a scenario does with a connection's pushes and its end. Called on the client's executor threads. */
    interface Handler {
        void push(Client client, JsonNode frame);

        /** The connection ended: the server's close code, or 1006 when it just dropped. */
        void closed(Client client, int code);
    }

    /** Why a send or request failed on the client side; {@code code} is what the error table shows. */
    static final class Failure extends RuntimeException {
        final String code;

        Failure(String code) {
            super(code, null, false, false);
            this.code = code;
        }
    }

    /** A send that waits behind this many others means the gateway is not reading: drop rather than hoard. */
    private static final int MAX_QUEUED_SENDS = 1000;

    private final Handler handler;
    private final CompletableFuture<JsonNode> hello = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final ConcurrentHashMap<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger refs = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;
    private volatile boolean closing;
    // The JDK WebSocket allows one outstanding send; later sends are chained behind it.
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    private Client(Handler handler) {
        this.handler = handler;
    }

    /** Opens a connection; completes when its {@code hello} has arrived. */
    static CompletableFuture<Client> connect(HttpClient http, URI uri, Handler handler, Duration timeout) {
        Client c = new Client(handler);
        return http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, c.new Listener())
                .thenCompose(ws -> {
                    c.socket = ws;
                    return c.hello.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
                })
                .thenApply(h -> c);
    }

    JsonNode hello() {
        return hello.getNow(null);
    }

    String peerId() {
        return hello().path("peerId").asText();
    }

    /** Sends {@code {type, data}} without a ref: no reply, failures come as {@code error} pushes. */
    CompletableFuture<?> send(String type, ObjectNode data) {
        return sendText(frame(type, null, data));
    }

    /** Sends a request with a fresh ref; completes with the whole reply frame ({@code ok}, {@code data}/{@code error}). */
    CompletableFuture<JsonNode> request(String type, ObjectNode data, Duration timeout) {
        String ref = Integer.toString(refs.incrementAndGet());
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(ref, reply);
        sendText(frame(type, ref, data)).whenComplete((x, e) -> {
            if (e != null) {
                reply.completeExceptionally(e);
            }
        });
        return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> pending.remove(ref));
    }

    /** Sends a finished text frame after those before it. */
    synchronized CompletableFuture<?> sendText(String text) {
        if (socket == null || socket.isOutputClosed()) {
            return CompletableFuture.failedFuture(new Failure("connection_closed"));
        }
        if (queued.incrementAndGet() > MAX_QUEUED_SENDS) {
            queued.decrementAndGet();
            return CompletableFuture.failedFuture(new Failure("send_queue_full"));
        }
        WebSocket ws = socket;
        lastSend = lastSend.handle((r, e) -> null)
                .thenCompose(x -> ws.sendText(text, true))
                .whenComplete((r, e) -> queued.decrementAndGet());
        return lastSend;
    }

    boolean isOpen() {
        return socket != null && !closed.isDone();
    }

    /** True once {@link #close()} was called: the end that follows is ours, not an error. */
    boolean isClosing() {
        return closing;
    }

    /** Closes politely (1000) and drops the connection if the server does not answer within a second. */
    CompletableFuture<Integer> close() {
        closing = true;
        WebSocket ws = socket;
        if (ws == null || closed.isDone()) {
            return closed.isDone() ? closed : CompletableFuture.completedFuture(1000);
        }
        sendTextClose(ws);
        return closed.completeOnTimeout(1000, 1, TimeUnit.SECONDS).whenComplete((c, e) -> ws.abort());
    }

    private synchronized void sendTextClose(WebSocket ws) {
        lastSend = lastSend.handle((r, e) -> null).thenCompose(x -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
    }

    private static String frame(String type, String ref, ObjectNode data) {
        ObjectNode f = Json.object();
        f.put("type", type);
        if (ref != null) {
            f.put("ref", ref);
        }
        if (data != null) {
            f.set("data", data);
        }
        return Json.write(f);
    }

    private void received(String text) {
        JsonNode f;
        try {
            f = Json.tree(text);
        } catch (RuntimeException e) {
            handler.push(this, Json.object().put("type", "unparsable"));
            return;
        }
        String type = f.path("type").asText();
        if (type.equals("reply")) {
            CompletableFuture<JsonNode> reply = pending.get(f.path("ref").asText());
            if (reply != null) {
                reply.complete(f);
                return;
            }
        } else if (type.equals("hello") && !hello.isDone()) {
            hello.complete(f.path("data"));
            return;
        }
        handler.push(this, f);
    }

    private void ended(int code) {
        if (closed.complete(code)) {
            Failure gone = new Failure("connection_closed");
            hello.completeExceptionally(gone);
            pending.values().forEach(p -> p.completeExceptionally(gone));
            handler.closed(this, code);
        }
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (last && partial.isEmpty()) {
                received(data.toString());
            } else {
                partial.append(data);
                if (last) {
                    received(partial.toString());
                    partial.setLength(0);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            ended(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ended(1006);
        }
    }
}
