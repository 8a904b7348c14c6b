package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;
import dev.huddle.events.Origin;
import dev.huddle.events.ResumeAccepted;
import dev.huddle.json.Json;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The gateway's side of resume (architecture.md): the {@code resume} command, held deliveries, the acceptance and
 * the rooms arriving in any order, the reply, and failure. Presence and rooms-service are played by the test.
 */
@ExtendWith(KafkaExtension.class)
class GatewayResumeTest {
    private static Harness harness;
    private static RunningService one;
    private static RunningService two;
    private static Harness.Watcher presence;
    private static Harness.Watcher roomCommands;

    @BeforeAll
    static void start() {
        harness = new Harness();
        presence = harness.watch(Topics.PRESENCE);
        roomCommands = harness.watch(Topics.ROOM_COMMANDS);
        one = harness.gateway(Map.of("gateway.request.timeout.ms", "3000"));
        two = harness.gateway(Map.of("gateway.request.timeout.ms", "20000")); // the slow, complete flow
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static String push(String marker) {
        return Frames.push("signal", Harness.map("room", "r1", "from", "x", "m", marker));
    }

    private static Origin connected(String peer) {
        return presence.await(x -> CommandTypes.CONNECTED.equals(x.type()) && x.key().equals(peer)).origin();
    }

    @Test
    void resumeOnAnotherGatewayTakesOverThePeer() throws Exception {
        WsClient old = WsClient.hello(one.port());
        String peer = old.peerId();
        String token = old.helloData().get("resumeToken").asText();
        Origin oldOrigin = connected(peer);
        try (WsClient fresh = WsClient.connect(two.port())) {
            JsonNode hello = fresh.await("hello").get("data");
            String freshPeer = hello.get("peerId").asText();
            fresh.send("resume", "res", Harness.map("resumeToken", token));
            Command resume = presence.await(CommandTypes.RESUME, "res");
            assertThat(resume.key(), is(peer));
            assertThat(resume.data().get("peerId").asText(), is(peer));
            assertThat(resume.data().get("tokenHash").asText(), is(Ids.sha256Hex(token)));
            assertThat(resume.origin().peer(), is(freshPeer));
            assertThat(resume.origin().gateway(), is(two.instance().id()));

            // something for the peer arrives before the acceptance: held on the new connection
            harness.deliver("r1", Delivery.frame(peer, push("held-1"), 0));
            assertThat(old.await(f -> "held-1".equals(f.path("data").path("m").asText())) != null, is(true));
            assertThat(fresh.receives(f -> "signal".equals(f.path("type").asText()), Duration.ofMillis(500)),
                    is(false));

            // presence: close the old connection, accept; rooms-service: the rooms, in any order
            harness.deliver(peer, Delivery.close(List.of(peer), oldOrigin.conn(), null, 4000));
            assertThat(old.closed().get(10, TimeUnit.SECONDS), is(4000));
            harness.deliver(peer, Delivery.control(resume.origin(), Delivery.Control.RESUME_ACCEPTED,
                    Json.write(new ResumeAccepted(peer, List.of("r1", "r2", "r3"))), null));
            Origin back = new Origin(resume.origin().gateway(), resume.origin().conn(), peer);
            harness.deliver("r3", Delivery.control(back, Delivery.Control.RESUME_ROOM,
                    Json.write(Harness.map("room", "r3", "gone", true)), null));
            harness.deliver("r1", Delivery.frame(peer, push("held-2"), 0));
            assertThat(fresh.receives(f -> "reply".equals(f.path("type").asText()), Duration.ofMillis(500)),
                    is(false)); // r1 and r2 still missing
            harness.deliver("r1", Delivery.control(back, Delivery.Control.RESUME_ROOM, Json.write(Harness.map(
                    "room", "r1", "self", Harness.map("peerId", peer), "peers", List.of(), "chat", List.of())), null));
            harness.deliver("r2", Delivery.control(back, Delivery.Control.RESUME_ROOM, Json.write(Harness.map(
                    "room", "r2", "self", Harness.map("peerId", peer), "peers", List.of(), "chat", List.of())), null));

            JsonNode reply = fresh.await(f -> "res".equals(f.path("ref").asText()));
            assertThat(reply.get("ok").asBoolean(), is(true));
            JsonNode data = reply.get("data");
            assertThat(data.get("peerId").asText(), is(peer));
            String newToken = data.get("resumeToken").asText();
            assertThat(newToken, startsWith(peer + "."));
            assertThat(newToken, not(token));
            assertThat(Ids.sha256Hex(newToken), is(resume.data().get("newTokenHash").asText()));
            assertThat(data.get("rooms").size(), is(2));
            assertThat(data.get("rooms").get(0).get("room").asText(), is("r1"));
            assertThat(data.get("rooms").get(1).get("room").asText(), is("r2"));
            // then the held deliveries, in order
            assertThat(fresh.await("signal").get("data").get("m").asText(), is("held-1"));
            assertThat(fresh.await("signal").get("data").get("m").asText(), is("held-2"));

            // from now on the connection is the peer
            harness.deliver("r1", Delivery.frame(peer, push("live"), 0));
            assertThat(fresh.await("signal").get("data").get("m").asText(), is("live"));
            harness.deliver("x", Delivery.frame(freshPeer, push("to-fresh"), 0));
            assertThat(fresh.receives(f -> "to-fresh".equals(f.path("data").path("m").asText()),
                    Duration.ofMillis(500)), is(false));
            fresh.send("leave", "l", Harness.map("room", "r1"));
            assertThat(roomCommands.await("leave", "l").origin().peer(), is(peer));
        }
        Command bye = presence.await(x -> CommandTypes.DISCONNECTED.equals(x.type()) && x.key().equals(peer)
                && !oldOrigin.conn().equals(x.origin().conn()));
        assertThat(bye.origin().gateway(), is(two.instance().id()));
    }

    @Test
    void failedResumeGoesOnAsTheFreshPeer() {
        try (WsClient fresh = WsClient.connect(one.port())) {
            String freshPeer = fresh.await("hello").get("data").get("peerId").asText();
            String claimed = Ids.peerId();
            fresh.send("resume", "bad", Harness.map("resumeToken", Ids.resumeToken(claimed)));
            Command resume = presence.await(CommandTypes.RESUME, "bad");
            harness.deliver(claimed, Delivery.frame(claimed, push("for-claimed"), 0));
            harness.deliver(claimed, Delivery.toConnection(resume.origin(), Frames.failed("bad", "resume",
                    ErrorCode.RESUME_FAILED, "Unknown or expired resume token"), resume.ts()));
            JsonNode reply = fresh.await(f -> "bad".equals(f.path("ref").asText()));
            assertThat(reply.get("error").get("code").asText(), is("resume_failed"));
            harness.deliver(freshPeer, Delivery.frame(freshPeer, push("for-fresh"), 0));
            assertThat(fresh.await("signal").get("data").get("m").asText(), is("for-fresh"));
            harness.deliver(claimed, Delivery.frame(claimed, push("for-claimed-2"), 0));
            assertThat(fresh.receives(f -> f.path("data").path("m").asText().startsWith("for-claimed"),
                    Duration.ofMillis(500)), is(false));
        }
    }

    @Test
    void malformedTokenIsResumeFailedAndTheFreshPeerGoesOn() {
        try (WsClient fresh = WsClient.connect(one.port())) {
            String freshPeer = fresh.await("hello").get("data").get("peerId").asText();
            fresh.send("resume", "m", Harness.map("resumeToken", "not a token"));
            JsonNode reply = fresh.await(f -> "m".equals(f.path("ref").asText()));
            assertThat(reply.get("error").get("code").asText(), is("resume_failed"));
            harness.deliver(freshPeer, Delivery.frame(freshPeer, push("for-fresh"), 0));
            assertThat(fresh.await("signal").get("data").get("m").asText(), is("for-fresh"));
        }
        assertThat(presence.all().stream().noneMatch(c -> "m".equals(c.ref())), is(true));
    }

    @Test
    void unansweredResumeIsUnavailable() {
        try (WsClient fresh = WsClient.connect(one.port())) {
            fresh.await("hello");
            fresh.send("resume", "t", Harness.map("resumeToken", Ids.resumeToken(Ids.peerId())));
            JsonNode reply = fresh.await(f -> "t".equals(f.path("ref").asText()));
            assertThat(reply.get("error").get("code").asText(), is("unavailable"));
            assertThat(fresh.ok("ping", null).has("serverTime"), is(true));
        }
    }
}
