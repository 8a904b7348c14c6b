package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/**
 * {@code back} {room}: presence, the peer resumed; the command's origin is the new connection, its ref the
 * resume's.
 */
public record Back(String room) implements RoomCommandData {
    @Override
    public String type() {
        return CommandTypes.BACK;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("room", room);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static Back from(JsonNode data) {
        return new Back(Fields.text(data, "room"));
    }
}
