package dev.huddle.events;

import java.util.List;

/**
 * The membership of one room, published by rooms-service after every change on the compacted
 * {@link dev.huddle.kafka.Topics#ROOM_MEMBERS} topic (keyed by room; a tombstone when the room ends).
 * Whole snapshots (a room holds a handful of peers) make every consumer idempotent.
 *
 * @param locked an operator locked the room (joins are refused); here too because private rooms have no
 *               directory entry, and the admin dashboard shows the lock of every room
 */
public record RoomMembers(int v, String room, List<Member> members, long ts, boolean locked) {
    public RoomMembers(int v, String room, List<Member> members, long ts) {
        this(v, room, members, ts, false);
    }

    public Member member(String peerId) {
        for (Member m : members) {
            if (m.peerId().equals(peerId)) {
                return m;
            }
        }
        return null;
    }
}
