package dev.huddle.signaling;

import dev.huddle.testing.KafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.signaling.Harness.away;
import static dev.huddle.signaling.Harness.await;
import static dev.huddle.signaling.Harness.data;
import static dev.huddle.signaling.Harness.inRoom;
import static dev.huddle.signaling.Harness.present;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/** Signals and private chat to a peer in its grace period wait for it (the latest 256), in order. */
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

    @Test
    void heldForAwayPeerAndFlushedInOrderWhenBackCappedAtTheLatest256() throws Exception {
        String room = "grace";
        h.members(room, present("ann"), away("bob"));
        int sent = 300;
        for (int i = 0; i < sent; i++) {
            h.send("ann", "signal", "s" + i, room, data("room", room, "to", "bob",
                    "candidate", Map.of("candidate", "c" + i, "sdpMid", "0")));
        }
        h.send("ann", "chat", "last", room, data("room", room, "to", "bob", "text", "are you back?"));
        // The sender is answered as usual, the absent peer gets nothing yet.
        List<JsonNode> replies = await(() -> h.repliesTo("ann"), f -> true, sent + 1, 2 * Harness.WAIT_MS);
        assertThat(replies.stream().allMatch(f -> f.path("ok").asBoolean()), is(true));
        Harness.settle();
        assertThat(h.pushesTo("bob"), is(empty()));

        h.members(room, present("ann"), present("bob"));
        List<JsonNode> flushed = await(() -> h.pushesTo("bob"), inRoom(room), 256, Harness.WAIT_MS);
        Harness.settle();
        flushed = h.pushesTo("bob");
        assertThat(flushed.size(), is(256));
        for (int i = 0; i < 255; i++) {
            assertThat(flushed.get(i).path("data").path("candidate").path("candidate").asText(),
                    is("c" + (sent - 255 + i)));
        }
        assertThat(flushed.get(255).path("type").asText(), is("chat"));
        assertThat(flushed.get(255).path("data").path("text").asText(), is("are you back?"));

        // Back for good: new signals go straight through, after the flushed ones.
        h.send("ann", "signal", null, room, data("room", room, "to", "bob", "candidate", Map.of("candidate", "now")));
        List<JsonNode> all = await(() -> h.pushesTo("bob"), inRoom(room), 257, Harness.WAIT_MS);
        assertThat(all.get(256).path("data").path("candidate").path("candidate").asText(), is("now"));
    }

    @Test
    void droppedWhenTheAwayPeerLeaves() throws Exception {
        String room = "gone";
        h.members(room, present("cy"), away("dee"));
        h.send("cy", "signal", "o", room, data("room", room, "to", "dee",
                "description", Map.of("type", "offer", "sdp", "v=0")));
        await(() -> h.repliesTo("cy"), Harness.ref("o"), 1, Harness.WAIT_MS);
        h.members(room, present("cy")); // grace period over: rooms-service removed dee
        h.members(room, present("cy"), present("dee")); // a later join under the same id must not get old news
        Harness.settle();
        assertThat(h.pushesTo("dee"), is(empty()));
    }

    @Test
    void droppedWhenTheRoomEnds() throws Exception {
        String room = "ended";
        h.members(room, present("eve"), away("fay"));
        h.send("eve", "chat", "p", room, data("room", room, "to", "fay", "text", "bye"));
        await(() -> h.repliesTo("eve"), Harness.ref("p"), 1, Harness.WAIT_MS);
        h.roomGone(room);
        h.members(room, present("fay"));
        Harness.settle();
        assertThat(h.pushesTo("fay"), is(empty()));
        assertThat("the sender still got its own copy", h.pushesTo("eve").size(), is(1));
    }
}
