package dev.huddle.signaling;

import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Json;
import dev.huddle.testing.KafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.signaling.Harness.away;
import static dev.huddle.signaling.Harness.await;
import static dev.huddle.signaling.Harness.data;
import static dev.huddle.signaling.Harness.present;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * Signals and private chat to a peer in its grace period are handed to rooms-service to hold (a {@code hold}
 * command in the room's order, durable before the sender hears ok), in order, once per request even when the
 * request is redelivered; public chat is not (history covers it).
 */
@ExtendWith(KafkaExtension.class)
class AwayPeerHoldTest {
    private static Harness h;

    @BeforeAll
    static void start() throws Exception {
        h = new Harness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static List<Command> holdsFor(String room) {
        return h.roomCommands.stream()
                .filter(c -> CommandTypes.HOLD.equals(c.type()) && room.equals(c.key())).toList();
    }

    @Test
    void signalsAndPrivateChatToAnAwayPeerBecomeHoldsInOrder() throws Exception {
        String room = "grace";
        h.members(room, present("ann"), away("bob"));
        int sent = 20;
        for (int i = 0; i < sent; i++) {
            h.send("ann", "signal", "s" + i, room, data("room", room, "to", "bob",
                    "candidate", Map.of("candidate", "c" + i, "sdpMid", "0"))).get();
        }
        h.send("ann", "chat", "last", room, data("room", room, "to", "bob", "text", "are you back?")).get();
        h.send("ann", "chat", "pub", room, data("room", room, "text", "for everyone")).get();

        // The sender is answered as usual; the absent peer gets nothing directly.
        List<JsonNode> replies = await(() -> h.repliesTo("ann"), f -> true, sent + 2, Harness.WAIT_MS);
        assertThat(replies.stream().allMatch(f -> f.path("ok").asBoolean()), is(true));
        List<Command> holds = await(() -> holdsFor(room).stream().map(Json::toTree).toList(), f -> true, sent + 1,
                Harness.WAIT_MS).stream().map(n -> Json.convert(n, Command.class)).toList();
        Harness.settle();
        assertThat(h.pushesTo("bob"), is(empty()));
        assertThat("the public chat is not held", holdsFor(room), hasSize(sent + 1));

        for (int i = 0; i < sent; i++) {
            JsonNode data = holds.get(i).data();
            assertThat(data.path("to").asText(), is("bob"));
            JsonNode frame = Json.tree(data.path("frame").asText());
            assertThat(frame.path("type").asText(), is("signal"));
            assertThat(frame.path("data").path("candidate").path("candidate").asText(), is("c" + i));
            assertThat(frame.path("data").path("from").asText(), is("ann"));
        }
        JsonNode chat = Json.tree(holds.get(sent).data().path("frame").asText());
        assertThat(chat.path("type").asText(), is("chat"));
        assertThat(chat.path("data").path("text").asText(), is("are you back?"));
        Set<String> ids = holds.stream().map(Command::id).collect(Collectors.toSet());
        assertThat("one id per hold", ids, hasSize(sent + 1));
    }

    @Test
    void aRedeliveredRequestHoldsUnderTheSameId() throws Exception {
        String room = "twice";
        h.members(room, present("cy"), away("dee"));
        Command offer = Command.of(Harness.origin("cy"), "signal", "o", room, data("room", room, "to", "dee",
                "description", Map.of("type", "offer", "sdp", "v=0")), System.currentTimeMillis());
        // The same request twice on the topic: what a crash of signaling before its commit amounts to.
        h.publisher.send(dev.huddle.kafka.Topics.SIGNALS, room, offer).get();
        h.publisher.send(dev.huddle.kafka.Topics.SIGNALS, room, offer).get();
        await(() -> holdsFor(room).stream().map(Json::toTree).toList(), f -> true, 1, Harness.WAIT_MS);
        Harness.settle();
        // signaling may drop the copy itself; if it relays it again, rooms-service must be able to drop it.
        assertThat(holdsFor(room).stream().map(Command::id).distinct().count(), is(1L));
        // Whichever instance relays the request, the hold's id is the same: derived from the request's.
        assertThat(holdsFor(room).get(0).id(), is(Command.derivedId(offer.id(), CommandTypes.HOLD + "/dee")));
    }

    @Test
    void nothingIsHeldForAPeerWhoIsBack() throws Exception {
        String room = "back";
        h.members(room, present("eve"), present("fay"));
        h.send("eve", "signal", "p", room, data("room", room, "to", "fay", "candidate", Map.of("candidate", "x")));
        await(() -> h.pushesTo("fay"), Harness.inRoom(room), 1, Harness.WAIT_MS);
        Harness.settle();
        assertThat(holdsFor(room), is(empty()));
    }
}
