package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Command;
import dev.huddle.events.Frames;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Origin;
import dev.huddle.json.Json;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** {@link Requests} without a socket or Kafka: dispatch by the table, its per-type limit, and reply matching. */
class RequestDispatchTest {
    private record Sent(TopicSpec topic, String key, Command command) {
    }

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ClientFake client = new ClientFake();
    private final PendingRequests pending = new PendingRequests(timer, 60_000);
    private final List<Sent> sent = new ArrayList<>();
    private final ConnectionRooms rooms = new ConnectionRooms();
    private final ResumeFlow resume = new ResumeFlow("fresh", 16, new ResumeFlow.PeerIndex() {
        @Override
        public void index(String peerId) {
        }

        @Override
        public void unindex(String peerId) {
        }
    }, pending, rooms, client.answers::push);
    private final Requests requests = new Requests(client.answers, pending, (topic, key, command) -> {
        sent.add(new Sent(topic, key, command));
        return CompletableFuture.completedFuture(null);
    }, () -> new Origin("gw", "c1", "fresh"), resume, rooms, null, frame -> { }, 5000);

    @AfterEach
    void stop() {
        timer.shutdownNow();
        client.close();
    }

    private void request(String type, String ref, String data) {
        requests.handle(RequestType.of(type), ref, Json.tree(data), false);
    }

    @Test
    void eachServiceRequestGoesToItsRowsTopicKeyedByTheRoomWithNormalisedData() {
        request("rename", "1", "{\"room\":\" r \",\"nickname\":\"Ann\",\"extra\":1}");
        request("chat", null, "{\"room\":\"s\",\"text\":\"hi\"}");
        assertThat(sent.size(), is(2));
        assertThat(sent.get(0).topic(), is(Topics.ROOM_COMMANDS));
        assertThat(sent.get(0).key(), is("r"));
        assertThat(sent.get(0).command().type(), is("rename"));
        assertThat(sent.get(0).command().data().has("extra"), is(false));
        assertThat(sent.get(1).topic(), is(Topics.SIGNALS));
        assertThat(pending.contains("1"), is(true));
    }

    @Test
    void pingIsAnsweredHereWithAReplyOrAPong() {
        request("ping", "p", "{\"t\":5}");
        JsonNode reply = client.only();
        assertThat(reply.path("ref").asText(), is("p"));
        assertThat(reply.at("/data/t").asInt(), is(5));
        request("ping", null, "{}");
        assertThat(client.only().path("type").asText(), is("pong"));
        assertThat(sent.isEmpty(), is(true));
    }

    @Test
    void aThirdReactionInASecondIsRefusedBeforeKafka() {
        for (int i = 0; i < 3; i++) {
            request("react", "r" + i, "{\"room\":\"r\",\"emoji\":\"\uD83C\uDF89\"}");
        }
        assertThat(sent.size(), is(2));
        JsonNode refused = client.only();
        assertThat(refused.path("ref").asText(), is("r2"));
        assertThat(refused.at("/error/code").asText(), is("rate_limited"));
        assertThat(refused.at("/error/message").asText(), is("Too many reactions: at most 2 a second; this one was"
                + " dropped"));
    }

    @Test
    void invalidDataIsInvalidField() {
        request("media", "m", "{\"room\":\"r\",\"audio\":true}");
        JsonNode f = client.only();
        assertThat(f.at("/error/code").asText(), is("invalid_field"));
        assertThat(f.at("/error/message").asText(), containsString("data.video"));
        assertThat(sent.isEmpty(), is(true));
    }

    @Test
    void aReplyReachesTheClientOnceAndAnInternalRefsFailureBecomesAnErrorPush() {
        request("leave", "l", "{\"room\":\"r\"}");
        String ok = Frames.reply("l", null);
        requests.replied(Json.tree(ok), ok);
        requests.replied(Json.tree(ok), ok); // a redelivered duplicate
        assertThat(client.only().path("ref").asText(), is("l"));

        request("media", null, "{\"room\":\"q\",\"audio\":true,\"video\":false,\"screen\":false}");
        String internal = sent.getLast().command().ref();
        assertThat(RequestOrder.isInternal(internal), is(true));
        String failure = Frames.failure(internal, ErrorCode.NOT_IN_ROOM, "not in q");
        requests.replied(Json.tree(failure), failure);
        JsonNode error = client.only();
        assertThat(error.path("type").asText(), is("error"));
        assertThat(error.at("/data/code").asText(), is("not_in_room"));
        assertThat(error.at("/data/about").asText(), is("media"));
    }

    @Test
    void resumeMustBeTheFirstFrameAndHaveARef() {
        requests.handle(RequestType.RESUME, "r", Json.tree("{\"resumeToken\":\"x\"}"), false);
        assertThat(client.only().at("/error/message").asText(), containsString("first frame"));
        requests.handle(RequestType.RESUME, null, Json.tree("{\"resumeToken\":\"x\"}"), true);
        assertThat(client.only().at("/data/code").asText(), is("invalid_field"));
        requests.handle(RequestType.RESUME, "r", Json.tree("{\"resumeToken\":\"x\"}"), true);
        assertThat(client.only().at("/error/code").asText(), is("resume_failed"));
        assertThat(sent.isEmpty(), is(true));
        String token = "A".repeat(16) + "." + "B".repeat(22);
        requests.handle(RequestType.RESUME, "r", Json.tree("{\"resumeToken\":\"" + token + "\"}"), true);
        assertThat(sent.getFirst().topic(), is(Topics.PRESENCE));
        assertThat(sent.getFirst().key(), is("A".repeat(16)));
        assertThat(resume.peerIds(), contains("fresh", "A".repeat(16)));
    }
}
