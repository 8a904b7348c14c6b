package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.events.Frames;
import dev.huddle.events.Origin;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** Deliveries published as services publish them reach exactly the connections they are for, on two gateways. */
@ExtendWith(KafkaExtension.class)
class DeliveriesTest {
    private static final Duration QUIET = Duration.ofMillis(700);
    private static Harness harness;
    private static RunningService one;
    private static RunningService two;
    private static Harness.Watcher presence;

    @BeforeAll
    static void start() {
        harness = new Harness();
        presence = harness.watch(Topics.PRESENCE);
        one = harness.gateway();
        two = harness.gateway();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static Origin origin(WsClient c) {
        return presence.await(x -> CommandTypes.CONNECTED.equals(x.type()) && x.key().equals(c.peerId())).origin();
    }

    private static boolean gets(WsClient c, String marker) {
        return c.receives(f -> marker.equals(f.path("data").path("m").asText()), QUIET);
    }

    private static String push(String marker) {
        return Frames.push("notice", Harness.map("text", "hi", "m", marker));
    }

    /** A service that crashed before its commit makes its last deliveries again, with the same ids. */
    @Test
    void aDeliveryMadeTwiceReachesTheClientOnce() {
        try (WsClient a = WsClient.hello(one.port())) {
            Delivery once = Delivery.frame(Command.derivedId("cmd-1", "push"), List.of(a.peerId()), push("twice"), 0);
            harness.deliver(a.peerId(), once);
            harness.deliver(a.peerId(), once);
            harness.deliver(a.peerId(), Delivery.frame(a.peerId(), push("after"), 0));
            assertThat(gets(a, "twice"), is(true));
            assertThat(gets(a, "after"), is(true)); // the copy, had it come, would have come before this
            assertThat(gets(a, "twice"), is(false));
        }
    }

    @Test
    void framesGoToTheAddressedPeersOnWhicheverGateway() {
        try (WsClient a = WsClient.hello(one.port()); WsClient b = WsClient.hello(one.port());
             WsClient c = WsClient.hello(two.port()); WsClient d = WsClient.hello(two.port())) {
            harness.deliver(a.peerId(), Delivery.frame(a.peerId(), push("to-a"), 0));
            assertThat(gets(a, "to-a"), is(true));
            assertThat(gets(b, "to-a") || gets(c, "to-a") || gets(d, "to-a"), is(false));

            harness.deliver("room", Delivery.frame(List.of(b.peerId(), c.peerId()), push("to-bc"),
                    System.currentTimeMillis()));
            assertThat(gets(b, "to-bc"), is(true));
            assertThat(gets(c, "to-bc"), is(true));
            assertThat(gets(a, "to-bc") || gets(d, "to-bc"), is(false));

            harness.deliver("all", Delivery.frame(Delivery.EVERYONE, push("to-all"), 0));
            for (WsClient x : List.of(a, b, c, d)) {
                assertThat(gets(x, "to-all"), is(true));
            }
        }
    }

    @Test
    void repliesGoOnlyToTheConnectionThatAsked() {
        try (WsClient a = WsClient.hello(one.port()); WsClient other = WsClient.hello(two.port())) {
            Origin o = origin(a);
            harness.deliver(a.peerId(), Delivery.toConnection(o, push("direct"), 0));
            assertThat(gets(a, "direct"), is(true));
            // the same peer but another connection id: nobody
            harness.deliver(a.peerId(), Delivery.toConnection(new Origin(o.gateway(), "not-a-conn", o.peer()),
                    push("elsewhere"), 0));
            assertThat(gets(a, "elsewhere") || gets(other, "elsewhere"), is(false));
        }
    }

    /** The admin API's gateway-to-gateway records share the inboxes but are never a client's, however addressed. */
    @Test
    void internalCountersRecordsNeverReachAClient() {
        try (WsClient a = WsClient.hello(one.port())) {
            Origin o = origin(a);
            for (Delivery.Control c : List.of(Delivery.Control.COUNTERS_QUERY, Delivery.Control.COUNTERS_ANSWER)) {
                harness.deliver(a.peerId(), new Delivery(Command.VERSION, "internal-" + c, System.currentTimeMillis(),
                        List.of(a.peerId(), Delivery.EVERYONE), o.conn(), push("internal"), c, null, 0));
            }
            assertThat(gets(a, "internal"), is(false));
        }
    }

    @Test
    void closeDeliverySendsItsFrameThenCloses() throws Exception {
        try (WsClient a = WsClient.hello(two.port()); WsClient b = WsClient.hello(two.port())) {
            Origin o = origin(a);
            harness.deliver(a.peerId(), Delivery.close(List.of(a.peerId()), o.conn(),
                    Frames.push("kicked", Harness.map("room", "r")), 4000));
            assertThat(a.await("kicked").get("data").get("room").asText(), is("r"));
            assertThat(a.closed().get(10, TimeUnit.SECONDS), is(4000));
            assertThat(b.ok("ping", null).has("serverTime"), is(true));
            Command gone = presence.await(x -> CommandTypes.DISCONNECTED.equals(x.type())
                    && x.key().equals(a.peerId()));
            assertThat(gone.origin().conn(), is(o.conn()));
        }
    }

    @Test
    void relayLatencyIsMeasured() throws Exception {
        try (WsClient a = WsClient.hello(one.port())) {
            harness.deliver(a.peerId(), Delivery.frame(a.peerId(), push("timed"), System.currentTimeMillis() - 5));
            assertThat(gets(a, "timed"), is(true));
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + one.port() + "/observe/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body(), containsString("huddle_gateway_relay_latency"));
            assertThat(metrics.body(), containsString("huddle_gateway_frames_out"));
        }
    }

    @Test
    void aClientThatDoesNotReadIsCutOffWithoutHoldingUpTheOthers() throws Exception {
        RunningService small = harness.gateway(java.util.Map.of("gateway.outbound.queue", "8"));
        try (RawWs stuck = new RawWs(small.port(), null); WsClient bystander = WsClient.hello(small.port())) {
            String stuckPeer = dev.huddle.json.Json.tree(stuck.readUntil(0x1).text()).get("data").get("peerId").asText();
            String big = "y".repeat(40_000);
            for (int i = 0; i < 150; i++) { // 6 MB: more than socket buffers and the queue hold
                harness.publish(small, Delivery.frame(stuckPeer,
                        Frames.push("notice", Harness.map("text", big)), 0));
            }
            harness.deliver("room-s", Delivery.frame(bystander.peerId(), push("still-here"), 0));
            assertThat(bystander.await(f -> "still-here".equals(f.path("data").path("m").asText()),
                    Duration.ofSeconds(30)) != null, is(true));
            presence.await(x -> CommandTypes.DISCONNECTED.equals(x.type()) && x.key().equals(stuckPeer),
                    Duration.ofSeconds(30));
        }
    }

    @Test
    void aBurstOfDeliveriesArrivesInOrder() {
        try (WsClient a = WsClient.hello(one.port())) {
            for (int i = 0; i < 200; i++) {
                harness.publish(one, Delivery.frame(a.peerId(), push("n" + i), 0));
            }
            for (int i = 0; i < 200; i++) {
                JsonNode f = a.await("notice");
                assertThat(f.get("data").get("m").asText(), is("n" + i));
            }
        }
    }
}
