package dev.huddle.gateway.admin;

import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.gateway.admin.AdminHarness.Endpoint;
import dev.huddle.gateway.admin.AdminHarness.Login;
import dev.huddle.gateway.admin.AdminHarness.Reply;
import dev.huddle.json.Json;
import dev.huddle.testing.KafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each operator action puts the right command or delivery on Kafka (read back from the broker). */
@ExtendWith(KafkaExtension.class)
class AdminActionsTest {
    private static AdminHarness kafka;
    private static Endpoint admin;
    private static Login login;

    @BeforeAll
    static void start() throws Exception {
        kafka = new AdminHarness();
        kafka.gatewayHolding("peer-1");
        admin = kafka.endpoint(false, 1000);
        login = admin.login();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String sent(String action, String body) throws Exception {
        Reply reply = admin.act(login, action, body);
        assertEquals(200, reply.status(), action + ": " + reply.response().body());
        assertTrue(reply.json().get("ok").asBoolean());
        return reply.json().get("id").asText();
    }

    @Test
    void disconnectClosesThePeersConnectionsWith1008AndNoFrame() throws Exception {
        Delivery d = kafka.delivery(sent("disconnect", "{\"peerId\":\"peer-1\"}"));
        assertEquals(List.of("peer-1"), d.to());
        assertEquals(Delivery.Control.CLOSE, d.control());
        assertEquals(1008, d.code());
        assertNull(d.frame());
        assertNull(d.conn());
    }

    @Test
    void kickIsAKickCommandForTheRoom() throws Exception {
        Command c = kafka.command(sent("kick", "{\"room\":\"standup\",\"peerId\":\"peer-2\"}"));
        assertEquals(CommandTypes.KICK, c.type());
        assertEquals("standup", c.key());
        assertNull(c.origin());
        assertEquals("standup", c.data().get("room").asText());
        assertEquals("peer-2", c.data().get("peerId").asText());
    }

    @Test
    void closeIsACloseRoomCommand() throws Exception {
        Command c = kafka.command(sent("close", "{\"room\":\"retro\"}"));
        assertEquals(CommandTypes.CLOSE_ROOM, c.type());
        assertEquals("retro", c.key());
        assertEquals("retro", c.data().get("room").asText());
    }

    @Test
    void lockAndUnlock() throws Exception {
        Command lock = kafka.command(sent("lock", "{\"room\":\"retro\",\"locked\":true}"));
        assertEquals(CommandTypes.LOCK, lock.type());
        assertEquals("retro", lock.key());
        assertTrue(lock.data().get("locked").asBoolean());
        Command unlock = kafka.command(sent("lock", "{\"room\":\"retro\",\"locked\":false}"));
        assertEquals(false, unlock.data().get("locked").asBoolean());
    }

    @Test
    void noticeToOneRoomGoesThroughRoomsService() throws Exception {
        Command c = kafka.command(sent("notice", "{\"room\":\"standup\",\"text\":\" Maintenance at 6 \"}"));
        assertEquals(CommandTypes.NOTICE, c.type());
        assertEquals("standup", c.key());
        assertEquals("standup", c.data().get("room").asText());
        assertEquals("Maintenance at 6", c.data().get("text").asText());
    }

    @Test
    void noticeToEveryoneIsADeliveryToEveryone() throws Exception {
        Delivery d = kafka.delivery(sent("notice", "{\"text\":\"Back in 5\",\"room\":null}"));
        assertEquals(List.of(Delivery.EVERYONE), d.to());
        assertNull(d.control());
        JsonNode frame = Json.tree(d.frame());
        assertEquals("notice", frame.get("type").asText());
        assertEquals("Back in 5", frame.get("data").get("text").asText());
        assertNull(frame.get("data").get("room"));
    }

    @Test
    void roomNamesAreNormalisedLikeTheProtocolDoes() throws Exception {
        // "Cafe" + combining acute, padded: NFC and trimmed, it is "Café".
        Command c = kafka.command(sent("close", "{\"room\":\"\\u00a0 Cafe\\u0301 \"}"));
        assertEquals("Caf\u00e9", c.key());
        assertEquals("Caf\u00e9", c.data().get("room").asText());
    }

    @Test
    void invalidInputsAreClear400s() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"close", "{\"room\":\"a/b\"}"},
                new String[] {"close", "{\"room\":\"" + "x".repeat(65) + "\"}"},
                new String[] {"close", "{\"room\":\"   \"}"},
                new String[] {"close", "{\"room\":7}"},
                new String[] {"close", "{}"},
                new String[] {"kick", "{\"room\":\"standup\"}"},
                new String[] {"kick", "{\"room\":\"standup\",\"peerId\":\"" + "p".repeat(65) + "\"}"},
                new String[] {"lock", "{\"room\":\"standup\"}"},
                new String[] {"lock", "{\"room\":\"standup\",\"locked\":\"yes\"}"},
                new String[] {"notice", "{\"text\":\"\"}"},
                new String[] {"notice", "{\"text\":\"" + "x".repeat(2001) + "\"}"},
                new String[] {"notice", "{\"text\":\"hi\",\"room\":\"bad*room\"}"},
                new String[] {"disconnect", "{\"peerId\":\"\"}"},
                new String[] {"disconnect", "[\"peer-1\"]"},
                new String[] {"disconnect", "not json"});
        for (String[] c : cases) {
            Reply reply = admin.act(login, c[0], c[1]);
            assertEquals(400, reply.status(), c[0] + " " + c[1]);
            assertEquals("invalid_field", reply.errorCode(), c[0] + " " + c[1]);
            assertTrue(reply.json().path("error").path("message").asText().length() > 5, reply.response().body());
        }
    }
}
