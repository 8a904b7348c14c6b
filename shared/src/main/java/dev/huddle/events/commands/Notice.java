package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/** {@code notice} {room, text}: an operator's announcement to one room. */
public record Notice(String room, String text) implements RoomCommandData {
    @Override
    public String type() {
        return CommandTypes.NOTICE;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("room", room).put("text", text);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static Notice from(JsonNode data) {
        return new Notice(Fields.text(data, "room"), Fields.text(data, "text"));
    }
}
