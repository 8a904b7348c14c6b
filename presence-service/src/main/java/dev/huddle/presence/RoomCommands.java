package dev.huddle.presence;

import dev.huddle.events.Command;
import dev.huddle.events.Origin;
import dev.huddle.events.commands.Away;
import dev.huddle.events.commands.Back;
import dev.huddle.events.commands.Depart;

/** The commands presence sends rooms-service about a peer's connection (architecture.md, Commands). */
final class RoomCommands {
    /** Why a peer left its rooms without asking, as rooms-service tells the others ({@code peer_left.reason}). */
    static final String DISCONNECTED = "disconnected";

    private RoomCommands() {
    }

    /** The connection dropped, the grace period starts. */
    static Command away(Origin origin, String room) {
        return Command.of(origin, room, new Away(room));
    }

    /** The peer resumed on {@code origin} (the new connection, speaking for the peer); {@code ref} is the resume's. */
    static Command back(Origin origin, String room, String ref, long ts) {
        return Command.of(origin, ref, room, new Back(room), ts);
    }

    /** The peer is gone for good. */
    static Command depart(Origin origin, String room) {
        return Command.of(origin, room, new Depart(room, DISCONNECTED));
    }
}
