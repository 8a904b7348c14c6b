package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Frames;
import dev.huddle.events.ResumeAccepted;
import dev.huddle.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;

/** A resume without a socket or presence: who the connection is, what is held, and when the reply goes. */
class ResumeFlowTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final PendingRequests pending = new PendingRequests(timer, 60_000);
    private final Set<String> indexed = new LinkedHashSet<>(); // as Connections indexes: a set
    private final List<String> pushed = new ArrayList<>();
    private final ConnectionRooms rooms = new ConnectionRooms();
    private final ResumeFlow flow = new ResumeFlow("fresh", 2, new ResumeFlow.PeerIndex() {
        @Override
        public void index(String peerId) {
            indexed.add(peerId);
        }

        @Override
        public void unindex(String peerId) {
            indexed.remove(peerId);
        }
    }, pending, rooms, pushed::add);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private static String accepted(String peer, String... rooms) {
        return Json.write(new ResumeAccepted(peer, List.of(rooms)));
    }

    private static String roomState(String room) {
        return Json.write(Map.of("room", room, "self", Map.of("peerId", "old"), "peers", List.of(), "chat", List.of()));
    }

    private void begin() {
        indexed.add("fresh");
        flow.begin("r1", "old");
        pending.add("r1", "resume", null, p -> { });
    }

    @Test
    void theReplyGoesWhenPresenceAcceptedAndEveryRoomCameThenWhatWasHeld() {
        begin();
        assertThat(flow.peerIds(), contains("fresh", "old"));
        assertThat(flow.hold("{\"type\":\"signal\",\"n\":1}", "old", false), is(true));
        assertThat(flow.hold("{\"type\":\"reply\"}", "old", true), is(false)); // direct: for this connection
        assertThat(flow.hold("{\"type\":\"peer_joined\"}", "fresh", false), is(false));
        flow.hold("{\"type\":\"signal\",\"n\":2}", "old", false);
        flow.hold("{\"type\":\"signal\",\"n\":3}", "old", false); // over 2 held: the oldest goes

        flow.accepted(accepted("old", "a", "b"));
        assertThat(flow.peerId(), is("old"));
        assertThat(indexed, containsInAnyOrder("old"));
        flow.room(roomState("a"));
        assertThat(pushed.isEmpty(), is(true)); // room b still to come
        flow.room(Frames.push("resume_room", Json.tree(roomState("b")))); // push-shaped is fine too

        assertThat(pushed.size(), is(3));
        JsonNode reply = Json.tree(pushed.getFirst());
        assertThat(reply.path("ref").asText(), is("r1"));
        assertThat(reply.at("/data/peerId").asText(), is("old"));
        assertThat(reply.at("/data/resumeToken").asText().startsWith("old."), is(true));
        assertThat(reply.at("/data/rooms").size(), is(2));
        assertThat(pushed.subList(1, 3), contains("{\"type\":\"signal\",\"n\":2}", "{\"type\":\"signal\",\"n\":3}"));
        assertThat(flow.hold("{}", "old", false), is(false)); // done: nothing is held any more
        assertThat(rooms.touched().size() >= 1, is(true));
    }

    @Test
    void anAbandonedResumeLeavesTheFreshPeer() {
        begin();
        flow.accepted(accepted("old", "a")); // accepted, but the room never comes
        flow.abandon();
        assertThat(flow.peerId(), is("fresh"));
        assertThat(flow.peerIds(), contains("fresh"));
        assertThat(indexed, contains("fresh"));
        assertThat(pushed.isEmpty(), is(true));
    }

    @Test
    void aResumeThatTimedOutSendsNoReply() {
        begin();
        pending.take("r1"); // the timeout answered unavailable
        flow.accepted(accepted("old"));
        assertThat(pushed.isEmpty(), is(true));
    }
}
