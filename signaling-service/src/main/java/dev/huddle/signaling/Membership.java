package dev.huddle.signaling;

import dev.huddle.events.Member;
import dev.huddle.events.RoomMembers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This instance's copy of who is in which room, as rooms-service last published it on {@code room-members}.
 * Written by the members replica's thread, read by the relay's thread: each room is one immutable snapshot.
 */
final class Membership {
    private final Map<String, RoomMembers> rooms = new ConcurrentHashMap<>();

    /** The room's latest snapshot, or {@code null} if the room does not exist (as far as we have read). */
    RoomMembers room(String room) {
        return rooms.get(room);
    }

    Member member(String room, String peerId) {
        RoomMembers members = rooms.get(room);
        return members == null ? null : members.member(peerId);
    }

    /** Replaces the room's snapshot; {@code null} (a tombstone) removes the room. */
    void put(String room, RoomMembers members) {
        if (members == null) {
            rooms.remove(room);
        } else {
            rooms.put(room, members);
        }
    }
}
