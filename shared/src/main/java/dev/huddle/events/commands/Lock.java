package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/** {@code lock} {room, locked}: an operator locks or unlocks a room. */
public record Lock(String room, boolean locked) implements RoomCommandData {
    @Override
    public String type() {
        return CommandTypes.LOCK;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("room", room).put("locked", locked);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static Lock from(JsonNode data) {
        return new Lock(Fields.text(data, "room"), Fields.bool(data, "locked"));
    }
}
