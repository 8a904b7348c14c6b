package dev.huddle.gateway.admin;

import dev.huddle.events.Command;
import dev.huddle.events.Session;
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.gateway.admin.AdminHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API and dashboard as the gateway serves them (its Main, its routing and static content for the
 * web client around ours): pages, sign-in, the gateway's own heartbeat in the servers table, a notice and a
 * disconnect reaching a real WebSocket client, the counters of that client's socket, and a clean stop while an operator's event stream is open.
 */
@ExtendWith(KafkaExtension.class)
class AdminInGatewayTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void dashboardApiAndStopOnARunningGateway() throws Exception {
        KafkaSettings kafka = KafkaExtension.settings();
        RunningService gateway = startGateway(kafka);
        // A second gateway behind the same Service: an operator's dashboard often talks to it, not to the holder.
        RunningService other = startGateway(kafka);
        boolean closed = false;
        try {
            String base = "http://127.0.0.1:" + gateway.port();
            String otherBase = "http://127.0.0.1:" + other.port();
            HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "/admin/")));
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("data-testid=\"login-user\""), "the dashboard, not the web client");
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
            HttpResponse<String> bare = send(HttpRequest.newBuilder(URI.create(base + "/admin")));
            assertTrue(bare.statusCode() == 200 || bare.statusCode() / 100 == 3, "/admin: " + bare.statusCode());
            assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "/admin/app.js"))).statusCode());
            assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + "/admin/api/overview"))).statusCode());

            HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(base + "/admin/api/login"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + AdminHarness.USER
                            + "\",\"password\":\"" + AdminHarness.PASSWORD + "\"}")));
            assertEquals(200, login.statusCode(), login.body());
            String token = Json.tree(login.body()).get("token").asText();
            String otherToken = login(otherBase);

            String self = gateway.instance().id();
            await(() -> {
                try {
                    JsonNode servers = Json.tree(send(HttpRequest.newBuilder(URI.create(base + "/admin/api/servers"))
                            .header("Authorization", "Bearer " + token)).body());
                    for (JsonNode s : servers) {
                        if (s.get("instance").asText().equals(self)) {
                            return s.get("kind").asText().equals("gateway") && s.get("health").asText().equals("up");
                        }
                    }
                    return false;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "the gateway's own heartbeat in the servers table");

            // Actions reach real WebSocket clients of this gateway: a notice to everyone, then a disconnect.
            String annPeer;
            try (WsClient ann = WsClient.hello(gateway.port())) {
                annPeer = ann.peerId();
                socketDetailCountsFramesAndBytes(kafka, base, token, self, ann);
                // the same counters from the other gateway, which asks the holder over its inbox
                JsonNode there = counters(otherBase, otherToken, ann.peerId(), c -> c.get("framesIn").asLong() == 2);
                assertEquals("unknown_type", there.get("lastError").asText(), there.toString());
                ann.send("shout", "s2", Map.of());
                ann.await(f -> "s2".equals(f.path("ref").asText()));
                assertEquals(3, counters(otherBase, otherToken, ann.peerId(), c -> c.get("framesIn").asLong() == 3)
                        .get("framesIn").asLong(), "the counters move, seen from the other gateway");
                String csrf = Json.tree(login.body()).get("csrf").asText();
                HttpResponse<String> notice = send(HttpRequest.newBuilder(URI.create(base + "/admin/api/notice"))
                        .header("Authorization", "Bearer " + token).header(AdminApi.CSRF_HEADER, csrf)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"Maintenance at 6\"}")));
                assertEquals(200, notice.statusCode(), notice.body());
                assertEquals("Maintenance at 6", ann.await("notice").get("data").get("text").asText());
                HttpResponse<String> disconnect = send(HttpRequest.newBuilder(
                        URI.create(base + "/admin/api/disconnect"))
                        .header("Authorization", "Bearer " + token).header(AdminApi.CSRF_HEADER, csrf)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"peerId\":\"" + ann.peerId() + "\"}")));
                assertEquals(200, disconnect.statusCode(), disconnect.body());
                assertEquals(AdminActions.DISCONNECT_CODE, ann.closed().get(30, TimeUnit.SECONDS));
            }

            // An operator watches the event stream while the gateway stops: the stop must not wait for it.
            HttpResponse<Stream<String>> events = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/events"))
                    .header("Cookie", AdminApi.COOKIE + "=" + token).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, events.statusCode());
            Iterator<String> lines = events.body().iterator();
            while (!lines.next().equals("event: overview")) {
                // skip to the first overview
            }
            long start = System.currentTimeMillis();
            gateway.close();
            closed = true;
            long took = System.currentTimeMillis() - start;
            assertTrue(took < 10_000, "close took " + took + " ms");

            // The holder is gone but its session is still listed (presence is not running to end it): the other
            // gateway's socket detail still answers, without counters, and says why.
            long asked = System.currentTimeMillis();
            HttpResponse<String> orphan = send(HttpRequest.newBuilder(URI.create(otherBase + "/admin/api/sockets/"
                    + annPeer)).header("Authorization", "Bearer " + otherToken));
            long waited = System.currentTimeMillis() - asked;
            assertEquals(200, orphan.statusCode(), orphan.body());
            JsonNode detail = Json.tree(orphan.body());
            assertTrue(detail.path("counters").isMissingNode(), orphan.body());
            assertEquals(self + " did not answer within " + SocketCountersQuery.TIMEOUT_MS + " ms",
                    detail.get("countersMissing").asText());
            assertTrue(waited < SocketCountersQuery.TIMEOUT_MS + 3_000, "answered after " + waited + " ms");
        } finally {
            if (!closed) {
                gateway.kill();
            }
            other.kill();
        }
    }

    private static RunningService startGateway(KafkaSettings kafka) {
        return dev.huddle.gateway.Main.start(ServiceConfig.load("gateway.yaml", Map.of(
                "server.port", "0",
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "kafka.topic.prefix", kafka.topicPrefix(),
                "instance.heartbeat.ms", "500",
                "gateway.drain.ms", "300",
                "admin.user", AdminHarness.USER,
                "admin.password.hash", AdminHarness.HASH)));
    }

    private static String login(String base) throws Exception {
        HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(base + "/admin/api/login"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + AdminHarness.USER
                        + "\",\"password\":\"" + AdminHarness.PASSWORD + "\"}")));
        assertEquals(200, login.statusCode(), login.body());
        return Json.tree(login.body()).get("token").asText();
    }

    /**
     * The socket detail of a connection this gateway holds carries its counters, and they move as the client
     * sends and receives frames. (Presence is not running: the test writes the session presence would, with the
     * connection id from the gateway's {@code connected} command.)
     */
    private static void socketDetailCountsFramesAndBytes(KafkaSettings kafka, String base, String token, String self,
                                                         WsClient ann) throws Exception {
        List<Command> presence = new CopyOnWriteArrayList<>();
        ConsumerLoop watch = ConsumerLoop.replica(kafka, "test-presence", List.of(Topics.PRESENCE), true, batch -> {
            batch.forEach(r -> presence.add(Json.read(r.value(), Command.class)));
            return CompletableFuture.completedFuture(null);
        }).start();
        try (watch; Publisher publisher = new Publisher(kafka, "test")) {
            await(() -> presence.stream().anyMatch(c -> ann.peerId().equals(c.key())), "the connected command");
            String conn = presence.stream().filter(c -> ann.peerId().equals(c.key())).findFirst().orElseThrow()
                    .origin().conn();
            publisher.send(Topics.SESSIONS, ann.peerId(), new Session(ann.peerId(), "hash", self, conn,
                    Session.CONNECTED, System.currentTimeMillis(), 0, "127.0.0.1", "test", "Ann", List.of()))
                    .get(10, TimeUnit.SECONDS);
            JsonNode before = counters(base, token, ann.peerId(), c -> c.get("framesOut").asLong() >= 1);
            assertEquals(0, before.get("framesIn").asLong());
            assertTrue(before.get("framesOut").asLong() >= 1, "hello: " + before);
            assertTrue(before.get("bytesOut").asLong() > 100, "hello: " + before);

            ann.ok("ping", Map.of("t", "x".repeat(50)));
            ann.send("shout", "s", Map.of());
            ann.await(f -> "s".equals(f.path("ref").asText()));
            // the writer counts a frame just after the socket took it: the client may have it a moment before
            long out = before.get("framesOut").asLong() + 2;
            JsonNode after = counters(base, token, ann.peerId(), c -> c.get("framesOut").asLong() >= out);
            assertEquals(2, after.get("framesIn").asLong(), after.toString());
            assertTrue(after.get("bytesIn").asLong() > 60, after.toString());
            assertEquals(out, after.get("framesOut").asLong(), after.toString());
            assertTrue(after.get("bytesOut").asLong() > before.get("bytesOut").asLong() + 50, after.toString());
            assertEquals("unknown_type", after.get("lastError").asText());
            assertTrue(after.get("lastErrorTs").asLong() > 0);
        }
    }

    /** The counters of a socket's detail, once the session is in the admin API's replica and they are {@code so}. */
    private static JsonNode counters(String base, String token, String peerId, Predicate<JsonNode> so) {
        JsonNode[] counters = new JsonNode[1];
        await(() -> {
            try {
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/admin/api/sockets/" + peerId))
                        .header("Authorization", "Bearer " + token));
                counters[0] = r.statusCode() == 200 ? Json.tree(r.body()).get("counters") : null;
                return counters[0] != null && so.test(counters[0]);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the socket's detail with its counters");
        return counters[0];
    }
}
