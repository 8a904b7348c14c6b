package dev.huddle.signaling;

import dev.huddle.json.Json;
import dev.huddle.testing.KafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.signaling.Harness.await;
import static dev.huddle.signaling.Harness.data;
import static dev.huddle.signaling.Harness.inRoom;
import static dev.huddle.signaling.Harness.present;
import static dev.huddle.signaling.Harness.ref;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** signal: relayed to exactly its target, refused for non-members, never refused for a newcomer. */
@ExtendWith(KafkaExtension.class)
class SignalRelayTest {
    private static final Map<String, String> OFFER = Map.of("type", "offer", "sdp", "v=0 offer");
    private static final Map<String, String> ANSWER = Map.of("type", "answer", "sdp", "v=0 answer");
    private static final Map<String, Object> CANDIDATE = Map.of(
            "candidate", "candidate:1 1 udp 1 10.0.0.1 5000 typ host",
            "sdpMid", "0", "sdpMLineIndex", 0);
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
    void offerAnswerAndCandidateReachExactlyTheTarget() throws Exception {
        String room = "standup";
        h.members(room, present("ann"), present("bob"), present("cy"));
        h.send("ann", "signal", "1", room, data("room", room, "to", "bob", "description", OFFER));
        h.send("bob", "signal", "2", room, data("room", room, "to", "ann", "description", ANSWER));
        h.send("ann", "signal", null, room, data("room", room, "to", "bob", "candidate", CANDIDATE,
                "description", null));

        List<JsonNode> toBob = await(() -> h.pushesTo("bob"), inRoom(room), 2, Harness.WAIT_MS);
        assertThat(toBob.get(0), is(Json.tree("{\"type\":\"signal\",\"data\":{\"room\":\"standup\",\"from\":\"ann\","
                + "\"description\":{\"type\":\"offer\",\"sdp\":\"v=0 offer\"}}}")));
        assertThat(toBob.get(1).path("data").path("candidate"), is(Json.toTree(CANDIDATE)));
        assertThat("only the fields sent", toBob.get(1).path("data").has("description"), is(false));
        List<JsonNode> toAnn = await(() -> h.pushesTo("ann"), inRoom(room), 1, Harness.WAIT_MS);
        assertThat(toAnn.get(0).path("data").path("description"), is(Json.toTree(ANSWER)));
        assertThat(toAnn.get(0).path("data").path("from").asText(), is("bob"));

        assertThat(await(() -> h.repliesTo("ann"), ref("1"), 1, Harness.WAIT_MS).get(0),
                is(Json.tree("{\"type\":\"reply\",\"ref\":\"1\",\"ok\":true,\"data\":{}}")));
        await(() -> h.repliesTo("bob"), ref("2"), 1, Harness.WAIT_MS);
        Harness.settle();
        assertThat(h.pushesTo("cy"), is(empty()));
        assertThat(h.pushesTo("bob").stream().filter(inRoom(room)).count(), is(2L));
        assertThat(h.pushesTo("ann").stream().filter(inRoom(room)).count(), is(1L));
        assertThat("no reply without a ref", h.repliesTo("ann").size(), is(1));
    }

    @Test
    void nonMemberSenderIsRefusedAndNothingIsDelivered() throws Exception {
        String room = "private talk";
        h.members(room, present("dan"), present("eve"));
        h.send("mallory", "signal", "m1", room, data("room", room, "to", "eve", "description", OFFER));
        h.send("mallory", "signal", null, "nowhere", data("room", "nowhere", "to", "eve", "description", OFFER));

        JsonNode reply = await(() -> h.repliesTo("mallory"), ref("m1"), 1, Harness.WAIT_MS).get(0);
        assertThat(reply.path("ok").asBoolean(), is(false));
        assertThat(reply.path("error").path("code").asText(), is("not_in_room"));
        assertThat(reply.path("error").path("message").asText(), containsString("'private talk'"));
        JsonNode push = await(() -> h.repliesTo("mallory"), f -> f.path("type").asText().equals("error"), 1,
                Harness.WAIT_MS).get(0);
        assertThat(push.path("data").path("code").asText(), is("not_in_room"));
        assertThat(push.path("data").path("about").asText(), is("signal"));
        Harness.settle();
        assertThat(h.pushesTo("eve"), is(empty()));
    }

    @Test
    void unknownTargetIsRefusedAndNothingIsDelivered() throws Exception {
        String room = "retro";
        h.members(room, present("fay"), present("gus"));
        h.send("fay", "signal", "u1", room, data("room", room, "to", "hal", "description", OFFER));
        JsonNode reply = await(() -> h.repliesTo("fay"), ref("u1"), 1, Harness.WAIT_MS).get(0);
        assertThat(reply.path("error").path("code").asText(), is("unknown_peer"));
        assertThat(reply.path("error").path("message").asText(), is("Peer 'hal' is not in room 'retro'"));
        Harness.settle();
        assertThat(h.pushesTo("hal"), is(empty()));
        assertThat(h.pushesTo("gus"), is(empty()));
    }

    /** A peer left while the other's browser still trickles candidates to it: refused, without a wait for each. */
    @Test
    void candidatesToAPeerWhoLeftAreRefusedWithoutAWaitEach() throws Exception {
        String room = "parting";
        h.members(room, present("jo"), present("kim"));
        h.members(room, present("jo"));
        long barriersBefore = barrierWaits();
        int burst = 50;
        for (int i = 0; i < burst; i++) {
            h.send("jo", "signal", null, room, data("room", room, "to", "kim", "candidate", CANDIDATE));
        }
        List<JsonNode> errors = await(() -> h.repliesTo("jo"), f -> f.path("type").asText().equals("error"), burst,
                Harness.WAIT_MS);
        assertThat(errors.stream().allMatch(f -> f.path("data").path("code").asText().equals("unknown_peer")),
                is(true));
        long waits = barrierWaits() - barriersBefore;
        System.out.println("Burst of " + burst + " signals to a departed peer: " + waits + " barrier waits");
        assertThat(waits, lessThan((long) burst / 2));
        assertThat(h.pushesTo("kim"), is(empty()));
    }

    private static long barrierWaits() {
        return Metrics.getCounter("huddle_signaling_barrier_waits").map(Counter::count).orElse(0L);
    }

    @Test
    void otherTypesAreRefused() throws Exception {
        String room = "misc";
        h.members(room, present("ivy"));
        h.send("ivy", "join", "j1", room, data("room", room, "nickname", "Ivy"));
        JsonNode reply = await(() -> h.repliesTo("ivy"), ref("j1"), 1, Harness.WAIT_MS).get(0);
        assertThat(reply.path("error").path("code").asText(), is("unknown_type"));
    }

    /**
     * The newcomer's first offer races its own RoomMembers record: rooms-service has it acked, our replica may
     * not have read it. Over 200 fresh rooms in a row, with other signal traffic running, none is refused.
     */
    @Test
    void newcomersFirstSignalIsNeverRefused() throws Exception {
        String busy = "busy";
        h.members(busy, present("noise-a"), present("noise-b"));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger noise = new AtomicInteger();
        Thread traffic = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                h.send("noise-a", "signal", null, busy, data("room", busy, "to", "noise-b", "candidate", CANDIDATE));
                noise.incrementAndGet();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        int rooms = 200;
        long barriersBefore = barrierWaits();
        long start = System.currentTimeMillis();
        for (int i = 0; i < rooms; i++) {
            String room = "fresh-" + i;
            String old = "old-" + i;
            String newcomer = "new-" + i;
            if (i % 2 == 0) {
                // the newcomer calls the member who was there
                h.members(room, present(old));
                h.members(room, present(old), present(newcomer));
                h.send(newcomer, "signal", "o" + i, room, data("room", room, "to", old, "description", OFFER));
            } else {
                // the member who was there calls the newcomer right after peer_joined
                h.members(room, present(old), present(newcomer));
                h.send(old, "signal", "o" + i, room, data("room", room, "to", newcomer, "description", OFFER));
            }
        }
        long sent = System.currentTimeMillis();
        List<JsonNode> replies = await(() -> h.deliveries.stream()
                .filter(s -> s.delivery().conn() != null && s.frame().path("ref").asText("").startsWith("o"))
                .map(Harness.Seen::frame).toList(), f -> true, rooms, 4 * Harness.WAIT_MS);
        running.set(false);
        traffic.join();
        long refused = replies.stream().filter(f -> !f.path("ok").asBoolean()).count();
        long barriers = barrierWaits() - barriersBefore;
        System.out.println("Causality: " + rooms + " fresh rooms in " + (sent - start) + " ms, all answered after "
                + (System.currentTimeMillis() - start) + " ms, " + noise.get() + " other signals meanwhile, "
                + barriers + " waited at the barrier, " + refused + " refused");
        assertThat(refused, is(0L));
        for (int i = 0; i < rooms; i++) {
            String target = i % 2 == 0 ? "old-" + i : "new-" + i;
            await(() -> h.pushesTo(target), inRoom("fresh-" + i), 1, Harness.WAIT_MS);
        }
    }
}
