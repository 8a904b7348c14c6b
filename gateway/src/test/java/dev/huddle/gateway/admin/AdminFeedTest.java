package dev.huddle.gateway.admin;

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

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.gateway.admin.AdminHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The events feed: joins and leaves from room-members, dropped connections from sessions, gateway deaths from
 * heartbeats, operator actions from the audit topic (written by the API itself), newest first and by kind.
 */
@ExtendWith(KafkaExtension.class)
class AdminFeedTest {
    private static AdminHarness kafka;
    private static Endpoint admin;
    private static Login login;

    @BeforeAll
    static void start() throws Exception {
        kafka = new AdminHarness();
        admin = kafka.endpoint(false, 1000);
        login = admin.login();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static JsonNode feed(String query) {
        try {
            Reply reply = admin.get("/admin/api/feed" + query, "Cookie", login.cookie());
            assertEquals(200, reply.status(), reply.response().body());
            return reply.json();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode item(JsonNode feed, String kind, String field, String value) {
        for (JsonNode n : feed) {
            if (n.path("kind").asText().equals(kind) && n.path(field).asText().equals(value)) {
                return n;
            }
        }
        return null;
    }

    @Test
    void joinsLeavesAndDroppedConnectionsAppearNewestFirst() throws Exception {
        long now = System.currentTimeMillis();
        kafka.publish(Topics.SESSIONS, "peer-eve", new Session("peer-eve", "h", "gateway-a", "c1",
                Session.CONNECTED, now, 0, "10.0.0.5", "Firefox", "Eve", List.of()));
        kafka.publish(Topics.ROOM_MEMBERS, "feed-room", new RoomMembers(1, "feed-room", List.of(
                new Member("peer-eve", "Eve", Media.DEFAULT, false, null, "gateway-a")), now));
        await(() -> item(feed(""), "join", "peerId", "peer-eve") != null, "Eve's join in the feed");
        JsonNode join = item(feed(""), "join", "peerId", "peer-eve");
        assertEquals("feed-room", join.get("room").asText());
        assertEquals("Eve", join.get("nickname").asText());
        assertTrue(join.get("ts").asLong() > 0);

        kafka.publish(Topics.ROOM_MEMBERS, "feed-room", null);
        kafka.publish(Topics.SESSIONS, "peer-eve", null);
        await(() -> item(feed(""), "leave", "peerId", "peer-eve") != null
                && item(feed(""), "disconnect", "peerId", "peer-eve") != null, "Eve's leave and disconnect");
        JsonNode all = feed("");
        long previous = Long.MAX_VALUE;
        for (JsonNode n : all) {
            assertTrue(n.get("seq").asLong() < previous, "newest first: " + all);
            previous = n.get("seq").asLong();
        }
        for (JsonNode n : feed("?kind=leave")) {
            assertEquals("leave", n.get("kind").asText());
        }
        assertEquals(400, admin.get("/admin/api/feed?kind=bogus", "Cookie", login.cookie()).status());
        assertEquals(401, admin.get("/admin/api/feed").status(), "signed-in operators only");
    }

    @Test
    void operatorActionsComeBackFromTheAuditTopic() throws Exception {
        kafka.publish(Topics.ROOM_MEMBERS, "audited", new RoomMembers(1, "audited", List.of(
                new Member("peer-zed", "Zed", Media.DEFAULT, false, null, "gateway-a")), System.currentTimeMillis()));
        await(() -> item(feed(""), "join", "peerId", "peer-zed") != null, "Zed's join in the feed");
        assertEquals(200, admin.act(login, "lock", "{\"room\":\"audited\",\"locked\":true}").status());
        assertEquals(200, admin.act(login, "kick", "{\"room\":\"audited\",\"peerId\":\"peer-zed\"}").status());
        assertEquals(400, admin.act(login, "close", "{\"room\":\"<b>\"}").status());
        await(() -> item(feed(""), "lock", "room", "audited") != null
                && item(feed(""), "kick", "peerId", "peer-zed") != null, "the lock and the kick in the feed");
        JsonNode lock = item(feed(""), "lock", "room", "audited");
        assertEquals("lock", lock.get("action").asText());
        assertEquals(AdminHarness.USER, lock.get("user").asText());
        assertEquals("gateway-test", lock.get("node").asText());
        assertEquals("ok", lock.get("result").asText());
        assertEquals("audited", item(feed(""), "kick", "peerId", "peer-zed").get("room").asText());
        assertEquals("Zed", item(feed(""), "kick", "peerId", "peer-zed").path("nickname").asText(),
                "the kick names whom it removed");
        await(() -> {
            for (JsonNode n : feed("?kind=close")) {
                if ("invalid_field".equals(n.path("result").asText())) {
                    return true;
                }
            }
            return false;
        }, "the refused close, with its error code");
    }

    @Test
    void aGatewayThatFallsSilentIsReportedDead() throws Exception {
        long now = System.currentTimeMillis();
        // Beat 8 s ago: alive now, down (over 10 s) in about 2 s.
        kafka.publish(Topics.INSTANCES, "gateway-doomed", new InstanceHeartbeat(1, "gateway-doomed", "gateway",
                "1.0", now - 60_000, now - 8_000, true, 3));
        await(() -> item(feed("?kind=gateway_death"), "gateway_death", "node", "gateway-doomed") != null,
                "the death of gateway-doomed");
        assertNotNull(item(feed(""), "gateway_death", "node", "gateway-doomed").get("ts"));
    }
}
