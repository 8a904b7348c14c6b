package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Command;
import dev.huddle.events.Delivery;
import dev.huddle.events.DirectoryEntry;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/**
 * {@code list_rooms} and {@code rooms_changed} from the directory entries rooms-service would publish. Each test
 * uses its own gateway and topic prefix: the room list is global.
 */
@ExtendWith(KafkaExtension.class)
class RoomListTest {
    private static Harness harness;

    @BeforeAll
    static void start() {
        harness = new Harness();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static DirectoryEntry entry(String name, int count) {
        return new DirectoryEntry(name, count, 8, false, System.currentTimeMillis());
    }

    private static List<String> names(JsonNode rooms) {
        List<String> names = new ArrayList<>();
        rooms.forEach(r -> names.add(r.get("name").asText()));
        return names;
    }

    @Test
    void listIsMostPeopleFirstLimitedAndCounted() {
        try (Harness h = new Harness()) {
            h.directory("alpha", entry("alpha", 3));
            h.directory("beta", entry("beta", 5));
            h.directory("gamma", entry("gamma", 3));
            h.directory("delta", new DirectoryEntry("delta", 1, 4, true, 0));
            h.directory("gone", entry("gone", 2));
            h.directory("gone", null);
            RunningService gateway = h.gateway(); // reads the directory from the beginning
            try (WsClient c = WsClient.hello(gateway.port())) {
                JsonNode all = c.ok("list_rooms", null);
                assertThat(names(all.get("rooms")), contains("beta", "alpha", "gamma", "delta"));
                assertThat(all.get("total").asInt(), is(4));
                JsonNode delta = all.get("rooms").get(3);
                assertThat(delta.get("count").asInt(), is(1));
                assertThat(delta.get("capacity").asInt(), is(4));
                assertThat(delta.get("locked").asBoolean(), is(true));
                assertThat(delta.has("created"), is(false));
                JsonNode two = c.ok("list_rooms", Harness.map("limit", 2));
                assertThat(names(two.get("rooms")), contains("beta", "alpha"));
                assertThat(two.get("total").asInt(), is(4));
            }
        }
    }

    @Test
    void watchersGetCoalescedDeltasUntilTheyJoin() {
        try (Harness h = new Harness()) {
            h.directory("a", entry("a", 1));
            h.directory("b", entry("b", 2));
            RunningService gateway = h.gateway();
            Harness.Watcher commands = h.watch(Topics.ROOM_COMMANDS);
            try (WsClient watcher = WsClient.hello(gateway.port()); WsClient idle = WsClient.hello(gateway.port())) {
                JsonNode first = watcher.ok("list_rooms", Harness.map("watch", true));
                assertThat(first.get("total").asInt(), is(2));
                idle.ok("list_rooms", null); // not watching

                h.directory("a", entry("a", 4));
                h.directory("c", entry("c", 1));
                h.directory("b", null);
                // fold the deltas until the picture is complete; pushes are at least a second apart
                Map<String, Integer> counts = new HashMap<>(Map.of("a", 1, "b", 2));
                List<Long> times = new ArrayList<>();
                int total = -1;
                while (!(counts.equals(Map.of("a", 4, "c", 1)) && total == 2)) {
                    JsonNode d = watcher.await("rooms_changed").get("data");
                    times.add(System.currentTimeMillis());
                    d.get("rooms").forEach(r -> counts.put(r.get("name").asText(), r.get("count").asInt()));
                    d.get("removed").forEach(r -> counts.remove(r.asText()));
                    total = d.get("total").asInt();
                }
                for (int i = 1; i < times.size(); i++) {
                    assertThat(times.get(i) - times.get(i - 1) >= 900, is(true));
                }
                // nothing changed: nothing sent
                assertThat(watcher.receives(f -> "rooms_changed".equals(f.path("type").asText()),
                        Duration.ofMillis(1500)), is(false));
                assertThat(idle.receives(f -> "rooms_changed".equals(f.path("type").asText()),
                        Duration.ofMillis(100)), is(false));

                // a successful join ends the watch
                watcher.send("join", "j", Harness.map("room", "c", "nickname", "n"));
                Command join = commands.await("join", "j");
                h.reply(join, Harness.map("room", "c"));
                watcher.await(f -> "j".equals(f.path("ref").asText()));
                h.directory("c", entry("c", 2));
                assertThat(watcher.receives(f -> "rooms_changed".equals(f.path("type").asText()),
                        Duration.ofMillis(2000)), is(false));
            }
        }
    }

    @Test
    void aFailedJoinOrARejoinKeepsTheWatchAndTheListSaysWhatAJoinerNeeds() {
        try (Harness h = new Harness()) {
            h.directory("guarded", new DirectoryEntry("guarded", 1, 8, true, false, 0));
            RunningService gateway = h.gateway();
            Harness.Watcher commands = h.watch(Topics.ROOM_COMMANDS);
            try (WsClient watcher = WsClient.hello(gateway.port())) {
                // in a room first, then watching
                watcher.send("join", "in", Harness.map("room", "home", "nickname", "n"));
                h.reply(commands.await("join", "in"), Harness.map("room", "home"));
                watcher.await(f -> "in".equals(f.path("ref").asText()));
                JsonNode list = watcher.ok("list_rooms", Harness.map("watch", true));
                assertThat(list.get("rooms").get(0), is(dev.huddle.json.Json.tree(
                        "{\"name\":\"guarded\",\"count\":1,\"capacity\":8,\"password\":true,\"locked\":false}")));

                watcher.send("join", "wrong", Harness.map("room", "guarded", "nickname", "n", "password", "x"));
                Command wrong = commands.await("join", "wrong");
                h.deliver("guarded", Delivery.toConnection(wrong.origin(), Frames.failed("wrong", "join",
                        ErrorCode.WRONG_PASSWORD, "Wrong password"), wrong.ts()));
                watcher.await(f -> "wrong".equals(f.path("ref").asText()));
                watcher.send("join", "again", Harness.map("room", "home", "nickname", "n"));
                h.reply(commands.await("join", "again"), Harness.map("room", "home"));
                watcher.await(f -> "again".equals(f.path("ref").asText()));

                h.directory("locked", new DirectoryEntry("locked", 2, 8, false, true, 0));
                JsonNode delta = watcher.await("rooms_changed").get("data");
                assertThat(delta.get("rooms").get(0), is(dev.huddle.json.Json.tree(
                        "{\"name\":\"locked\",\"count\":2,\"capacity\":8,\"password\":false,\"locked\":true}")));
            }
        }
    }

    @Test
    void aJoinWithoutRefEndsTheWatchOnceRoomsServiceAcceptedIt() {
        try (Harness h = new Harness()) {
            RunningService gateway = h.gateway();
            Harness.Watcher commands = h.watch(Topics.ROOM_COMMANDS);
            try (WsClient c = WsClient.hello(gateway.port())) {
                c.ok("list_rooms", Harness.map("watch", true));
                c.send("join", null, Harness.map("room", "quiet", "nickname", "n")); // no reply wanted
                Command join = commands.await(cmd -> "join".equals(cmd.type()));
                h.reply(join, Harness.map("room", "quiet"));
                // the gateway's own ref is answered: nothing reaches the client, and the watch is over
                assertThat(c.receives(f -> "reply".equals(f.path("type").asText()), Duration.ofMillis(500)),
                        is(false));
                h.directory("z", entry("z", 1));
                assertThat(c.receives(f -> "rooms_changed".equals(f.path("type").asText()), Duration.ofMillis(2000)),
                        is(false));
            }
        }
    }

    @Test
    void watchFalseEndsTheWatch() {
        try (Harness h = new Harness()) {
            RunningService gateway = h.gateway();
            try (WsClient c = WsClient.hello(gateway.port())) {
                c.ok("list_rooms", Harness.map("watch", true));
                h.directory("x", entry("x", 1));
                assertThat(names(c.await("rooms_changed").get("data").get("rooms")), contains("x"));
                c.ok("list_rooms", Harness.map("watch", false));
                h.directory("y", entry("y", 1));
                assertThat(c.receives(f -> "rooms_changed".equals(f.path("type").asText()), Duration.ofMillis(2000)),
                        is(false));
            }
        }
    }

    @Test
    void aClientSeesItsOwnJoinInTheNextList() {
        try (Harness h = new Harness()) {
            RunningService gateway = h.gateway();
            Harness.Watcher commands = h.watch(Topics.ROOM_COMMANDS);
            try (WsClient c = WsClient.hello(gateway.port())) {
                for (int i = 0; i < 5; i++) {
                    String room = "mine-" + i;
                    c.send("join", "j" + i, Harness.map("room", room, "nickname", "n"));
                    Command join = commands.await("join", "j" + i);
                    // as rooms-service does: the directory write is acknowledged before the reply goes out
                    h.directory(room, entry(room, 1));
                    h.reply(join, Harness.map("room", room));
                    c.await(f -> join.ref().equals(f.path("ref").asText()));
                    assertThat(names(c.ok("list_rooms", Harness.map("limit", 200)).get("rooms")).contains(room),
                            is(true));
                }
            }
        }
    }
}
