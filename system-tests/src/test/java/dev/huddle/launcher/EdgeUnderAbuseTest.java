package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * The gateway's edge under abuse, with real sockets on two gateways: each limit cuts its abuser while a bystander
 * pair (one peer on each gateway) goes on relaying signals and chatting. The abusers come through a "proxy"
 * (loopback is configured as trusted, and they name their own address in X-Forwarded-For), so that the per-address
 * caps count them and not the bystanders.
 */
class EdgeUnderAbuseTest {
    private static final int MAX_OPEN = 5;
    private static final int PER_SECOND = 5;
    private static final long OUTBOUND_BYTES = 256 * 1024;
    private static LocalCluster cluster;
    private static int gw1;
    private static int gw2;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of(
                        "kafka.topic.prefix", "edge" + UUID.randomUUID().toString().substring(0, 6) + ".",
                        "rooms.capacity", "250",
                        "gateway.trusted.proxies", "127.0.0.1, ::1",
                        "gateway.connections.max.per.address", Integer.toString(MAX_OPEN),
                        "gateway.connections.rate.per.address", Integer.toString(PER_SECOND),
                        "gateway.outbound.bytes", Long.toString(OUTBOUND_BYTES))));
        gw1 = cluster.gateways().get(0).port();
        gw2 = cluster.gateways().get(1).port();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Ann on one gateway, Bob on the other, in a room of their own. */
    private record Pair(WsClient ann, WsClient bob, String room) implements AutoCloseable {
        static Pair open() {
            String room = "bystanders " + UUID.randomUUID().toString().substring(0, 8);
            WsClient ann = WsClient.hello(gw1);
            WsClient bob = WsClient.hello(gw2);
            ann.ok("join", Map.of("room", room, "nickname", "Ann"));
            bob.ok("join", Map.of("room", room, "nickname", "Bob"));
            return new Pair(ann, bob, room);
        }

        /** A signal each way and a chat, all delivered. */
        void stillTalk(String tag) {
            ann.ok("signal", Map.of("room", room, "to", bob.peerId(), "candidate", Map.of("candidate", tag)));
            assertThat(bob.await("signal").get("data").get("candidate").get("candidate").asText(), is(tag));
            bob.ok("signal", Map.of("room", room, "to", ann.peerId(), "candidate", Map.of("candidate", tag + "'")));
            assertThat(ann.await("signal").get("data").get("candidate").get("candidate").asText(), is(tag + "'"));
            bob.ok("chat", Map.of("room", room, "text", tag));
            assertThat(ann.await("chat").get("data").get("text").asText(), is(tag));
        }

        @Override
        public void close() {
            ann.close();
            bob.close();
        }
    }

    /** A WebSocket opened as if through the trusted proxy for {@code client}: its status, 101 or the refusal. */
    private static int open(int port, String client, List<WebSocket> into) {
        try {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("X-Forwarded-For", client)
                    .buildAsync(URI.create("ws://localhost:" + port + "/ws"), new WebSocket.Listener() { })
                    .join();
            into.add(ws);
            return 101;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }

    @Test
    void connectionsPerAddressAreCappedWith429() throws Exception {
        try (Pair pair = Pair.open()) {
            List<WebSocket> sockets = new ArrayList<>();
            for (int i = 0; i < MAX_OPEN; i++) {
                assertThat(open(gw1, "203.0.113.7", sockets), is(101));
                Thread.sleep(250); // under the new-connection rate
            }
            assertThat(open(gw1, "203.0.113.7", sockets), is(429));
            assertThat(open(gw2, "203.0.113.7", sockets), is(101)); // a cap per gateway
            assertThat(open(gw1, "203.0.113.8", sockets), is(101)); // another address is not affected
            pair.stillTalk("cap");
            // a closed connection gives its slot back
            sockets.getFirst().sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
            long deadline = System.currentTimeMillis() + 10_000;
            int status;
            do {
                Thread.sleep(300);
                status = open(gw1, "203.0.113.7", sockets);
            } while (status != 101 && System.currentTimeMillis() < deadline);
            assertThat(status, is(101));
            sockets.forEach(WebSocket::abort);
        }
    }

    @Test
    void newConnectionsPerSecondPerAddressAreCappedWith429() throws Exception {
        try (Pair pair = Pair.open()) {
            List<WebSocket> sockets = new ArrayList<>();
            int refused = 0;
            for (int i = 0; i < 3 * PER_SECOND; i++) {
                int status = open(gw2, "198.51.100." + 1, sockets);
                if (status == 429) {
                    refused++;
                } else {
                    sockets.removeLast().abort(); // stay under the open cap: only the rate is tested here
                }
            }
            assertThat(refused > 0, is(true));
            pair.stillTalk("rate");
            Thread.sleep(1500); // the bucket refills
            assertThat(open(gw2, "198.51.100.1", sockets), is(101));
            sockets.forEach(WebSocket::abort);
        }
    }

    @Test
    void aHugeFrameIsCutAtItsHeaderWith1009() throws Exception {
        try (Pair pair = Pair.open(); RawSocket abuser = new RawSocket(gw2, "192.0.2.1")) {
            abuser.sendText("{\"type\":\"chat\",\"data\":{\"text\":\"" + "z".repeat(8 << 20) + "\"}}");
            assertThat(abuser.closeCode(), is(1009));
            pair.stillTalk("frame");
        }
    }

    /**
     * 200 sockets join a room and stop reading while a member floods it with chat: each is cut once its outbound
     * queue holds {@code gateway.outbound.bytes}, the heap stays bounded, and the bystanders talk throughout.
     */
    @Test
    void twoHundredSocketsThatStopReadingAreCutAndTheHeapStaysBounded() throws Exception {
        String room = "flooded " + UUID.randomUUID().toString().substring(0, 8);
        long before = usedHeapAfterGc();
        List<RawSocket> stalled = new ArrayList<>();
        try (Pair pair = Pair.open(); WsClient flooder = WsClient.hello(gw1)) {
            flooder.ok("join", Map.of("room", room, "nickname", "Flood"));
            for (int i = 0; i < 200; i++) {
                RawSocket s = new RawSocket(i % 2 == 0 ? gw1 : gw2, "10.9.0." + (i + 1));
                s.sendText("{\"type\":\"join\",\"data\":{\"room\":\"" + room + "\",\"nickname\":\"s" + i + "\"}}");
                stalled.add(s);
            }
            String text = "f".repeat(1900);
            long peak = 0;
            long deadline = System.currentTimeMillis() + 120_000;
            int sent = 0;
            while (openConnections() > 3 && System.currentTimeMillis() < deadline) { // the pair and the flooder
                for (int i = 0; i < 40; i++) {
                    flooder.send("chat", null, Map.of("room", room, "text", text));
                    sent++;
                }
                Thread.sleep(1000); // within the flooder's rate limit
                if (sent % 200 == 0) {
                    peak = Math.max(peak, usedHeapAfterGc() - before);
                    pair.stillTalk("flood" + sent);
                }
            }
            assertThat(openConnections(), is(3L)); // every stalled socket was cut
            peak = Math.max(peak, usedHeapAfterGc() - before);
            // each stalled socket may hold at most its byte cap before it is cut (plus the rest of the system)
            assertThat(peak, lessThan(200 * OUTBOUND_BYTES + (96L << 20)));
            pair.stillTalk("after");
        } finally {
            for (RawSocket s : stalled) {
                s.close();
            }
        }
    }

    /** Open client connections of both gateways, as their metrics count them. */
    private static long openConnections() throws Exception {
        String metrics = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://localhost:" + gw1 + "/observe/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("huddle_gateway_connections"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** A bare client socket with a small receive buffer that never reads unless asked. */
    static final class RawSocket implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        /** @param client the address the trusted proxy names in X-Forwarded-For */
        RawSocket(int port, String client) throws IOException {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("localhost", port));
            socket.setSoTimeout(30_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: localhost:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nX-Forwarded-For: " + client + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed during the upgrade: " + head);
                }
                head.write(b);
            }
            if (!head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
                throw new IOException("not upgraded: " + head);
            }
        }

        /** One masked text frame (mask 0: the payload goes as it is). */
        void sendText(String text) throws IOException {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write(0x81);
            if (payload.length < 126) {
                f.write(0x80 | payload.length);
            } else if (payload.length < 65536) {
                f.write(0x80 | 126);
                f.write(payload.length >> 8);
                f.write(payload.length & 0xff);
            } else {
                f.write(0x80 | 127);
                for (int i = 56; i >= 0; i -= 8) {
                    f.write((int) ((long) payload.length >> i) & 0xff);
                }
            }
            f.write(new byte[4]);
            try {
                out.write(f.toByteArray());
                out.write(payload);
                out.flush();
            } catch (IOException e) {
                // the server may close before the whole frame is in: closeCode() reads what it said
            }
        }

        /** Reads up to the server's close frame and returns its code (-1: cut without one). */
        int closeCode() throws IOException {
            while (true) {
                int b0 = in.read();
                if (b0 < 0) {
                    return -1;
                }
                int b1 = in.read();
                long length = b1 & 0x7f;
                if (length == 126) {
                    length = (in.read() << 8) | in.read();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | in.read();
                    }
                }
                byte[] payload = in.readNBytes((int) length);
                if ((b0 & 0x0f) == 8) {
                    return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
