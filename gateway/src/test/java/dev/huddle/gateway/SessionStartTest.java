package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/** hello, keep-alive requests, presence announcements and the plain HTTP side of one gateway. */
@ExtendWith(KafkaExtension.class)
class SessionStartTest {
    private static final String TURN_SECRET = "test-turn-secret";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Harness harness;
    private static RunningService gateway;
    private static Harness.Watcher presence;

    @BeforeAll
    static void start() {
        harness = new Harness();
        presence = harness.watch(Topics.PRESENCE);
        gateway = harness.gateway(Map.of(
                "gateway.stun.urls", "stun:stun.example.org:3478",
                "gateway.turn.urls", "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349",
                "gateway.turn.secret", TURN_SECRET,
                "gateway.turn.ttl.seconds", "600",
                "rooms.capacity", "6"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void helloHasTheProtocolShape() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            JsonNode hello = c.helloData();
            assertThat(hello.get("protocol").asInt(), is(1));
            String peerId = hello.get("peerId").asText();
            assertThat(peerId.matches("[A-Za-z0-9_-]+"), is(true));
            assertThat(Base64.getUrlDecoder().decode(peerId).length * 8, greaterThanOrEqualTo(96));
            String token = hello.get("resumeToken").asText();
            assertThat(token, startsWith(peerId + "."));
            String secret = token.substring(peerId.length() + 1);
            assertThat(Base64.getUrlDecoder().decode(secret).length * 8, greaterThanOrEqualTo(128));
            assertThat(hello.get("gateway").asText(), is(gateway.instance().id()));
            assertThat(Math.abs(hello.get("serverTime").asLong() - System.currentTimeMillis()) < 5000, is(true));
            JsonNode limits = hello.get("limits");
            assertThat(limits.get("maxFrameBytes").asInt(), is(65536));
            assertThat(limits.get("messagesPerSecond").asInt(), is(50));
            assertThat(limits.get("burst").asInt(), is(200));
            assertThat(limits.get("roomCapacity").asInt(), is(6));
        }
    }

    @Test
    void peerIdsAndTokensAreFreshEveryTime() {
        Set<String> peers = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            try (WsClient c = WsClient.hello(gateway.port())) {
                peers.add(c.peerId());
                tokens.add(c.helloData().get("resumeToken").asText());
            }
        }
        assertThat(peers.size(), is(20));
        assertThat(tokens.size(), is(20));
    }

    @Test
    void turnCredentialsVerifyWithTheSharedSecret() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            JsonNode servers = c.helloData().get("iceServers");
            assertThat(servers.size(), is(2));
            assertThat(servers.get(0).get("urls").get(0).asText(), is("stun:stun.example.org:3478"));
            assertThat(servers.get(0).has("credential"), is(false));
            JsonNode turn = servers.get(1);
            assertThat(turn.get("urls").size(), is(2));
            String username = turn.get("username").asText();
            String[] parts = username.split(":");
            assertThat(parts[1], is(c.peerId()));
            long expiry = Long.parseLong(parts[0]);
            long now = System.currentTimeMillis() / 1000;
            assertThat(expiry >= now + 590 && expiry <= now + 610, is(true));
            String expected = IceServers.credential(TURN_SECRET.getBytes(StandardCharsets.UTF_8), username);
            assertThat(turn.get("credential").asText(), is(expected));
            // and independently of our code: HMAC-SHA1 as coturn computes it
            assertThat(turn.get("credential").asText(), is(hmacSha1(TURN_SECRET, username)));
        }
    }

    @Test
    void pingIsAnsweredLocally() {
        try (WsClient c = WsClient.hello(gateway.port())) {
            JsonNode reply = c.ok("ping", Harness.map("t", Harness.map("any", 1)));
            assertThat(reply.get("t").get("any").asInt(), is(1));
            assertThat(reply.get("serverTime").asLong() > 0, is(true));
            c.send("ping", null, Harness.map("t", 42));
            JsonNode pong = c.await("pong").get("data");
            assertThat(pong.get("t").asInt(), is(42));
            assertThat(pong.has("serverTime"), is(true));
            c.send("ping", null, null);
            JsonNode bare = c.await("pong").get("data");
            assertThat(bare.has("t"), is(false));
        }
    }

    @Test
    void presenceHearsOfConnectionsOpeningAndClosing() {
        String peer;
        String token;
        try (WsClient c = WsClient.hello(gateway.port())) {
            peer = c.peerId();
            token = c.helloData().get("resumeToken").asText();
            Command connected = presence.await(x -> x.type().equals(CommandTypes.CONNECTED) && x.key().equals(peer));
            assertThat(connected.origin().peer(), is(peer));
            assertThat(connected.origin().gateway(), is(gateway.instance().id()));
            assertThat(connected.data().get("tokenHash").asText(), is(Ids.sha256Hex(token)));
            assertThat(connected.data().get("userAgent").asText(), containsString("Java"));
            assertThat(connected.data().get("remote").asText(), notNullValue());
        }
        Command disconnected = presence.await(x -> x.type().equals(CommandTypes.DISCONNECTED) && x.key().equals(peer));
        assertThat(disconnected.origin().peer(), is(peer));
    }

    @Test
    void droppedSocketIsNoticedAsDisconnected() {
        WsClient c = WsClient.hello(gateway.port());
        String peer = c.peerId();
        c.abort();
        Command disconnected = presence.await(x -> x.type().equals(CommandTypes.DISCONNECTED) && x.key().equals(peer));
        assertThat("a drop leaves the session its grace period", disconnected.data().path("ended").asBoolean(), is(false));
    }

    @Test
    void aConnectionAnOperatorClosesEndsItsSession() throws Exception {
        WsClient c = WsClient.hello(gateway.port());
        String peer = c.peerId();
        harness.deliver(peer, Delivery.close(List.of(peer), null, null, Delivery.CLOSE_ENDS_SESSION));
        assertThat(c.closed().get(10, TimeUnit.SECONDS), is(1008));
        Command disconnected = presence.await(x -> x.type().equals(CommandTypes.DISCONNECTED) && x.key().equals(peer));
        assertThat("presence ends the session without a grace period", disconnected.data().path("ended").asBoolean(),
                is(true));
    }

    @Test
    void healthAndMetricsAnswer() throws Exception {
        HttpResponse<String> health = get("/observe/health");
        assertThat(health.statusCode(), is(200));
        try (WsClient c = WsClient.hello(gateway.port())) {
            c.ok("ping", null);
            HttpResponse<String> metrics = get("/observe/metrics");
            assertThat(metrics.statusCode(), is(200));
            assertThat(metrics.body(), containsString("huddle_gateway_connections"));
            assertThat(metrics.body(), containsString("huddle_gateway_frames_in"));
        }
    }

    @Test
    void webClientIsServedWithContentSecurityPolicy() throws Exception {
        assertThat("the web client is on the class path",
                getClass().getClassLoader().getResource("web/index.html") != null, is(true));
        HttpResponse<String> root = get("/");
        assertThat(root.statusCode(), is(200));
        assertThat(root.headers().firstValue("Content-Security-Policy").orElse(""),
                is(GatewayRoutes.POLICY));
        HttpResponse<String> room = get("/r/standup");
        assertThat(room.statusCode(), is(200));
        assertThat(room.body(), is(root.body()));
        assertThat(room.headers().firstValue("Content-Security-Policy").orElse(""), not(""));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String hmacSha1(String secret, String text) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
