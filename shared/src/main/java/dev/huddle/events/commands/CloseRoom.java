package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/** {@code close_room} {room}: an operator closes a room. */
public record CloseRoom(String room) implements RoomCommandData {
    @Override
    public String type() {
        return CommandTypes.CLOSE_ROOM;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("room", room);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static CloseRoom from(JsonNode data) {
        return new CloseRoom(Fields.text(data, "room"));
    }
}
