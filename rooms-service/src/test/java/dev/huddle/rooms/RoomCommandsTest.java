package dev.huddle.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.ChatMessage;
import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.events.Frames;
import dev.huddle.json.Json;
import dev.huddle.kafka.Topics;
import dev.huddle.testing.KafkaExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.rooms.RoomsFixture.TOMBSTONE;
import static dev.huddle.rooms.RoomsFixture.client;
import static dev.huddle.rooms.RoomsFixture.room;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Every room command against one rooms-service (capacity 3) on a real broker, observed the way the gateways and
 * the other services observe it: deliveries and the compacted topics.
 */
@ExtendWith(KafkaExtension.class)
class RoomCommandsTest {
    private static RoomsFixture kafka;
    private static RoomsService service;

    @BeforeAll
    static void start() throws Exception {
        kafka = new RoomsFixture();
        service = kafka.start(Map.of("rooms.tombstone.delay.ms", "0"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void joinRepliesWithTheRoomAndTellsTheOthers() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();

        JsonNode first = kafka.join(ann, room, "Ann");
        assertThat(first.get("room").asText(), is(room));
        assertThat(first.get("self"), is(Json.tree("{\"peerId\":\"" + ann.peerId()
                + "\",\"nickname\":\"Ann\",\"media\":{\"audio\":false,\"video\":false,\"screen\":false},"
                + "\"hand\":null}")));
        assertThat(first.get("peers").size(), is(0));
        assertThat(first.get("chat").size(), is(0));

        JsonNode second = kafka.join(bob, room, "Bob");
        assertThat(second.get("self").get("peerId").asText(), is(bob.peerId()));
        assertThat(second.get("peers").size(), is(1));
        assertThat(second.get("peers").get(0), is(first.get("self")));

        JsonNode joined = kafka.push(ann, "peer_joined").get("data");
        assertThat(joined.get("room").asText(), is(room));
        assertThat(joined.get("peer"), is(second.get("self")));
        assertThat(kafka.frames(bob.peerId(), "peer_joined"), is(empty()));
    }

    @Test
    void membersArePublishedBeforeTheJoinerHearsBack() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        kafka.join(ann, room, "Ann");
        // The reply has been seen: the broker must already hold the membership that it reports.
        JsonNode members = kafka.membersNow(room);
        assertThat(members, notNullValue());
        assertThat(members.get("members").get(0).get("peerId").asText(), is(ann.peerId()));
        assertThat(members.get("members").get(0).get("away").asBoolean(), is(false));
    }

    @Test
    void joiningAgainChangesAndPushesNothing() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");
        JsonNode again = kafka.join(ann, room, "Another name");
        assertThat(again.get("self").get("nickname").asText(), is("Ann"));
        assertThat(again.get("peers").get(0).get("peerId").asText(), is(bob.peerId()));
        kafka.ok(ann, "rename", room, Map.of("nickname", "Annie")); // a marker: pushes of a room keep their order
        kafka.push(bob, "peer_renamed");
        assertThat(kafka.frames(bob.peerId()).stream().map(f -> f.get("type").asText()).toList(),
                contains("peer_renamed"));
    }

    @Test
    void leaveTellsTheOthersAndTheLastLeaveEndsTheRoom() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");
        kafka.awaitLatest(Topics.ROOM_DIRECTORY, room, v -> v.contains("\"count\":2"));

        assertThat(kafka.ok(bob, "leave", room, Map.of()).size(), is(0));
        JsonNode left = kafka.push(ann, "peer_left").get("data");
        assertThat(left, is(Json.tree("{\"room\":\"" + room + "\",\"peerId\":\"" + bob.peerId()
                + "\",\"reason\":\"left\"}")));
        kafka.awaitLatest(Topics.ROOM_DIRECTORY, room, v -> v.contains("\"count\":1"));

        JsonNode notIn = kafka.request(bob, "leave", room, Map.of());
        assertThat(notIn.get("ok").asBoolean(), is(false));
        assertThat(notIn.get("error").get("code").asText(), is("not_in_room"));

        kafka.ok(ann, "leave", room, Map.of());
        kafka.awaitLatest(Topics.ROOM_MEMBERS, room, TOMBSTONE::equals);
        kafka.awaitLatest(Topics.ROOM_DIRECTORY, room, TOMBSTONE::equals);
        // room-state keeps a marker of the end until the next batch after the (here zero) delay
        kafka.ok(client(), "join", room(), Map.of("nickname", "Sweeper"));
        kafka.awaitLatest(Topics.ROOM_STATE, room, TOMBSTONE::equals);

        JsonNode fresh = kafka.join(bob, room, "Bob");
        assertThat(fresh.get("peers").size(), is(0));
    }

    @Test
    void aFullRoomRefusesJoiners() throws Exception {
        String room = room();
        for (int i = 0; i < 3; i++) {
            kafka.join(client(), room, "P" + i);
        }
        JsonNode full = kafka.request(client(), "join", room, Map.of("nickname", "Late"));
        assertThat(full.get("ok").asBoolean(), is(false));
        assertThat(full.get("error").get("code").asText(), is("room_full"));
        assertThat(full.get("error").get("message").asText(), is("Room '" + room + "' is full (3 of 3)"));
    }

    @Test
    void theFirstJoinerSetsThePassword() throws Exception {
        String room = room();
        kafka.ok(client(), "join", room, Map.of("nickname", "Ann", "password", "s3cret"));
        JsonNode wrong = kafka.request(client(), "join", room, Map.of("nickname", "Bob", "password", "nope"));
        assertThat(wrong.get("error").get("code").asText(), is("wrong_password"));
        JsonNode none = kafka.request(client(), "join", room, Map.of("nickname", "Bob"));
        assertThat(none.get("error").get("code").asText(), is("wrong_password"));
        kafka.ok(client(), "join", room, Map.of("nickname", "Bob", "password", "s3cret"));
        String state = kafka.awaitLatest(Topics.ROOM_STATE, room, v -> v.contains("sha256$"));
        assertThat(state.contains("s3cret"), is(false));

        String open = room();
        kafka.join(client(), open, "Ann");
        kafka.ok(client(), "join", open, Map.of("nickname", "Bob", "password", "whatever"));
    }

    @Test
    void privateRoomsStayOutOfTheDirectory() throws Exception {
        String hidden = room();
        RoomsFixture.Client ann = client();
        kafka.ok(ann, "join", hidden, Map.of("nickname", "Ann", "private", true));
        kafka.ok(client(), "join", hidden, Map.of("nickname", "Bob", "private", false)); // ignored: not first
        kafka.awaitLatest(Topics.ROOM_MEMBERS, hidden, v -> v.contains("Bob"));
        assertThat(kafka.latest(Topics.ROOM_DIRECTORY, hidden), is(TOMBSTONE));

        String listed = room();
        kafka.join(client(), listed, "Cid");
        JsonNode entry = Json.tree(kafka.awaitLatest(Topics.ROOM_DIRECTORY, listed, v -> !v.isEmpty()));
        assertThat(entry.get("name").asText(), is(listed));
        assertThat(entry.get("count").asInt(), is(1));
        assertThat(entry.get("capacity").asInt(), is(3));
        assertThat(entry.get("locked").asBoolean(), is(false));
    }

    @Test
    void renameAndMediaArePushedToTheOthers() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");
        kafka.ok(bob, "rename", room, Map.of("nickname", "Robert"));
        assertThat(kafka.push(ann, "peer_renamed").get("data"), is(Json.tree("{\"room\":\"" + room
                + "\",\"peerId\":\"" + bob.peerId() + "\",\"nickname\":\"Robert\"}")));
        kafka.ok(bob, "media", room, Map.of("audio", false, "video", true, "screen", true));
        assertThat(kafka.push(ann, "peer_media").get("data"), is(Json.tree("{\"room\":\"" + room
                + "\",\"peerId\":\"" + bob.peerId() + "\",\"audio\":false,\"video\":true,\"screen\":true}")));
        JsonNode seen = kafka.join(client(), room, "Cid").get("peers").get(1);
        assertThat(seen.get("nickname").asText(), is("Robert"));
        assertThat(seen.get("media"), is(Json.tree("{\"audio\":false,\"video\":true,\"screen\":true}")));

        JsonNode notIn = kafka.request(client(), "rename", room, Map.of("nickname", "X"));
        assertThat(notIn.get("error").get("code").asText(), is("not_in_room"));
    }

    @Test
    void joinMediaIsAnnouncedAndDefaultsToOff() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        kafka.join(ann, room, "Ann");
        JsonNode self = kafka.ok(bob, "join", room, Map.of("nickname", "Bob",
                "media", Map.of("audio", true, "video", false, "screen", false))).get("self");
        assertThat(self.get("media"), is(Json.tree("{\"audio\":true,\"video\":false,\"screen\":false}")));
        JsonNode joined = kafka.push(ann, "peer_joined").get("data").get("peer");
        assertThat(joined, is(self));
        JsonNode seen = kafka.join(client(), room, "Cid").get("peers");
        assertThat(seen.get(0).get("media"), is(Json.tree("{\"audio\":false,\"video\":false,\"screen\":false}")));
        assertThat(seen.get(1).get("media"), is(self.get("media")));
    }

    @Test
    void handsGoUpInOrderToEveryoneAndDownWithTheirPeer() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");
        kafka.push(ann, "peer_joined");

        assertThat(kafka.ok(bob, "hand", room, Map.of("raised", true)).size(), is(0));
        JsonNode toAnn = kafka.push(ann, "peer_hand").get("data");
        JsonNode toBob = kafka.push(bob, "peer_hand").get("data"); // the sender too
        assertThat(toBob, is(toAnn));
        assertThat(toAnn.get("room").asText(), is(room));
        assertThat(toAnn.get("peerId").asText(), is(bob.peerId()));
        long raisedAt = toAnn.get("hand").asLong();
        assertThat(raisedAt > 0, is(true));

        kafka.ok(bob, "hand", room, Map.of("raised", true)); // raised already: keeps its time, no push
        RoomsFixture.Client cid = client();
        JsonNode seen = kafka.join(cid, room, "Cid").get("peers");
        assertThat(seen.get(0).get("hand").isNull(), is(true));
        assertThat(seen.get(1).get("hand").asLong(), is(raisedAt));

        kafka.ok(bob, "hand", room, Map.of("raised", false));
        JsonNode lowered = kafka.push(ann, "peer_hand", 2).get("data"); // the second raise pushed nothing
        assertThat(lowered.get("peerId").asText(), is(bob.peerId()));
        assertThat(lowered.has("hand") && lowered.get("hand").isNull(), is(true));
        kafka.ok(ann, "hand", room, Map.of("raised", false)); // down already: nothing pushed
        kafka.ok(ann, "hand", room, Map.of("raised", true));
        JsonNode next = kafka.push(bob, "peer_hand", 3).get("data");
        assertThat(next.get("peerId").asText(), is(ann.peerId())); // not a push for the lowered hand of Ann
        assertThat(next.get("hand").asLong() >= raisedAt, is(true));

        kafka.ok(cid, "leave", room, Map.of()); // capacity 3
        kafka.ok(ann, "leave", room, Map.of());
        kafka.ok(ann, "join", room, Map.of("nickname", "Ann"));
        JsonNode back = kafka.ok(client(), "join", room, Map.of("nickname", "Dee")).get("peers");
        assertThat(back.get(back.size() - 1).get("peerId").asText(), is(ann.peerId()));
        assertThat(back.get(back.size() - 1).get("hand").isNull(), is(true)); // went down when Ann left

        JsonNode notIn = kafka.request(client(), "hand", room, Map.of("raised", true));
        assertThat(notIn.get("error").get("code").asText(), is("not_in_room"));
    }

    @Test
    void theDirectorySaysWhichRoomsNeedAPassword() throws Exception {
        String guarded = room();
        kafka.ok(client(), "join", guarded, Map.of("nickname", "Ann", "password", "s3cret"));
        JsonNode entry = Json.tree(kafka.awaitLatest(Topics.ROOM_DIRECTORY, guarded, v -> !v.isEmpty()));
        assertThat(entry.get("password").asBoolean(), is(true));
        String open = room();
        kafka.join(client(), open, "Bob");
        assertThat(Json.tree(kafka.awaitLatest(Topics.ROOM_DIRECTORY, open, v -> !v.isEmpty()))
                .get("password").asBoolean(), is(false));
    }

    @Test
    void failuresWithoutRefAreErrorPushes() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        kafka.send(ann.origin(), "media", null, room, Map.of("room", room, "audio", true, "video", true,
                "screen", false));
        Delivery error = kafka.await(d -> ann.conn().equals(d.conn()));
        assertThat(Json.tree(error.frame()).get("type").asText(), is("error"));
        assertThat(Json.tree(error.frame()).get("data").get("code").asText(), is("not_in_room"));
        assertThat(Json.tree(error.frame()).get("data").get("about").asText(), is("media"));
    }

    @Test
    void awayIsQuietAndBackRestoresTheRoom() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");
        kafka.send(bob.origin(), CommandTypes.AWAY, null, room, Map.of("room", room));
        kafka.awaitLatest(Topics.ROOM_MEMBERS, room, v -> v.contains("\"away\":true"));

        RoomsFixture.Client bobAgain = bob.reconnected();
        kafka.send(bobAgain.origin(), CommandTypes.BACK, "resume-1", room, Map.of("room", room));
        Delivery resumed = kafka.await(d -> bobAgain.conn().equals(d.conn()));
        assertThat(resumed.control(), is(Delivery.Control.RESUME_ROOM));
        JsonNode view = Json.tree(resumed.frame());
        assertThat(view.get("room").asText(), is(room));
        assertThat(view.get("self").get("peerId").asText(), is(bob.peerId()));
        assertThat(view.get("peers").get(0).get("peerId").asText(), is(ann.peerId()));
        assertThat(view.get("chat").size(), is(0));
        assertThat(kafka.push(ann, "peer_reconnected").get("data"), is(Json.tree("{\"room\":\"" + room
                + "\",\"peerId\":\"" + bob.peerId() + "\"}")));
        kafka.awaitLatest(Topics.ROOM_MEMBERS, room, v -> !v.contains("\"away\":true"));
        // Nothing was pushed for the away itself.
        assertThat(kafka.frames(ann.peerId()).stream().map(f -> f.get("type").asText()).toList(),
                contains("peer_joined", "peer_reconnected"));

        RoomsFixture.Client stranger = client();
        kafka.send(stranger.origin(), CommandTypes.BACK, "resume-2", room, Map.of("room", room));
        Delivery gone = kafka.await(d -> stranger.conn().equals(d.conn()));
        assertThat(gone.control(), is(Delivery.Control.RESUME_ROOM));
        assertThat(Json.tree(gone.frame()), is(Json.tree("{\"room\":\"" + room + "\",\"gone\":true}")));
    }

    @Test
    void framesForAnAwayMemberWaitForItsReturnInOrder() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");
        kafka.send(bob.origin(), CommandTypes.AWAY, null, room, Map.of("room", room));
        kafka.awaitLatest(Topics.ROOM_MEMBERS, room, v -> v.contains("\"away\":true"));

        Command first = hold(room, bob.peerId(), "c1");
        kafka.send(first);
        kafka.send(first); // a redelivered request: held once
        kafka.send(hold(room, bob.peerId(), "c2"));
        kafka.send(hold(room, "nobody-here", "lost"));
        kafka.send(null, CommandTypes.NOTICE, null, room, Map.of("room", room, "text", "marker"));
        kafka.push(ann, "notice");
        assertThat("nothing reaches an away member", kafka.frames(bob.peerId(), "signal"), is(List.of()));

        RoomsFixture.Client bobAgain = bob.reconnected();
        kafka.send(bobAgain.origin(), CommandTypes.BACK, "resume-h", room, Map.of("room", room));
        kafka.await(d -> bobAgain.conn().equals(d.conn()));
        List<JsonNode> held = RoomsFixture.eventually(() -> {
            List<JsonNode> f = kafka.frames(bob.peerId(), "signal");
            return f.size() >= 2 ? f : null;
        });
        assertThat(held.stream().map(f -> f.path("data").path("candidate").path("candidate").asText()).toList(),
                contains("c1", "c2"));
        int resumeAt = indexOf(d -> bobAgain.conn().equals(d.conn()));
        int firstHeldAt = indexOf(d -> d.conn() == null && d.frame() != null && d.frame().contains("\"c1\""));
        assertThat("the room first, then what was held", resumeAt < firstHeldAt, is(true));

        // Back already when the hold arrives (signaling's view was behind): delivered at once.
        kafka.send(hold(room, bob.peerId(), "c3"));
        RoomsFixture.eventually(() -> kafka.frames(bob.peerId(), "signal").size() == 3 ? true : null);

        // Held, then gone for good: never delivered, not even to a later peer of the same id.
        kafka.send(bobAgain.origin(), CommandTypes.AWAY, null, room, Map.of("room", room));
        kafka.send(hold(room, bob.peerId(), "c4"));
        kafka.send(bobAgain.origin(), CommandTypes.DEPART, null, room, Map.of("room", room, "reason", "disconnected"));
        kafka.push(ann, "peer_left");
        kafka.send(null, CommandTypes.NOTICE, null, room, Map.of("room", room, "text", "marker 2"));
        kafka.push(ann, "notice", 2);
        assertThat(kafka.frames(bob.peerId(), "signal").size(), is(3));
    }

    /**
     * Each delivery goes to the inbox of the gateway holding its peers, once per gateway concerned; a peer that
     * resumes on another gateway is reached there from then on, what was held for it included.
     */
    @Test
    void deliveriesGoToTheGatewaysHoldingTheirPeers() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client(); // on gw-test
        RoomsFixture.Client bob = client().reconnectedOn("gw-other");
        RoomsFixture.Client cy = client().reconnectedOn("gw-other");
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");
        kafka.join(cy, room, "Cy");
        assertThat(kafka.membersNow(room).toString(), containsString("\"gateway\":\"gw-other\""));

        kafka.ok(ann, "rename", room, Map.of("nickname", "Anna"));
        JsonNode renamed = kafka.push(cy, "peer_renamed");
        assertThat(renamed.get("data").get("nickname").asText(), is("Anna"));
        assertThat(recordsOf(frame -> frame.contains("\"Anna\"") && frame.contains("peer_renamed")),
                contains("gw-other " + List.of(bob.peerId(), cy.peerId())));
        assertThat(kafka.inboxed.stream().filter(i -> ann.conn().equals(i.delivery().conn()))
                .map(RoomsFixture.Inboxed::gateway).distinct().toList(), contains("gw-test"));

        // Bob drops and resumes on gw-test; a signal held meanwhile follows him there.
        kafka.send(bob.origin(), CommandTypes.AWAY, null, room, Map.of("room", room));
        kafka.awaitLatest(Topics.ROOM_MEMBERS, room, v -> v.contains("\"away\":true"));
        kafka.send(hold(room, bob.peerId(), "moved-1"));
        RoomsFixture.Client bobMoved = bob.reconnectedOn("gw-test");
        kafka.send(bobMoved.origin(), CommandTypes.BACK, "resume-m", room, Map.of("room", room));
        kafka.await(d -> bobMoved.conn().equals(d.conn()));
        RoomsFixture.eventually(() -> recordsOf(f -> f.contains("moved-1")).isEmpty() ? null : true);
        assertThat(recordsOf(f -> f.contains("moved-1")), contains("gw-test " + List.of(bob.peerId())));
        assertThat(kafka.inboxed.stream().filter(i -> bobMoved.conn().equals(i.delivery().conn()))
                .map(RoomsFixture.Inboxed::gateway).distinct().toList(), contains("gw-test"));
        kafka.awaitLatest(Topics.ROOM_MEMBERS, room, v -> !v.contains("\"away\":true"));

        kafka.ok(ann, "rename", room, Map.of("nickname", "Annie"));
        kafka.push(cy, "peer_renamed", 2);
        RoomsFixture.eventually(() -> recordsOf(f -> f.contains("\"Annie\"")).size() == 2 ? true : null);
        assertThat(recordsOf(f -> f.contains("\"Annie\"")), containsInAnyOrder(
                "gw-test " + List.of(bob.peerId()), "gw-other " + List.of(cy.peerId())));
    }

    /** "gateway [to...]" of each inbox record whose frame matches. */
    private static List<String> recordsOf(java.util.function.Predicate<String> frame) {
        return kafka.inboxed.stream()
                .filter(i -> i.delivery().frame() != null && i.delivery().conn() == null
                        && frame.test(i.delivery().frame()))
                .map(i -> i.gateway() + " " + i.delivery().to())
                .toList();
    }

    private static int indexOf(java.util.function.Predicate<Delivery> match) {
        List<Delivery> all = List.copyOf(kafka.deliveries);
        for (int i = 0; i < all.size(); i++) {
            if (match.test(all.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** What signaling sends for a signal to an away member. */
    static Command hold(String room, String to, String candidate) {
        String frame = Frames.push("signal", Map.of("room", room, "from", "someone",
                "candidate", Map.of("candidate", candidate)));
        return Command.of(null, CommandTypes.HOLD, null, room,
                Json.toTree(Map.of("room", room, "to", to, "frame", frame, "ingressTs", 1)), System.currentTimeMillis());
    }

    @Test
    void departAndKickRemoveWithTheirReason() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        RoomsFixture.Client cid = client();
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");
        kafka.join(cid, room, "Cid");

        kafka.send(bob.origin(), CommandTypes.DEPART, null, room, Map.of("room", room, "reason", "disconnected"));
        JsonNode departed = kafka.push(ann, "peer_left").get("data");
        assertThat(departed.get("peerId").asText(), is(bob.peerId()));
        assertThat(departed.get("reason").asText(), is("disconnected"));

        kafka.send(null, CommandTypes.KICK, null, room, Map.of("room", room, "peerId", cid.peerId()));
        assertThat(kafka.push(cid, "kicked").get("data"), is(Json.tree("{\"room\":\"" + room + "\"}")));
        JsonNode kicked = kafka.push(ann, "peer_left", 2).get("data");
        assertThat(kicked.get("peerId").asText(), is(cid.peerId()));
        assertThat(kicked.get("reason").asText(), is("kicked"));
        kafka.awaitLatest(Topics.ROOM_MEMBERS, room, v -> !v.contains(cid.peerId()) && !v.contains(bob.peerId()));

        RoomsFixture.Client operator = client();
        JsonNode unknown = kafka.request(operator, CommandTypes.KICK, room, Map.of("peerId", "nobody"));
        assertThat(unknown.get("error").get("code").asText(), is("unknown_peer"));
    }

    @Test
    void closeLockAndNoticeAreOperatorActions() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");

        kafka.send(null, CommandTypes.LOCK, null, room, Map.of("room", room, "locked", true));
        kafka.awaitLatest(Topics.ROOM_DIRECTORY, room, v -> v.contains("\"locked\":true"));
        JsonNode locked = kafka.request(client(), "join", room, Map.of("nickname", "Late"));
        assertThat(locked.get("error").get("code").asText(), is("room_locked"));
        assertThat(locked.get("error").get("message").asText().contains("locked"), is(true));
        kafka.join(ann, room, "Ann"); // a member is in already: nothing to refuse

        kafka.send(null, CommandTypes.NOTICE, null, room, Map.of("room", room, "text", "Closing in 5 minutes"));
        JsonNode notice = Json.tree("{\"text\":\"Closing in 5 minutes\",\"room\":\"" + room + "\"}");
        assertThat(kafka.push(ann, "notice").get("data"), is(notice));
        assertThat(kafka.push(bob, "notice").get("data"), is(notice));

        kafka.send(null, CommandTypes.CLOSE_ROOM, null, room, Map.of("room", room));
        JsonNode closed = Json.tree("{\"room\":\"" + room + "\"}");
        assertThat(kafka.push(ann, "room_closed").get("data"), is(closed));
        assertThat(kafka.push(bob, "room_closed").get("data"), is(closed));
        kafka.awaitLatest(Topics.ROOM_MEMBERS, room, TOMBSTONE::equals);
        kafka.awaitLatest(Topics.ROOM_DIRECTORY, room, TOMBSTONE::equals);
        assertThat(kafka.join(bob, room, "Bob").get("peers").size(), is(0)); // a new room, unlocked
    }

    @Test
    void joinersGetTheLastFiftyPublicMessagesOldestFirst() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        kafka.join(ann, room, "Ann");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 55; i++) {
            ids.add("m" + i);
            kafka.send(chat(room, ann, "m" + i, null));
        }
        kafka.send(chat(room, ann, "m54", null)); // signaling redelivered it
        kafka.send(chat(room, ann, "secret", ann.peerId())); // private: never kept
        kafka.awaitLatest(Topics.ROOM_STATE, room, v -> v.contains("\"m54\""));

        JsonNode chat = kafka.join(client(), room, "Bob").get("chat");
        List<String> got = new ArrayList<>();
        chat.forEach(m -> got.add(m.get("id").asText()));
        assertThat(got, is(ids.subList(5, 55)));
        assertThat(chat.get(0), is(Json.tree(Json.write(new ChatMessage(room, "m5",
                new ChatMessage.Sender(ann.peerId(), "Ann"), null, "text m5", 1000 + 5)))));
    }

    @Test
    void aCommandProducedTwiceIsAppliedOnce() throws Exception {
        String room = room();
        RoomsFixture.Client ann = client();
        RoomsFixture.Client bob = client();
        kafka.join(ann, room, "Ann");
        kafka.join(bob, room, "Bob");
        Command leave = Command.of(bob.origin(), "leave", "twice", room, Json.toTree(Map.of("room", room)),
                System.currentTimeMillis());
        kafka.send(leave);
        kafka.send(leave);
        kafka.send(null, CommandTypes.NOTICE, null, room, Map.of("room", room, "text", "marker"));
        kafka.push(ann, "notice");
        // Bob's connection got the join and the leave replies, not a not_in_room for the copy.
        List<Boolean> toBob = kafka.deliveries.stream().filter(d -> bob.conn().equals(d.conn()))
                .map(d -> Json.tree(d.frame()).path("ok").asBoolean()).toList();
        assertThat(toBob, contains(true, true));
        assertThat(kafka.frames(ann.peerId(), "peer_left").size(), is(1));
    }

    private static Command chat(String room, RoomsFixture.Client from, String id, String to) {
        int n = id.startsWith("m") ? Integer.parseInt(id.substring(1)) : 0;
        ChatMessage message = new ChatMessage(room, id, new ChatMessage.Sender(from.peerId(), "Ann"), to,
                "text " + id, 1000 + n);
        return Command.of(null, CommandTypes.CHAT_POSTED, null, room, Json.toTree(message), System.currentTimeMillis());
    }
}
