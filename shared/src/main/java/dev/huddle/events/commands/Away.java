package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/** {@code away} {room}: presence, the peer's connection dropped and its grace period runs. */
public record Away(String room) implements RoomCommandData {
    @Override
    public String type() {
        return CommandTypes.AWAY;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("room", room);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static Away from(JsonNode data) {
        return new Away(Fields.text(data, "room"));
    }
}
