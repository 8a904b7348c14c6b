package dev.huddle.signaling;

import dev.huddle.events.ChatMessage;
import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Json;
import dev.huddle.testing.KafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** chat: public to everyone incl. the sender and into history, private to target and sender only. */
@ExtendWith(KafkaExtension.class)
class ChatRelayTest {
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
    void publicChatReachesEveryoneAndGoesToHistory() throws Exception {
        String room = "lobby";
        h.members(room, present("ann"), present("bob"), away("zed"));
        long before = System.currentTimeMillis();
        h.send("ann", "chat", "c1", room, data("room", room, "text", "hello all"));

        JsonNode reply = await(() -> h.repliesTo("ann"), ref("c1"), 1, Harness.WAIT_MS).get(0);
        assertThat(reply.path("ok").asBoolean(), is(true));
        String id = reply.path("data").path("id").asText();
        long ts = reply.path("data").path("ts").asLong();
        assertThat(id, id.matches("[0-9a-f]{16}"), is(true));
        assertThat(ts, greaterThan(before - 1));

        JsonNode expected = Json.tree("{\"type\":\"chat\",\"data\":{\"room\":\"lobby\",\"id\":\"" + id + "\","
                + "\"from\":{\"peerId\":\"ann\",\"nickname\":\"nick-ann\"},\"text\":\"hello all\",\"ts\":" + ts + "}}");
        assertThat(await(() -> h.pushesTo("ann"), inRoom(room), 1, Harness.WAIT_MS).get(0), is(expected));
        assertThat(await(() -> h.pushesTo("bob"), inRoom(room), 1, Harness.WAIT_MS).get(0), is(expected));

        Command posted = awaitPosted(room, 1).get(0);
        assertThat(posted.key(), is(room));
        assertThat(Json.convert(posted.data(), ChatMessage.class),
                is(new ChatMessage(room, id, new ChatMessage.Sender("ann", "nick-ann"), null, "hello all", ts)));
        Harness.settle();
        assertThat("away members get history on resume instead", h.pushesTo("zed"), is(empty()));
        assertThat(h.pushesTo("bob").stream().filter(inRoom(room)).count(), is(1L));
    }

    @Test
    void privateChatReachesOnlyTargetAndSenderAndIsNotKept() throws Exception {
        String room = "whisper";
        h.members(room, present("cy"), present("dee"), present("eli"));
        h.send("cy", "chat", "p1", room, data("room", room, "text", "psst", "to", "dee"));
        h.send("cy", "chat", "p2", room, data("room", room, "text", "now public"));

        JsonNode reply = await(() -> h.repliesTo("cy"), ref("p1"), 1, Harness.WAIT_MS).get(0);
        String id = reply.path("data").path("id").asText();
        JsonNode toDee = await(() -> h.pushesTo("dee"), inRoom(room), 2, Harness.WAIT_MS).get(0);
        assertThat(toDee.path("data").path("id").asText(), is(id));
        assertThat(toDee.path("data").path("to").asText(), is("dee"));
        assertThat(toDee.path("data").path("text").asText(), is("psst"));
        assertThat(await(() -> h.pushesTo("cy"), inRoom(room), 2, Harness.WAIT_MS).get(0), is(toDee));

        // Both go to room-commands' same partition in order: once the public one is there, the private one
        // would have been too.
        List<Command> posted = awaitPosted(room, 1);
        Harness.settle();
        assertThat(h.roomCommands.stream().filter(c -> c.key().equals(room)).count(), is(1L));
        assertThat(posted.get(0).data().path("text").asText(), is("now public"));
        List<JsonNode> toEli = h.pushesTo("eli").stream().filter(inRoom(room)).toList();
        assertThat(toEli.size(), is(1));
        assertThat(toEli.get(0).path("data").path("text").asText(), is("now public"));
    }

    @Test
    void chatFromNonMemberOrToStrangerIsRefused() throws Exception {
        String room = "closed";
        h.members(room, present("fay"), present("gus"));
        h.send("hal", "chat", "n1", room, data("room", room, "text", "let me in"));
        h.send("fay", "chat", "n2", room, data("room", room, "text", "hi", "to", "ivy"));

        JsonNode notIn = await(() -> h.repliesTo("hal"), ref("n1"), 1, Harness.WAIT_MS).get(0);
        assertThat(notIn.path("error").path("code").asText(), is("not_in_room"));
        assertThat(notIn.path("error").path("message").asText(), containsString("'closed'"));
        JsonNode unknown = await(() -> h.repliesTo("fay"), ref("n2"), 1, Harness.WAIT_MS).get(0);
        assertThat(unknown.path("error").path("code").asText(), is("unknown_peer"));
        assertThat(unknown.path("error").path("message").asText(), is("Peer 'ivy' is not in room 'closed'"));
        Harness.settle();
        assertThat(h.pushesTo("fay"), is(empty()));
        assertThat(h.pushesTo("gus"), is(empty()));
        assertThat(h.roomCommands.stream().filter(c -> c.key().equals(room)).toList(), is(empty()));
    }

    private static List<Command> awaitPosted(String room, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + Harness.WAIT_MS;
        while (true) {
            List<Command> posted = h.roomCommands.stream()
                    .filter(c -> c.key().equals(room) && c.type().equals(CommandTypes.CHAT_POSTED)).toList();
            if (posted.size() >= count || System.currentTimeMillis() > deadline) {
                assertThat(posted.size(), is(count));
                return posted;
            }
            Thread.sleep(10);
        }
    }
}
