package dev.huddle.gateway;

import dev.huddle.kafka.Partitions;
import dev.huddle.kafka.Topics;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rooms one connection is in, as its replies and pushes told the gateway (a join of a room it was not in ends
 * its list watch), and the room-directory partitions whose entries it changed (its next {@code list_rooms} waits
 * until the replica has read them, so a client sees its own join in the list). Locks itself; calls nothing.
 */
final class ConnectionRooms {
    private final Set<String> joined = new HashSet<>();
    private final Map<Integer, String> touched = new LinkedHashMap<>(); // directory partition -> a room on it

    /** @return whether the connection was not in the room before */
    synchronized boolean joined(String room) {
        return joined.add(room);
    }

    synchronized void joinedAll(Collection<String> rooms) {
        joined.addAll(rooms);
    }

    synchronized void left(String room) {
        joined.remove(room);
    }

    /** Remembers a room whose directory entry this client changed, so its next list waits to include that. */
    synchronized void touch(String room) {
        if (room != null) {
            touched.put(Partitions.forKey(room, Topics.ROOM_DIRECTORY.partitions()), room);
        }
    }

    synchronized List<String> touched() {
        return List.copyOf(touched.values());
    }
}
