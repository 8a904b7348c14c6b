package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Per sender and room, requests take effect and push in the order sent (protocol.md), although rename, media
 * and leave go to rooms-service and chat and signal to signaling-service: sent back to back without waiting for
 * replies, from one gateway, to a peer on another, many times over to catch races.
 */
class SenderOrderTest {
    private static final int ROUNDS = 15;
    private static LocalCluster cluster;
    private static int gw1;
    private static int gw2;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of(
                        "kafka.topic.prefix", "order" + UUID.randomUUID().toString().substring(0, 6) + ".")));
        gw1 = cluster.gateways().get(0).port();
        gw2 = cluster.gateways().get(1).port();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String room() {
        return "order " + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String type(JsonNode f) {
        return f.path("type").asText();
    }

    @Test
    void renameThenChatArriveInOrderWithTheNewName() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2)) {
            ann.ok("join", Map.of("room", room, "nickname", "Ann"));
            bob.ok("join", Map.of("room", room, "nickname", "Bob"));
            ann.await("peer_joined");
            for (int i = 0; i < ROUNDS; i++) {
                String name = "Ann" + i;
                ann.send("rename", i % 2 == 0 ? "r" + i : null, Map.of("room", room, "nickname", name));
                ann.send("chat", null, Map.of("room", room, "text", "as " + name));
                JsonNode first = bob.await(f -> type(f).equals("peer_renamed") || type(f).equals("chat"));
                assertThat("round " + i + ": " + first, type(first), is("peer_renamed"));
                assertThat(first.path("data").path("nickname").asText(), is(name));
                JsonNode chat = bob.await("chat");
                assertThat(chat.path("data").path("text").asText(), is("as " + name));
                assertThat("the chat carries the new nickname", chat.path("data").path("from").path("nickname")
                        .asText(), is(name));
            }
        }
    }

    @Test
    void mediaThenSignalArriveInOrder() {
        String room = room();
        try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2)) {
            ann.ok("join", Map.of("room", room, "nickname", "Ann"));
            bob.ok("join", Map.of("room", room, "nickname", "Bob"));
            ann.await("peer_joined");
            for (int i = 0; i < ROUNDS; i++) {
                boolean on = i % 2 == 0;
                ann.send("media", null, Map.of("room", room, "audio", on, "video", false, "screen", false));
                ann.send("signal", "s" + i, Map.of("room", room, "to", bob.peerId(),
                        "candidate", Map.of("candidate", "c" + i)));
                JsonNode first = bob.await(f -> type(f).equals("peer_media") || type(f).equals("signal"));
                assertThat("round " + i + ": " + first, type(first), is("peer_media"));
                assertThat(first.path("data").path("audio").asBoolean(), is(on));
                assertThat(bob.await("signal").path("data").path("candidate").path("candidate").asText(),
                        is("c" + i));
            }
        }
    }

    @Test
    void signalsThenLeaveArriveBeforePeerLeft() {
        for (int i = 0; i < ROUNDS; i++) {
            String room = room();
            try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2)) {
                ann.ok("join", Map.of("room", room, "nickname", "Ann"));
                bob.ok("join", Map.of("room", room, "nickname", "Bob"));
                ann.await("peer_joined");
                int signals = 5;
                for (int n = 0; n < signals; n++) {
                    ann.send("signal", null, Map.of("room", room, "to", bob.peerId(),
                            "candidate", Map.of("candidate", "c" + n)));
                }
                ann.send("leave", null, Map.of("room", room));
                for (int n = 0; n < signals; n++) {
                    JsonNode f = bob.await(x -> type(x).equals("signal") || type(x).equals("peer_left"));
                    assertThat("round " + i + ", signal " + n + ": " + f, type(f), is("signal"));
                    assertThat(f.path("data").path("candidate").path("candidate").asText(), is("c" + n));
                }
                assertThat(bob.await("peer_left").path("data").path("peerId").asText(), is(ann.peerId()));
            }
        }
    }
}
