package dev.huddle.signaling;

import dev.huddle.json.Json;
import dev.huddle.testing.KafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.signaling.Harness.away;
import static dev.huddle.signaling.Harness.await;
import static dev.huddle.signaling.Harness.data;
import static dev.huddle.signaling.Harness.inRoom;
import static dev.huddle.signaling.Harness.present;
import static dev.huddle.signaling.Harness.ref;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/** react: a reaction to every present member of the room, the sender included, kept nowhere. */
@ExtendWith(KafkaExtension.class)
class ReactionRelayTest {
    private static Harness h;

    @BeforeAll
    static void start() throws Exception {
        h = new Harness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void aReactionReachesEveryoneIncludingTheSender() throws Exception {
        String room = "cheers";
        h.members(room, present("ann"), present("bob"), away("zed"));
        long before = System.currentTimeMillis();
        h.send("ann", "react", "e1", room, data("room", room, "emoji", "\uD83C\uDF89"));

        JsonNode reply = await(() -> h.repliesTo("ann"), ref("e1"), 1, Harness.WAIT_MS).get(0);
        assertThat(reply.path("ok").asBoolean(), is(true));
        assertThat(reply.path("data").size(), is(0));
        JsonNode toBob = await(() -> h.pushesTo("bob"), inRoom(room), 1, Harness.WAIT_MS).get(0);
        JsonNode toAnn = await(() -> h.pushesTo("ann"), inRoom(room), 1, Harness.WAIT_MS).get(0);
        assertThat(toAnn, is(toBob));
        long ts = toBob.path("data").path("ts").asLong();
        assertThat(ts >= before - 1000, is(true));
        assertThat(toBob, is(Json.tree("{\"type\":\"reaction\",\"data\":{\"room\":\"cheers\",\"from\":\"ann\","
                + "\"emoji\":\"\uD83C\uDF89\",\"ts\":" + ts + "}}")));
        Harness.settle();
        assertThat("not kept for the away member", h.pushesTo("zed"), is(empty()));
        assertThat("not kept in the room's history", h.roomCommands.stream().filter(c -> c.key().equals(room))
                .toList(), is(empty()));
    }

    @Test
    void aStrangerIsNotInTheRoom() throws Exception {
        String room = "closed circle";
        h.members(room, present("cy"));
        h.send("mallory", "react", "e2", room, data("room", room, "emoji", "\uD83D\uDC4D"));
        JsonNode reply = await(() -> h.repliesTo("mallory"), ref("e2"), 1, Harness.WAIT_MS).get(0);
        assertThat(reply.at("/error/code").asText(), is("not_in_room"));
        Harness.settle();
        assertThat(h.pushesTo("cy").stream().filter(inRoom(room)).count(), is(0L));
    }
}
