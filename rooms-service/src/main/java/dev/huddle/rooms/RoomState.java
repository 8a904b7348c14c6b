package dev.huddle.rooms;

import dev.huddle.events.ChatMessage;
import dev.huddle.events.Delivery;
import dev.huddle.events.Member;

import java.util.List;

/**
 * rooms-service's private snapshot of one room on {@link dev.huddle.kafka.Topics#ROOM_STATE} (compacted, keyed by
 * room). Whatever a new owner of the partition needs to go on exactly where the last owner stopped.
 *
 * @param members      in join order
 * @param passwordHash {@link dev.huddle.service.RoomPassword#stored} of the first joiner's password key, or {@code null}
 * @param hidden       private: never in the directory
 * @param lastOffset   offset on {@code room-commands} of the last command applied: redeliveries up to it are skipped
 * @param recentIds    ids of the latest commands applied, to drop a command that was produced twice
 * @param outbox       the deliveries of the batch that wrote this snapshot, resent when its commands are
 *                     redelivered (the writer may have died before sending them)
 * @param ended        0 while the room lives; else when it ended. An ended room stays as a marker (no members)
 *                     until its end is surely behind the committed offset: a redelivered command from before the
 *                     end must be skipped, not applied to a room that no longer exists
 * @param held         signals and private chats for members who are away, oldest first ({@code null} in
 *                     snapshots written before there was any)
 */
public record RoomState(String name, List<Member> members, String passwordHash, boolean hidden, boolean locked,
                        long created, List<ChatMessage> chat, long lastOffset, List<String> recentIds,
                        List<Outgoing> outbox, long ended, List<Held> held) {

    public boolean live() {
        return ended == 0;
    }

    /** A frame for {@code peerId}, waiting for it to come back. */
    public record Held(String peerId, String frame, long ingressTs) {
    }

    /** A delivery caused by the command at {@code offset}, for the inbox of {@code gateway}. */
    public record Outgoing(long offset, String gateway, Delivery delivery) {
    }
}
