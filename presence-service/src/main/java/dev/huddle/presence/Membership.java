package dev.huddle.presence;

import dev.huddle.events.Member;
import dev.huddle.events.RoomMembers;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is in which room, from the {@code room-members} replica: the rooms a peer is told {@code away},
 * {@code back} and {@code depart} for, and the nickname the operator sees. Thread-safe: the replica writes,
 * the command loop and the sweeper read.
 */
final class Membership {
    private final Map<String, Set<String>> peersByRoom = new HashMap<>();
    private final Map<String, TreeSet<String>> roomsByPeer = new HashMap<>();
    private final Map<String, String> nicknames = new HashMap<>();

    /**
     * Takes a room's new snapshot ({@code null}: the room ended).
     *
     * @return the peers whose rooms or nickname may have changed
     */
    synchronized Set<String> apply(String room, RoomMembers members) {
        Set<String> before = peersByRoom.getOrDefault(room, Set.of());
        Set<String> after = new HashSet<>();
        if (members != null && members.members() != null) {
            for (Member m : members.members()) {
                after.add(m.peerId());
                roomsByPeer.computeIfAbsent(m.peerId(), p -> new TreeSet<>()).add(room);
                if (m.nickname() != null) {
                    nicknames.put(m.peerId(), m.nickname());
                }
            }
        }
        for (String gone : before) {
            if (!after.contains(gone)) {
                TreeSet<String> rooms = roomsByPeer.get(gone);
                if (rooms != null) {
                    rooms.remove(room);
                    if (rooms.isEmpty()) {
                        roomsByPeer.remove(gone);
                        nicknames.remove(gone);
                    }
                }
            }
        }
        if (after.isEmpty()) {
            peersByRoom.remove(room);
        } else {
            peersByRoom.put(room, after);
        }
        Set<String> touched = new HashSet<>(before);
        touched.addAll(after);
        return touched;
    }

    /** The peer's rooms, sorted; empty when it is in none. */
    synchronized List<String> rooms(String peerId) {
        TreeSet<String> rooms = roomsByPeer.get(peerId);
        return rooms == null ? List.of() : List.copyOf(rooms);
    }

    /** The nickname last seen for the peer in any of its rooms, or {@code null}. */
    synchronized String nickname(String peerId) {
        return nicknames.get(peerId);
    }
}
