package dev.huddle.presence;

import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Origin;
import dev.huddle.json.Json;

/** The commands presence sends rooms-service about a peer's connection (architecture.md, Commands). */
final class RoomCommands {
    /** Why a peer left its rooms without asking, as rooms-service tells the others ({@code peer_left.reason}). */
    static final String DISCONNECTED = "disconnected";

    private record RoomData(String room) {
    }

    private record DepartData(String room, String reason) {
    }

    private RoomCommands() {
    }

    /** The connection dropped, the grace period starts. */
    static Command away(Origin origin, String room) {
        return Command.of(origin, CommandTypes.AWAY, room, new RoomData(room));
    }

    /** The peer resumed on {@code origin} (the new connection, speaking for the peer); {@code ref} is the resume's. */
    static Command back(Origin origin, String room, String ref, long ts) {
        return Command.of(origin, CommandTypes.BACK, ref, room, Json.toTree(new RoomData(room)), ts);
    }

    /** The peer is gone for good. */
    static Command depart(Origin origin, String room) {
        return Command.of(origin, CommandTypes.DEPART, room, new DepartData(room, DISCONNECTED));
    }
}
