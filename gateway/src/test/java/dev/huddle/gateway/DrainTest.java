package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Stopping: a clean close drains (reconnect, 1001, goodbye to presence); a kill just drops everything. */
@ExtendWith(KafkaExtension.class)
class DrainTest {
    private static Harness harness;
    private static Harness.Watcher presence;

    @BeforeAll
    static void start() {
        harness = new Harness();
        presence = harness.watch(Topics.PRESENCE);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void closeTellsClientsToReconnectThenClosesThem1001() throws Exception {
        RunningService gateway = harness.gateway(Map.of("gateway.drain.ms", "1500"));
        WsClient c = WsClient.hello(gateway.port());
        CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
        JsonNode reconnect = c.await("reconnect").get("data");
        assertThat(reconnect.get("reason").asText(), is("shutdown"));
        assertThat(reconnect.get("retryAfterMs").asLong(), is(1500L));
        // while draining, no new connections
        try (WsClient late = WsClient.connect(URI.create("ws://localhost:" + gateway.port() + "/ws"), null)) {
            throw new AssertionError("connected while draining");
        } catch (CompletionException e) {
            assertThat(e.getCause() instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 503,
                    is(true));
        }
        assertThat(c.closed().get(10, TimeUnit.SECONDS), is(1001));
        closing.get(20, TimeUnit.SECONDS);
        presence.await(x -> CommandTypes.DISCONNECTED.equals(x.type()) && x.key().equals(c.peerId()));
    }

    @Test
    void killDropsConnectionsWithoutGoodbye() throws Exception {
        RunningService gateway = harness.gateway();
        WsClient c = WsClient.hello(gateway.port());
        presence.await(x -> CommandTypes.CONNECTED.equals(x.type()) && x.key().equals(c.peerId()));
        gateway.kill();
        assertThat(c.closed().get(10, TimeUnit.SECONDS), is(1006));
        Harness.sleep(1500);
        assertThat(presence.all().stream().anyMatch(x -> CommandTypes.DISCONNECTED.equals(x.type())
                && x.key().equals(c.peerId())), is(false));
    }

    @Test
    void clientThatLeavesDuringTheDrainEndsItEarly() throws Exception {
        RunningService gateway = harness.gateway(Map.of("gateway.drain.ms", "20000"));
        WsClient c = WsClient.hello(gateway.port());
        CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
        c.await("reconnect");
        long start = System.currentTimeMillis();
        c.close(); // resumed elsewhere
        closing.get(15, TimeUnit.SECONDS);
        assertThat(System.currentTimeMillis() - start < 15_000, is(true)); // not the 20 s drain
    }
}
