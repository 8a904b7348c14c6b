package dev.huddle.gateway.admin;

import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.InstanceHeartbeat;
import dev.huddle.events.Session;
import dev.huddle.json.Json;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;
import dev.huddle.service.PasswordHash;
import dev.huddle.testing.KafkaExtension;

import io.helidon.webserver.WebServer;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.admin.Admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Admin APIs on a real broker (one fresh topic prefix), each behind a Helidon server with only the admin
 * routing, plus what the tests play around them: a publisher for the records other services would write, and
 * a reader of what the APIs send on room-commands and deliveries.
 */
final class AdminHarness implements AutoCloseable {
    static final String USER = "ops";
    static final String PASSWORD = "correct horse battery";
    /** Few iterations: the tests sign in often, and the hash's strength is not under test. */
    static final String HASH = PasswordHash.hash(PASSWORD, 1000);
    /** admin.session.key: shared by every gateway of a test, as the Secret is in k8s */
    static final String SESSION_KEY = "test-session-key-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An HTTP answer: status, headers and the body (parsed when it is JSON). */
    record Reply(int status, HttpResponse<String> response) {
        JsonNode json() {
            return Json.tree(response.body());
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        String errorCode() {
            return json().path("error").path("code").asText();
        }
    }

    /** A sign-in: the cookie pair to send back, and the login answer. */
    record Login(String cookie, String csrf, String token, Reply reply) {
    }

    /** One admin API (one gateway's) and its HTTP server. */
    static final class Endpoint {
        final AdminApi api;
        final WebServer server;

        Endpoint(AdminApi api) {
            this.api = api;
            // Only the admin routing: no discovered features (observe, ...), which would only slow the start.
            this.server = WebServer.builder().port(0).host("127.0.0.1").featuresDiscoverServices(false)
                    .routing(api::register).build().start();
        }

        HttpClient http() {
            return HTTP;
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + server.port() + path);
        }

        Reply get(String path, String... headers) throws Exception {
            return send(HttpRequest.newBuilder(uri(path)).GET(), headers);
        }

        Reply post(String path, String body, String... headers) throws Exception {
            return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json"), headers);
        }

        private Reply send(HttpRequest.Builder builder, String... headers) throws Exception {
            if (headers.length > 0) {
                builder.headers(headers);
            }
            HttpResponse<String> response = HTTP.send(builder.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response);
        }

        Login login() throws Exception {
            Reply reply = post("/admin/api/login", "{\"user\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}");
            assertEquals(200, reply.status(), reply.response().body());
            String setCookie = reply.header("Set-Cookie");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            return new Login(cookie, reply.json().get("csrf").asText(), reply.json().get("token").asText(), reply);
        }

        /** POSTs an action the way the dashboard does: session cookie and CSRF header. */
        Reply act(Login login, String action, String body) throws Exception {
            return post("/admin/api/" + action, body, "Cookie", login.cookie(), AdminApi.CSRF_HEADER, login.csrf());
        }

        void close() {
            server.stop();
            api.close();
        }
    }

    /** The gateway the actions' deliveries go to (a heartbeat only: its inbox is read by this harness). */
    static final String GATEWAY = "gw-admin-test";

    final KafkaSettings settings = KafkaExtension.settings();
    final Admin admin;
    final Publisher publisher;
    final List<Command> commands = new CopyOnWriteArrayList<>();
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final ConsumerLoop recorder;

    AdminHarness() throws Exception {
        admin = Admin.create(settings.admin());
        TopicAdmin.ensure(admin, settings, Topics.ALL);
        publisher = new Publisher(settings, "admin-test");
        TopicAdmin.ensure(admin, settings, List.of(Topics.inbox(GATEWAY)));
        recorder = ConsumerLoop.replica(settings, "admin-test-recorder", List.of(Topics.ROOM_COMMANDS,
                Topics.inbox(GATEWAY)), true, batch -> {
            batch.forEach(r -> {
                if (r.value() == null) {
                    return; // the warm-up below
                }
                if (r.topic().equals(settings.topic(Topics.ROOM_COMMANDS))) {
                    commands.add(Json.read(r.value(), Command.class));
                } else {
                    deliveries.add(Json.read(r.value(), Delivery.class));
                }
            });
            return CompletableFuture.completedFuture(null);
        }).start();
        recorder.ready().get(30, TimeUnit.SECONDS);
        // The APIs share this publisher: have it fetch the metadata of the topics they write to now, so that
        // their first action does not run into the producer's max.block on a loaded machine.
        publish(Topics.ROOM_COMMANDS, "warm-up", null);
        publish(Topics.inbox(GATEWAY), "warm-up", null);
    }

    /**
     * {@link #GATEWAY} is live and holds {@code peerId}, as its heartbeat and presence's session say (the admin
     * API reads both to address deliveries). Before {@link #endpoint}, whose replicas then have read them.
     */
    void gatewayHolding(String peerId) throws Exception {
        long now = System.currentTimeMillis();
        publish(Topics.INSTANCES, GATEWAY, new InstanceHeartbeat(1, GATEWAY, "gateway", "test", now, now, true, 1));
        publish(Topics.SESSIONS, peerId, new Session(peerId, "hash", GATEWAY, "conn-1", Session.CONNECTED, now, 0,
                "127.0.0.1", "test", null, List.of()));
    }

    /** A new admin API on these topics, ready (its replicas caught up). */
    Endpoint endpoint(boolean readonly, int loginRatePerMinute) throws Exception {
        return endpoint(new AdminSettings(USER, HASH, readonly, 60_000, loginRatePerMinute, SESSION_KEY, "127.0.0.1"));
    }

    Endpoint endpoint(AdminSettings adminSettings) throws Exception {
        AdminApi api = AdminApi.create(adminSettings, settings, publisher, admin, "gateway-test");
        Endpoint endpoint = new Endpoint(api);
        endpoints.add(endpoint);
        api.ready().get(30, TimeUnit.SECONDS);
        return endpoint;
    }

    /**
     * Publishes like the other services would, retrying while the producer has no metadata for the topic yet
     * (its max.block is a few seconds, which a loaded test machine can exceed for a topic just created).
     */
    void publish(TopicSpec topic, String key, Object value) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                publisher.send(topic, key, value).get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException)
                        || System.currentTimeMillis() > deadline) {
                    throw e;
                }
            }
        }
    }

    Command command(String id) {
        await(() -> commands.stream().anyMatch(c -> c.id().equals(id)), "command " + id + " on room-commands");
        return commands.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    Delivery delivery(String id) {
        await(() -> deliveries.stream().anyMatch(d -> d.id().equals(id)), "delivery " + id);
        return deliveries.stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow();
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("Timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    @Override
    public void close() {
        endpoints.forEach(Endpoint::close);
        recorder.close();
        publisher.close();
        admin.close(Duration.ofSeconds(2));
    }
}
