package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;

/**
 * The data of an internal command (one not sent by clients, {@link CommandTypes}), one record per type, written
 * and read by the same code on both sides. Reading is strict: a field missing or of another type makes the
 * record bad ({@link dev.huddle.json.JsonShapeException}), and the consumer loop skips and counts it. Client
 * requests have no record here: their data stays the frame's JSON as the gateway validated it.
 */
public sealed interface CommandData permits RoomCommandData, PresenceCommandData {
    /** The command's type, one of {@link CommandTypes}. */
    String type();

    /** The data as it goes on the wire ({@code Command.data}). */
    ObjectNode toJson();

    /**
     * The data of an internal command of {@code type}, or {@code null} when {@code type} is not an internal command
     * (a client request, or a type this build does not know).
     *
     * @throws dev.huddle.json.JsonShapeException when the data does not have the type's shape
     */
    static CommandData read(String type, JsonNode data) {
        JsonNode d = dev.huddle.json.Fields.object(data, "data");
        return switch (type) {
            case CommandTypes.AWAY -> Away.from(d);
            case CommandTypes.BACK -> Back.from(d);
            case CommandTypes.DEPART -> Depart.from(d);
            case CommandTypes.KICK -> Kick.from(d);
            case CommandTypes.CLOSE_ROOM -> CloseRoom.from(d);
            case CommandTypes.LOCK -> Lock.from(d);
            case CommandTypes.NOTICE -> Notice.from(d);
            case CommandTypes.HOLD -> Hold.from(d);
            case CommandTypes.CHAT_POSTED -> ChatPosted.from(d);
            case CommandTypes.CONNECTED -> Connected.from(d);
            case CommandTypes.DISCONNECTED -> Disconnected.from(d);
            case CommandTypes.RESUME -> Resume.from(d);
            case CommandTypes.ABANDONED -> Abandoned.from(d);
            default -> null;
        };
    }
}
