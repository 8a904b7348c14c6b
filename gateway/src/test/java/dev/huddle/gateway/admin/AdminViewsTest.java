package dev.huddle.gateway.admin;

import dev.huddle.events.DirectoryEntry;
import dev.huddle.events.InstanceHeartbeat;
import dev.huddle.events.Media;
import dev.huddle.events.Member;
import dev.huddle.events.RoomMembers;
import dev.huddle.events.Session;
import dev.huddle.gateway.admin.AdminHarness.Endpoint;
import dev.huddle.gateway.admin.AdminHarness.Login;
import dev.huddle.gateway.admin.AdminHarness.Reply;
import dev.huddle.kafka.Topics;
import dev.huddle.testing.KafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.gateway.admin.AdminHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tables reflect what presence, rooms-service and the instances publish; the event stream carries them;
 * the dashboard is served with its security headers.
 */
@ExtendWith(KafkaExtension.class)
class AdminViewsTest {
    private static AdminHarness kafka;
    private static Endpoint admin;
    private static Login login;

    @BeforeAll
    static void start() throws Exception {
        kafka = new AdminHarness();
        admin = kafka.endpoint(false, 1000);
        login = admin.login();
        long now = System.currentTimeMillis();
        kafka.publish(Topics.SESSIONS, "peer-ann", new Session("peer-ann", "hash-of-ann-token", "gateway-a",
                "c1", Session.CONNECTED, now - 5000, 0, "10.0.0.1", "Firefox", "Ann", List.of("standup")));
        kafka.publish(Topics.SESSIONS, "peer-bob", new Session("peer-bob", "hash-of-bob-token", "gateway-a",
                "c2", Session.AWAY, now - 9000, now - 1000, "10.0.0.2", "Chrome", "Bob", List.of("standup")));
        kafka.publish(Topics.SESSIONS, "peer-cy", new Session("peer-cy", "hash-of-cy-token", "gateway-b",
                "c3", Session.CONNECTED, now - 1000, 0, "10.0.0.3", "Safari", "Cy", List.of("secret plans")));
        kafka.publish(Topics.ROOM_MEMBERS, "standup", new RoomMembers(1, "standup", List.of(
                new Member("peer-ann", "Ann", new Media(true, true, false), false, null, "gateway-a"),
                new Member("peer-bob", "Bob", Media.DEFAULT, true, null, "gateway-a")), now, true));
        kafka.publish(Topics.ROOM_MEMBERS, "secret plans", new RoomMembers(1, "secret plans", List.of(
                new Member("peer-cy", "Cy", Media.DEFAULT, false, null, "gateway-a")), now));
        kafka.publish(Topics.ROOM_DIRECTORY, "standup", new DirectoryEntry("standup", 2, 8, true, 1234L));
        kafka.publish(Topics.INSTANCES, "gateway-a", new InstanceHeartbeat(1, "gateway-a", "gateway", "1.0",
                now - 60_000, now, true, 2));
        kafka.publish(Topics.INSTANCES, "rooms-old", new InstanceHeartbeat(1, "rooms-old", "rooms", "1.0",
                now - 120_000, now - 30_000, true, 0));
        kafka.publish(Topics.INSTANCES, "presence-sick", new InstanceHeartbeat(1, "presence-sick", "presence",
                "1.0", now - 10_000, now, false, 0));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static JsonNode get(String path) throws Exception {
        Reply reply = admin.get(path, "Cookie", login.cookie());
        assertEquals(200, reply.status(), path);
        return reply.json();
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.path(field).asText().equals(value)) {
                return n;
            }
        }
        return null;
    }

    @Test
    void socketsListOpenConnectionsWithoutTokenHashes() throws Exception {
        await(() -> {
            try {
                return get("/admin/api/sockets").size() == 2;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "two open connections");
        Reply reply = admin.get("/admin/api/sockets", "Cookie", login.cookie());
        assertFalse(reply.response().body().contains("hash-of"), "token hashes never leave presence");
        assertFalse(reply.response().body().contains("tokenHash"));
        JsonNode ann = find(reply.json(), "peerId", "peer-ann");
        assertEquals("Ann", ann.get("nickname").asText());
        assertEquals("gateway-a", ann.get("gateway").asText());
        assertEquals("standup", ann.get("rooms").get(0).asText());
        assertEquals("10.0.0.1", ann.get("remote").asText());
        assertEquals("Firefox", ann.get("userAgent").asText());
        assertEquals("connected", ann.get("state").asText());
        assertTrue(ann.get("connectedSince").asLong() > 0);
        assertNull(find(reply.json(), "peerId", "peer-bob"), "an away session has no connection");
        JsonNode one = get("/admin/api/sockets/peer-ann");
        assertEquals("Firefox", one.get("userAgent").asText());
        assertEquals(404, admin.get("/admin/api/sockets/peer-bob", "Cookie", login.cookie()).status());
    }

    @Test
    void roomsIncludePrivateOnesWithDirectoryDetailsWhenKnown() throws Exception {
        await(() -> {
            try {
                JsonNode rooms = get("/admin/api/rooms");
                return rooms.size() == 2 && find(rooms, "name", "standup").has("capacity");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "two rooms");
        JsonNode rooms = get("/admin/api/rooms");
        JsonNode standup = find(rooms, "name", "standup");
        assertEquals(2, standup.get("count").asInt());
        assertEquals(8, standup.get("capacity").asInt());
        assertTrue(standup.get("locked").asBoolean());
        assertEquals(1234L, standup.get("created").asLong());
        assertFalse(standup.get("private").asBoolean());
        assertEquals("Ann", find(standup.get("members"), "peerId", "peer-ann").get("nickname").asText());
        assertTrue(find(standup.get("members"), "peerId", "peer-bob").get("away").asBoolean());
        JsonNode secret = find(rooms, "name", "secret plans");
        assertEquals(1, secret.get("count").asInt());
        assertTrue(secret.get("private").asBoolean());
        assertFalse(secret.has("capacity"));
        assertFalse(secret.get("locked").asBoolean(), "a private room's lock comes from room-members");
        JsonNode annMember = find(standup.get("members"), "peerId", "peer-ann");
        assertTrue(annMember.get("media").get("audio").asBoolean(), "members carry their media state");
        assertEquals("standup", rooms.get(0).get("name").asText(), "fullest first");
    }

    @Test
    void serversShowHealthFromHeartbeats() throws Exception {
        await(() -> {
            try {
                return get("/admin/api/servers").size() == 3;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "three instances");
        JsonNode servers = get("/admin/api/servers");
        JsonNode gateway = find(servers, "instance", "gateway-a");
        assertEquals("gateway", gateway.get("kind").asText());
        assertEquals("up", gateway.get("health").asText());
        assertEquals(2, gateway.get("connections").asInt());
        assertTrue(gateway.get("uptimeMs").asLong() >= 60_000);
        assertTrue(gateway.get("lastSeen").asLong() > 0);
        assertEquals("1.0", gateway.get("version").asText());
        assertEquals("down", find(servers, "instance", "rooms-old").get("health").asText());
        assertEquals("unhealthy", find(servers, "instance", "presence-sick").get("health").asText());
    }

    @Test
    void overviewCountsAndTombstonesRemove() throws Exception {
        await(() -> {
            try {
                JsonNode o = get("/admin/api/overview");
                return o.get("connections").asInt() == 2 && o.get("rooms").asInt() == 2
                        && o.get("gateways").asInt() == 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the overview");
        JsonNode o = get("/admin/api/overview");
        assertEquals(1, o.get("away").asInt());
        assertEquals(3, o.get("members").asInt());
        assertEquals(1, o.get("services").asInt(), "the silent rooms instance is down, the sick one counts");
        assertTrue(o.get("ready").asBoolean());

        // A peer and a room that come and go.
        long now = System.currentTimeMillis();
        kafka.publish(Topics.SESSIONS, "peer-dee", new Session("peer-dee", "h", "gateway-b", "c9",
                Session.CONNECTED, now, 0, "10.0.0.9", "Edge", "Dee", List.of("brief")));
        kafka.publish(Topics.ROOM_MEMBERS, "brief", new RoomMembers(1, "brief", List.of(
                new Member("peer-dee", "Dee", Media.DEFAULT, false, null, "gateway-a")), now));
        await(() -> {
            try {
                return find(get("/admin/api/sockets"), "peerId", "peer-dee") != null
                        && find(get("/admin/api/rooms"), "name", "brief") != null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "peer-dee and room brief");
        kafka.publish(Topics.SESSIONS, "peer-dee", null);
        kafka.publish(Topics.ROOM_MEMBERS, "brief", null);
        await(() -> {
            try {
                return find(get("/admin/api/sockets"), "peerId", "peer-dee") == null
                        && find(get("/admin/api/rooms"), "name", "brief") == null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "tombstones to remove peer-dee and room brief");
    }

    @Test
    void eventStreamCarriesTheOverviewEverySecondAndEndsOnLogout() throws Exception {
        Login own = admin.login();
        HttpResponse<Stream<String>> response = admin.http().send(HttpRequest.newBuilder(admin.uri("/admin/api/events"))
                .header("Cookie", own.cookie()).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        Iterator<String> lines = response.body().iterator();
        List<String> events = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline && events.stream().filter("event: overview"::equals).count() < 2) {
            String line = lines.next();
            if (line.startsWith("event: ")) {
                events.add(line);
                String data = lines.next();
                assertTrue(data.startsWith("data: {") || data.startsWith("data: ["), data);
            }
        }
        assertTrue(events.contains("event: sockets"), events.toString());
        assertTrue(events.contains("event: rooms"), events.toString());
        assertTrue(events.contains("event: servers"), events.toString());
        assertEquals(2, events.stream().filter("event: overview"::equals).count(), events.toString());

        assertEquals(200, admin.post("/admin/api/logout", "{}", "Cookie", own.cookie()).status());
        CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
            while (lines.hasNext()) {
                lines.next();
            }
        });
        ended.get(10, TimeUnit.SECONDS);
    }

    @Test
    void dashboardIsServedWithItsModulesAndSecurityHeaders() throws Exception {
        Reply index = admin.get("/admin/");
        assertEquals(200, index.status());
        assertTrue(index.header("Content-Type").startsWith("text/html"), index.header("Content-Type"));
        String csp = index.header("Content-Security-Policy");
        assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
        assertEquals("nosniff", index.header("X-Content-Type-Options"));
        String html = index.response().body();
        for (String hook : List.of("login-user", "login-password", "login-submit", "stat-connections",
                "stat-rooms", "stat-gateways", "sockets-table", "rooms-table", "servers-table")) {
            assertTrue(html.contains("data-testid=\"" + hook + "\""), hook);
        }
        assertFalse(html.contains("<script>") || html.contains(" style="), "no inline script or style");

        // Every module the page loads, and every module they import, is there and is JavaScript.
        List<String> todo = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("src=\"(/admin/[^\"]+\\.js)\"").matcher(html);
        while (m.find()) {
            todo.add(m.group(1));
        }
        assertFalse(todo.isEmpty());
        List<String> seen = new ArrayList<>();
        while (!todo.isEmpty()) {
            String path = todo.remove(0);
            if (seen.contains(path)) {
                continue;
            }
            seen.add(path);
            Reply js = admin.get(path);
            assertEquals(200, js.status(), path);
            assertTrue(js.header("Content-Type").contains("javascript"), path + ": " + js.header("Content-Type"));
            java.util.regex.Matcher imports = java.util.regex.Pattern.compile("from '\\./([^']+\\.js)'")
                    .matcher(js.response().body());
            while (imports.find()) {
                todo.add(path.substring(0, path.lastIndexOf('/') + 1) + imports.group(1));
            }
        }
        Reply css = admin.get("/admin/admin.css");
        assertEquals(200, css.status());
        assertTrue(css.header("Content-Type").startsWith("text/css"));
        assertEquals(401, admin.get("/admin/api/overview").status(), "the API still answers under /admin");
    }
}
