package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.service.PasswordHash;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * A gateway dies without a goodbye while its clients share rooms with clients of another gateway: within the
 * presence timeout (10 s by default) every survivor has peer_left for every lost peer and the admin API lists
 * none of them.
 */
class GatewayDeathTest {

    @Test
    void survivorsSeeEveryLostPeerLeaveAndTheOperatorSeesNoGhosts() throws Exception {
        String password = "operator-" + UUID.randomUUID();
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(2, 0,
                KafkaExtension.bootstrapServers(), Files.createTempDirectory("unused"), Map.of(
                        "kafka.topic.prefix", "death" + UUID.randomUUID().toString().substring(0, 6) + ".",
                        "admin.user", "ops", "admin.password.hash", PasswordHash.hash(password))))) {
            int alive = cluster.gateways().get(0).port();
            RunningService doomed = cluster.gateways().get(1);
            List<WsClient> survivors = new ArrayList<>();
            List<WsClient> lost = new ArrayList<>();
            Set<String> lostIds = new HashSet<>();
            List<String> rooms = List.of("death-a-" + UUID.randomUUID(), "death-b-" + UUID.randomUUID());
            try {
                for (String room : rooms) {
                    for (int i = 0; i < 2; i++) {
                        WsClient s = WsClient.hello(alive);
                        s.ok("join", Map.of("room", room, "nickname", "S" + i));
                        survivors.add(s);
                        WsClient l = WsClient.hello(doomed.port());
                        l.ok("join", Map.of("room", room, "nickname", "L" + i));
                        lost.add(l);
                        lostIds.add(l.peerId());
                    }
                }
                long killed = System.nanoTime();
                doomed.kill();
                long last = 0;
                for (int i = 0; i < survivors.size(); i++) {
                    WsClient s = survivors.get(i);
                    String room = rooms.get(i / 2);
                    // every lost peer of this survivor's room
                    for (int k = 0; k < 2; k++) {
                        JsonNode left = s.await(f -> "peer_left".equals(f.path("type").asText())
                                && lostIds.contains(f.get("data").get("peerId").asText())
                                && room.equals(f.get("data").get("room").asText()), Duration.ofSeconds(30)).get("data");
                        assertThat(left.get("reason").asText(), is("disconnected"));
                    }
                    last = System.nanoTime();
                }
                double seconds = (last - killed) / 1e9;
                System.out.printf("BENCH gateway death to last peer_left: %.1f s%n", seconds);
                assertThat(seconds, lessThan(10.0)); // the promise: peers learn within 10 s

                String token = login(alive, password);
                JsonNode sockets = dev.huddle.json.Json.tree(get(alive, "/admin/api/sockets", token));
                List<String> ghosts = new ArrayList<>();
                sockets.forEach(s -> {
                    if (lostIds.contains(s.get("peerId").asText())) {
                        ghosts.add(s.get("peerId").asText());
                    }
                });
                assertThat(ghosts, is(empty()));
                JsonNode roomsView = dev.huddle.json.Json.tree(get(alive, "/admin/api/rooms", token));
                roomsView.forEach(r -> r.get("members").forEach(m ->
                        assertThat(lostIds.contains(m.get("peerId").asText()), is(false))));
            } finally {
                survivors.forEach(WsClient::close);
                lost.forEach(WsClient::abort);
            }
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static String login(int port, String password) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/admin/api/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"ops\",\"password\":\"" + password + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body(), r.statusCode(), is(200));
        return dev.huddle.json.Json.tree(r.body()).get("token").asText();
    }

    static String get(int port, String path, String token) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body(), r.statusCode(), is(200));
        return r.body();
    }
}
