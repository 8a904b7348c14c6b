package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.ResumeAccepted;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code resume} in progress on one connection (architecture.md, "Sessions, drops and resume"): presence's
 * acceptance and rooms-service's {@code RESUME_ROOM} for each of the peer's rooms, in whatever order they come
 * (different partitions), and the deliveries for the claimed peer held until the reply has gone out.
 */
final class ResumeAttempt {
    final String ref;
    final String claimedPeer;
    final String newToken;
    private final int maxHeld;
    private ResumeAccepted accepted;
    private final Map<String, JsonNode> rooms = new HashMap<>();
    private final Deque<String> held = new ArrayDeque<>();

    ResumeAttempt(String ref, String claimedPeer, String newToken, int maxHeld) {
        this.ref = ref;
        this.claimedPeer = claimedPeer;
        this.newToken = newToken;
        this.maxHeld = maxHeld;
    }

    void accepted(ResumeAccepted accepted) {
        this.accepted = accepted.rooms() != null ? accepted : new ResumeAccepted(accepted.peerId(), List.of());
    }

    boolean isAccepted() {
        return accepted != null;
    }

    /** A room's state {room, self, peers, chat}, or {room, gone: true} for a room the peer is no longer in. */
    void room(JsonNode state) {
        JsonNode room = state.get("room");
        if (room != null && room.isTextual()) {
            rooms.put(room.asText(), state);
        }
    }

    /** Holds a frame for the claimed peer; past the limit the oldest goes (like signaling's hold). */
    void hold(String frame) {
        if (held.size() >= maxHeld) {
            held.removeFirst();
        }
        held.addLast(frame);
    }

    boolean complete() {
        return accepted != null && accepted.rooms().stream().allMatch(rooms::containsKey);
    }

    String peerId() {
        return accepted.peerId() != null ? accepted.peerId() : claimedPeer;
    }

    /** The reply's rooms, in presence's order, without the gone ones. */
    List<JsonNode> roomStates() {
        List<JsonNode> states = new ArrayList<>();
        for (String room : accepted.rooms()) {
            JsonNode state = rooms.get(room);
            if (!state.path("gone").asBoolean(false)) {
                states.add(state);
            }
        }
        return states;
    }

    List<String> roomNames() {
        return accepted == null ? List.of() : accepted.rooms();
    }

    List<String> held() {
        return List.copyOf(held);
    }
}
