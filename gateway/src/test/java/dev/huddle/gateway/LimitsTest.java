package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

/** The connection limits of protocol.md: frame size, rate, UTF-8, Origin, keep-alive. */
@ExtendWith(KafkaExtension.class)
class LimitsTest {
    private static final int RATE = 5;
    private static final int BURST = 10;
    private static final long PING_MS = 1000;
    private static Harness harness;
    private static RunningService gateway;
    private static RunningService pinging; // short keep-alive: only for the keep-alive tests

    @BeforeAll
    static void start() {
        harness = new Harness();
        gateway = harness.gateway(Map.of(
                "gateway.rate.per.second", Integer.toString(RATE),
                "gateway.rate.burst", Integer.toString(BURST),
                "gateway.allowed.origins", "self, https://meet.example.com"));
        pinging = harness.gateway(Map.of("gateway.ping.interval.ms", Long.toString(PING_MS)));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void frameOverTheLimitIsAnsweredTooLargeThenClosed1009() throws Exception {
        try (WsClient c = WsClient.hello(gateway.port()); WsClient bystander = WsClient.hello(gateway.port())) {
            String text = "x".repeat(70 * 1024);
            c.sendText("{\"type\": \"chat\", \"data\": {\"room\": \"r\", \"text\": \"" + text + "\"}}");
            JsonNode error = c.await("error").get("data");
            assertThat(error.get("code").asText(), is("too_large"));
            assertThat(error.get("message").asText(), containsString("65536"));
            assertThat(c.closed().get(10, TimeUnit.SECONDS), is(1009));
            assertThat(bystander.ok("ping", null).has("serverTime"), is(true));
        }
    }

    @Test
    void floodIsRateLimitedThenClosed1008() throws Exception {
        try (WsClient c = WsClient.hello(gateway.port()); WsClient bystander = WsClient.hello(gateway.port())) {
            // three bursts' worth at once: the bucket runs dry, frames with a ref get a rate_limited reply
            for (int i = 0; i < 3 * BURST; i++) {
                c.send("ping", "b" + i, null);
            }
            JsonNode limited = c.await(f -> "reply".equals(f.path("type").asText()) && !f.path("ok").asBoolean());
            assertThat(limited.get("error").get("code").asText(), is("rate_limited"));
            assertThat(limited.get("error").get("message").asText(), containsString("5 a second"));
            // frames without a ref: at most one error push a second
            long start = System.currentTimeMillis();
            for (int i = 0; i < 3 * BURST; i++) {
                c.send("ping", null, null);
            }
            JsonNode push = c.await("error").get("data");
            assertThat(push.get("code").asText(), is("rate_limited"));
            int pushes = 1;
            while (c.receives(f -> "error".equals(f.path("type").asText()), Duration.ofMillis(300))) {
                pushes++;
            }
            long seconds = (System.currentTimeMillis() - start) / 1000;
            assertThat("pushes " + pushes + " in " + seconds + " s", pushes <= seconds + 1, is(true));
            // keep flooding at ten times the rate: closed with 1008
            long deadline = System.currentTimeMillis() + 10_000;
            while (!c.closed().isDone() && System.currentTimeMillis() < deadline) {
                try {
                    c.send("ping", null, null);
                } catch (RuntimeException e) {
                    break; // output closed
                }
                Thread.sleep(1000 / (RATE * 10));
            }
            assertThat(c.closed().get(5, TimeUnit.SECONDS), is(1008));
            assertThat(bystander.ok("ping", null).has("serverTime"), is(true));
        }
    }

    /** An object with a usable ref gets exactly one reply, limited or not, with or without a string type. */
    @Test
    void framesWithoutTypeGetTheirOneReplyWhenRateLimited() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            for (int i = 0; i < 2 * BURST; i++) {
                c.sendText("{\"ref\": \"t" + i + "\"}");
            }
            for (int i = 0; i < 2 * BURST; i++) {
                String ref = "t" + i;
                JsonNode reply = c.await(f -> ref.equals(f.path("ref").asText()));
                assertThat(reply.get("error").get("code").asText(), is(i < BURST ? "bad_frame" : "rate_limited"));
            }
            assertThat(c.receives(f -> "error".equals(f.path("type").asText()), Duration.ofMillis(500)), is(false));
        }
    }

    /**
     * One frame over the limit, sent whole (the JDK client splits big messages into fragments): just over it, the
     * gateway answers too_large then 1009; far over it, Helidon's own limit cuts it at its header with 1009, before
     * buffering it.
     */
    @Test
    void singleFramesOverTheLimitAreClosed1009WithoutBeingBuffered() throws Exception {
        try (WsClient bystander = WsClient.hello(gateway.port())) {
            assertThat(oneFrame(70 * 1024), contains(containsString("too_large"), is("close 1009")));
            assertThat(oneFrame(4 << 20), contains(is("close 1009")));
            assertThat(bystander.ok("ping", null).has("serverTime"), is(true));
        }
    }

    /** What the server sends after one text frame of {@code size} bytes, to its close. */
    private static List<String> oneFrame(int size) throws Exception {
        try (RawWs raw = new RawWs(gateway.port(), null)) {
            raw.readUntil(0x1); // hello
            byte[] big = ("{\"type\": \"chat\", \"data\": {\"text\": \"" + "y".repeat(size) + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            try {
                raw.send(0x1, big, true);
            } catch (java.io.IOException e) {
                // closed before the whole frame was written: what the server answered is read below
            }
            List<String> seen = new ArrayList<>();
            for (RawWs.Frame f = raw.read(); f != null; f = f.opcode() == 8 ? null : raw.read()) {
                seen.add(f.opcode() == 8 ? "close " + f.closeCode() : f.text());
            }
            return seen;
        }
    }

    @Test
    void fragmentedMessagesAreAssembledAndCountedWhole() throws Exception {
        try (RawWs raw = new RawWs(gateway.port(), null)) {
            raw.readUntil(0x1); // hello
            raw.send(0x1, "{\"type\": \"ping\", ".getBytes(StandardCharsets.UTF_8), false);
            raw.send(0x0, "\"ref\": \"frag\"}".getBytes(StandardCharsets.UTF_8), true);
            assertThat(raw.readUntil(0x1).text(), containsString("\"ref\":\"frag\""));
            // 40 KB + 40 KB: each fragment is under the limit, the message is not
            String half = "z".repeat(40 * 1024);
            raw.send(0x1, ("{\"type\": \"chat\", \"data\": {\"text\": \"" + half).getBytes(StandardCharsets.UTF_8),
                    false);
            raw.send(0x0, (half + "\"}}").getBytes(StandardCharsets.UTF_8), true);
            assertThat(raw.readUntil(0x1).text(), containsString("too_large"));
            assertThat(raw.readUntil(0x8).closeCode(), is(1009));
        }
    }

    @Test
    void invalidUtf8IsClosed1007() throws Exception {
        try (RawWs raw = new RawWs(gateway.port(), null)) {
            assertThat(raw.status, is(101));
            assertThat(raw.readUntil(0x1).text(), containsString("hello"));
            raw.send(0x1, new byte[] {'{', '"', 't', (byte) 0xc3, (byte) 0x28, '"', '}'});
            RawWs.Frame close = raw.readUntil(0x8);
            assertThat(close, notNullValue());
            assertThat(close.closeCode(), is(1007));
        }
    }

    @Test
    void escapedReplacementCharacterIsFine() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            JsonNode reply = c.ok("ping", Harness.map("t", "\\ufffd"));
            assertThat(reply.get("t").asText(), is("\\ufffd"));
            c.sendText("{\"type\": \"ping\", \"ref\": \"esc\", \"data\": {\"t\": \"\\ufffd\"}}");
            assertThat(c.await(f -> "esc".equals(f.path("ref").asText())).get("data").get("t").asText(), is("\ufffd"));
        }
    }

    @Test
    void originAllowList() throws Exception {
        int port = gateway.port();
        assertThat(handshake(port, "http://localhost:" + port), is(101)); // self
        assertThat(handshake(port, "https://meet.example.com"), is(101));
        assertThat(handshake(port, null), is(101));
        assertThat(handshake(port, "http://localhost:1"), is(403));
        assertThat(handshake(port, "https://meet.example.com:8443"), is(403));
        assertThat(handshake(port, "http://evil.example"), is(403));
        assertThat(handshake(port, "null"), is(403));
        try (RawWs raw = new RawWs(port, "http://evil.example")) {
            assertThat(raw.status, is(403));
        }
    }

    @Test
    void idleClientsArePingedAndLiveOnesStay() throws Exception {
        try (WsClient c = WsClient.hello(pinging.port())) { // the JDK client answers pings by itself
            Thread.sleep(PING_MS * 5);
            assertThat(c.isOpen(), is(true));
            assertThat(c.ok("ping", null).has("serverTime"), is(true));
        }
    }

    @Test
    void clientThatNeverPongsIsClosed() throws Exception {
        try (RawWs raw = new RawWs(pinging.port(), null)) {
            raw.readUntil(0x1); // hello
            long start = System.currentTimeMillis();
            RawWs.Frame ping = raw.readUntil(0x9);
            assertThat(ping, notNullValue());
            RawWs.Frame end = raw.readUntil(0x8); // close frame, or the socket cut (null)
            long took = System.currentTimeMillis() - start;
            assertThat(took >= PING_MS * 2, is(true));
            assertThat(took < PING_MS * 10, is(true));
            if (end != null) {
                assertThat(raw.readUntil(0x1), is((RawWs.Frame) null)); // and then the socket goes
            }
        }
    }

    /** The handshake's HTTP status for a browser-like client with this Origin (101 when upgraded). */
    private static int handshake(int port, String origin) {
        try (WsClient c = WsClient.connect(URI.create("ws://localhost:" + port + "/ws"), origin)) {
            c.await("hello");
            return 101;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }
}
