package dev.huddle.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.json.Json;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Topics;
import dev.huddle.testing.KafkaExtension;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.huddle.rooms.RoomsFixture.client;
import static dev.huddle.rooms.RoomsFixture.room;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Rooms outlive their rooms-service instance: the state is in {@code room-state}, and commands redelivered after a
 * crash are recognised as applied.
 */
@ExtendWith(KafkaExtension.class)
class RoomsRestartTest {

    @Test
    void aNewInstanceKnowsTheRoomsOfTheOldOne() throws Exception {
        try (RoomsFixture kafka = new RoomsFixture()) {
            String room = room();
            RoomsFixture.Client ann = client();
            RoomsService first = kafka.start(Map.of());
            try {
                kafka.ok(ann, "join", room, Map.of("nickname", "Ann", "password", "pw",
                        "media", Map.of("audio", true, "video", true, "screen", false)));
                kafka.ok(ann, "hand", room, Map.of("raised", true));
            } finally {
                first.close();
            }

            RoomsService second = kafka.start(Map.of());
            try {
                JsonNode wrong = kafka.request(client(), "join", room, Map.of("nickname", "Eve"));
                assertThat(wrong.get("error").get("code").asText(), is("wrong_password"));
                JsonNode bob = kafka.ok(client(), "join", room, Map.of("nickname", "Bob", "password", "pw"));
                assertThat(bob.get("peers").size(), is(1));
                assertThat(bob.get("peers").get(0).get("peerId").asText(), is(ann.peerId()));
                assertThat(bob.get("peers").get(0).get("hand").asLong() > 0, is(true)); // kept in the room's state
                assertThat(bob.get("peers").get(0).get("media").get("video").asBoolean(), is(true));
                assertThat(kafka.push(ann, "peer_joined").get("data").get("peer").get("nickname").asText(),
                        is("Bob"));
            } finally {
                second.close();
            }
        }
    }

    /** What is held for an away member lives in the room's state: a new instance delivers it on the return. */
    @Test
    void heldFramesOutliveTheInstanceThatHeldThem() throws Exception {
        try (RoomsFixture kafka = new RoomsFixture()) {
            String room = room();
            RoomsFixture.Client ann = client();
            RoomsFixture.Client bob = client();
            RoomsService first = kafka.start(Map.of());
            try {
                kafka.join(ann, room, "Ann");
                kafka.join(bob, room, "Bob");
                kafka.send(bob.origin(), CommandTypes.AWAY, null, room, Map.of("room", room));
                kafka.send(RoomCommandsTest.hold(room, bob.peerId(), "kept"));
                kafka.send(null, CommandTypes.NOTICE, null, room, Map.of("room", room, "text", "marker"));
                kafka.push(ann, "notice");
            } finally {
                first.close();
            }

            RoomsService second = kafka.start(Map.of());
            try {
                RoomsFixture.Client bobAgain = bob.reconnected();
                kafka.send(bobAgain.origin(), CommandTypes.BACK, "resume", room, Map.of("room", room));
                JsonNode held = RoomsFixture.eventually(() -> kafka.frames(bob.peerId(), "signal").stream()
                        .findFirst().orElse(null));
                assertThat(held.path("data").path("candidate").path("candidate").asText(), is("kept"));
            } finally {
                second.close();
            }
        }
    }

    /**
     * A crash before the offset commit makes the next owner read commands again that are already in room-state.
     * Rewinding the group's offset does just that: the replayed commands must change nothing, even those of a
     * room that has ended since (a refused joiner must not create it anew), and the replies of the last batch
     * are sent again (at least once) rather than lost.
     */
    @Test
    void commandsReplayedAfterACrashAreNotAppliedAgain() throws Exception {
        try (RoomsFixture kafka = new RoomsFixture()) {
            String room = room();
            String ended = room();
            RoomsFixture.Client ann = client();
            RoomsFixture.Client bob = client();
            RoomsFixture.Client pia = client();
            RoomsFixture.Client quin = client();

            RoomsService first = kafka.start(Map.of());
            RecordMetadata refused;
            String lastRef;
            try {
                kafka.join(ann, room, "Ann");
                kafka.join(bob, room, "Bob");
                kafka.ok(bob, "leave", room, Map.of());

                kafka.ok(pia, "join", ended, Map.of("nickname", "Pia", "password", "pw"));
                String ref = kafka.ref();
                refused = kafka.send(quin.origin(), "join", ref, ended, Map.of("room", ended, "nickname", "Quin"));
                assertThat(kafka.reply(quin, ref).get("error").get("code").asText(), is("wrong_password"));
                lastRef = kafka.ref();
                kafka.send(pia.origin(), "leave", lastRef, ended, Map.of("room", ended));
                kafka.reply(pia, lastRef);
            } finally {
                first.kill();
            }
            Delivery leaveReply = kafka.await(d -> pia.conn().equals(d.conn()) && d.frame().contains(lastRef));

            // Back to the start for the first room's partition, back to the refused join for the other's.
            TopicPartition roomPartition = partition(kafka, room);
            TopicPartition endedPartition = new TopicPartition(refused.topic(), refused.partition());
            Map<TopicPartition, OffsetAndMetadata> rewind = roomPartition.equals(endedPartition)
                    ? Map.of(roomPartition, new OffsetAndMetadata(0))
                    : Map.of(roomPartition, new OffsetAndMetadata(0),
                            endedPartition, new OffsetAndMetadata(refused.offset()));
            String group = kafka.settings.topicPrefix() + "rooms";
            awaitEmpty(kafka, group); // the killed member stays in the group until its session times out
            kafka.admin.alterConsumerGroupOffsets(group, rewind).all().get();

            RoomsService second = kafka.start(Map.of());
            try {
                JsonNode cid = kafka.join(client(), room, "Cid");
                assertThat(cid.get("peers").size(), is(1));
                assertThat(cid.get("peers").get(0).get("peerId").asText(), is(ann.peerId()));

                JsonNode fresh = kafka.join(client(), ended, "Rex");
                assertThat(fresh.get("peers").size(), is(0));

                // Pia's leave reply was sent again, as it was (the same delivery), not answered not_in_room.
                List<Delivery> toPia = kafka.deliveries.stream().filter(d -> pia.conn().equals(d.conn())).toList();
                assertThat(toPia.stream().filter(d -> d.id().equals(leaveReply.id())).count(), is(2L));
                assertThat(toPia.stream().allMatch(d -> Json.tree(d.frame()).path("ok").asBoolean()), is(true));
            } finally {
                second.close();
            }
        }
    }

    private static void awaitEmpty(RoomsFixture kafka, String group) throws Exception {
        long deadline = System.currentTimeMillis() + KafkaSettings.DEFAULT_SESSION_TIMEOUT_MS + 10_000;
        while (!kafka.admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get()
                .members().isEmpty()) {
            assertThat("the killed member is still in " + group, System.currentTimeMillis() < deadline, is(true));
            Thread.sleep(200);
        }
    }

    private static TopicPartition partition(RoomsFixture kafka, String room) {
        return new TopicPartition(kafka.settings.topic(Topics.ROOM_COMMANDS),
                dev.huddle.kafka.Partitions.forKey(room, Topics.ROOM_PARTITIONS));
    }
}
