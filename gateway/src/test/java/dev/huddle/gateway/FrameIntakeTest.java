package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.gateway.admin.SocketCounters;
import dev.huddle.service.ServiceConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/** Frames up to the request, without a socket: the answers protocol.md prescribes for each kind of bad frame. */
class FrameIntakeTest {
    private record Seen(RequestType type, String ref, JsonNode data, boolean first) {
    }

    private final ClientFake client = new ClientFake();
    private final List<Seen> requests = new ArrayList<>();
    private final Set<String> pending = new HashSet<>();

    private FrameIntake intake(int maxFrameBytes, int perSecond, int burst) {
        GatewaySettings settings = GatewaySettings.create(ServiceConfig.load("gateway.yaml", Map.of(
                "gateway.max.frame.bytes", String.valueOf(maxFrameBytes),
                "gateway.rate.per.second", String.valueOf(perSecond),
                "gateway.rate.burst", String.valueOf(burst))));
        return new FrameIntake(settings, System.currentTimeMillis(), client.answers, pending::contains,
                client.metrics, client.traffic,
                (type, ref, data, first) -> requests.add(new Seen(type, ref, data, first)));
    }

    private FrameIntake intake() {
        return intake(1000, 50, 200);
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aGoodFrameBecomesARequestOfTheTable() {
        FrameIntake in = intake();
        in.text("{\"type\":\"join\",\"ref\":\"1\",\"data\":{\"room\":\"r\"}}", true);
        in.text("{\"type\":\"ping\"}", true);
        assertThat(requests.size(), is(2));
        assertThat(requests.get(0).type(), is(RequestType.JOIN));
        assertThat(requests.get(0).ref(), is("1"));
        assertThat(requests.get(0).first(), is(true));
        assertThat(requests.get(1).type(), is(RequestType.PING));
        assertThat(requests.get(1).data().isObject(), is(true)); // absent data is {}
        assertThat(requests.get(1).first(), is(false));
        assertThat(client.frames, is(empty()));
    }

    @Test
    void fragmentsMakeOneFrame() {
        FrameIntake in = intake();
        in.text("{\"type\":\"pi", false);
        in.text("ng\",\"ref\":\"x\"}", true);
        assertThat(requests.getFirst().type(), is(RequestType.PING));
    }

    @Test
    void badFramesGetTheProtocolsAnswers() {
        FrameIntake in = intake();
        in.text("not json", true);
        assertThat(client.only().at("/data/code").asText(), is("bad_frame"));
        in.text("[1]", true);
        assertThat(client.only().at("/data/code").asText(), is("bad_frame"));
        in.text("{\"ref\":\"a\"}", true); // a usable ref: its one reply
        JsonNode noType = client.only();
        assertThat(noType.path("type").asText(), is("reply"));
        assertThat(noType.path("ref").asText(), is("a"));
        assertThat(noType.at("/error/code").asText(), is("bad_frame"));
        in.text("{\"type\":\"chat\",\"ref\":\"" + "r".repeat(33) + "\"}", true);
        JsonNode badRef = client.only();
        assertThat(badRef.at("/data/code").asText(), is("invalid_field"));
        assertThat(badRef.at("/data/about").asText(), is("chat"));
        in.text("{\"ref\":7}", true); // an unusable ref comes first, even without a type: not processed
        JsonNode badRefNoType = client.only();
        assertThat(badRefNoType.path("type").asText(), is("error"));
        assertThat(badRefNoType.at("/data/code").asText(), is("invalid_field"));
        in.text("{\"type\":\"shout\",\"ref\":\"b\"}", true);
        JsonNode unknown = client.only();
        assertThat(unknown.at("/error/code").asText(), is("unknown_type"));
        assertThat(unknown.at("/error/message").asText(), containsString("requests are " + RequestType.NAMES));
        in.text("{\"type\":\"leave\",\"data\":[]}", true);
        assertThat(client.only().at("/data/code").asText(), is("invalid_field"));
        in.binary(10, true);
        assertThat(client.only().at("/data/code").asText(), is("bad_frame"));
        assertThat(requests, is(empty()));
        assertThat(client.closes, is(empty()));
    }

    @Test
    void aFrameNestedDeeperThanTheReaderTakesIsStillAnsweredByItsReply() {
        FrameIntake in = intake(64 * 1024, 50, 200);
        String deep = "[".repeat(5000) + "]".repeat(5000);
        in.text("{\"type\":\"ping\",\"ref\":\"deep\",\"data\":{\"t\":" + deep + "}}", true);
        JsonNode reply = client.only();
        assertThat(reply.path("type").asText(), is("reply"));
        assertThat(reply.path("ref").asText(), is("deep"));
        assertThat(reply.at("/error/code").asText(), is("invalid_field"));
        assertThat(reply.at("/error/message").asText(), containsString("deeper than " + ShallowFrame.MAX_DEPTH));
        in.text("{\"type\":\"ping\",\"ref\":" + deep + "}", true); // the ref itself unusable: a push
        JsonNode push = client.only();
        assertThat(push.path("type").asText(), is("error"));
        assertThat(push.at("/data/code").asText(), is("invalid_field"));
        in.text(deep, true); // not an object
        assertThat(client.only().at("/data/message").asText(), containsString("Not a JSON object"));
        in.text("{\"type\":\"ping\",\"ref\":\"x\",\"data\":" + deep + "} trailing", true); // not JSON at all
        assertThat(client.only().at("/data/code").asText(), is("bad_frame"));
        in.text("{\"type\":\"ping\",\"ref\":\"after\"}", true); // the session goes on
        assertThat(requests.getFirst().ref(), is("after"));
        assertThat(client.closes, is(empty()));
    }

    @Test
    void aFrameWithANumberOrANameOverTheReadersLengthsIsAnsweredByItsReply() {
        FrameIntake in = intake(64 * 1024, 50, 200);
        String digits = "7".repeat(60_000);
        in.text("{\"type\":\"ping\",\"ref\":\"num\",\"data\":{\"t\":[1, -" + digits + ".5e3]}}", true);
        JsonNode reply = client.only();
        assertThat(reply.path("ref").asText(), is("num"));
        assertThat(reply.at("/error/code").asText(), is("invalid_field"));
        assertThat(reply.at("/error/message").asText(), containsString("more than " + ShallowFrame.MAX_NUMBER));
        String name = "n".repeat(ShallowFrame.MAX_NAME + 1);
        in.text("{\"type\":\"chat\",\"ref\":\"name\",\"data\":{\"" + name + "\":1}}", true);
        reply = client.only();
        assertThat(reply.path("ref").asText(), is("name"));
        assertThat(reply.at("/error/code").asText(), is("invalid_field"));
        assertThat(reply.at("/error/message").asText(), containsString("longer than " + ShallowFrame.MAX_NAME));
        // at the top level: a long number is no usable ref (a push), and no string type (bad_frame by the reply)
        in.text("{\"type\":\"ping\",\"ref\":" + digits + "}", true);
        JsonNode push = client.only();
        assertThat(push.path("type").asText(), is("error"));
        assertThat(push.at("/data/code").asText(), is("invalid_field"));
        in.text("{\"type\":" + digits + ",\"ref\":\"t\"}", true);
        reply = client.only();
        assertThat(reply.path("ref").asText(), is("t"));
        assertThat(reply.at("/error/code").asText(), is("bad_frame"));
        in.text("{\"type\":\"ping\",\"ref\":\"z\",\"data\":{\"t\":[" + digits + "}}", true); // broken
        assertThat(client.only().at("/data/message").asText(), containsString("Not JSON"));
        assertThat(requests, is(empty()));
        in.text("{\"type\":\"ping\",\"ref\":\"after\",\"data\":{\"t\":" + "9".repeat(1000) + "}}", true);
        assertThat(requests.getFirst().ref(), is("after")); // 1000 digits are still read
        assertThat(client.closes, is(empty()));
    }

    @Test
    void aRefStillWaitingForItsReplyIsRefused() {
        FrameIntake in = intake();
        pending.add("busy");
        in.text("{\"type\":\"ping\",\"ref\":\"busy\"}", true);
        JsonNode f = client.only();
        assertThat(f.path("ref").asText(), is("busy"));
        assertThat(f.at("/error/message").asText(), containsString("still waiting"));
        assertThat(requests, is(empty()));
    }

    @Test
    void aFrameOverTheLimitGetsTooLargeThen1009() {
        FrameIntake in = intake(100, 50, 200);
        in.text("{\"type\":\"ping\",\"data\":{\"t\":\"" + "é".repeat(30), false); // 60 bytes of it two-byte
        in.text("x".repeat(20) + "\"}}", true);
        assertThat(client.only().at("/data/code").asText(), is("too_large"));
        assertThat(client.closes, contains(FrameIntake.TOO_BIG));
        assertThat(requests, is(empty()));
    }

    @Test
    void aBinaryFrameOverTheLimitGetsTooLargeThen1009() {
        FrameIntake in = intake(100, 50, 200);
        in.binary(60, false);
        assertThat(client.frames, is(empty()));
        in.binary(60, true);
        assertThat(client.only().at("/data/code").asText(), is("too_large"));
        assertThat(client.closes, contains(FrameIntake.TOO_BIG));
    }

    @Test
    void invalidUtf8Closes1007() {
        FrameIntake in = intake();
        in.text("{\"type\":\"ping\",\"data\":{\"t\":\"\uFFFD\"}}", true);
        assertThat(client.closes, contains(FrameIntake.INVALID_PAYLOAD));
        assertThat(client.frames, is(empty()));
    }

    @Test
    void overTheBudgetAFrameWithRefIsAnsweredRateLimited() {
        FrameIntake in = intake(1000, 1, 2);
        in.text("{\"type\":\"ping\",\"ref\":\"1\"}", true);
        in.text("{\"type\":\"ping\",\"ref\":\"2\"}", true);
        in.text("{\"type\":\"ping\",\"ref\":\"3\"}", true);
        JsonNode limited = client.only();
        assertThat(limited.path("ref").asText(), is("3"));
        assertThat(limited.at("/error/code").asText(), is("rate_limited"));
        assertThat(requests.size(), is(2));
    }

    @Test
    void framesAndBytesInAreCountedAndTheLastErrorKept() {
        FrameIntake in = intake();
        String ping = "{\"type\":\"ping\"}";
        String unknown = "{\"type\":\"x\",\"t\":\"é\"}";
        in.text(ping, true);
        in.text(unknown, true);
        in.binary(7, true);
        SocketCounters c = client.traffic.snapshot();
        assertThat(c.framesIn(), is(3L));
        assertThat(c.bytesIn(), is((long) ping.length() + unknown.getBytes(StandardCharsets.UTF_8).length + 7));
        assertThat(c.lastError(), is("bad_frame"));
        assertThat(c.lastErrorTs() > 0, is(true));
    }
}
