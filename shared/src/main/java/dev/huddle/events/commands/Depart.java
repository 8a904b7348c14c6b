package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/**
 * {@code depart} {room, reason}: presence, the peer's connection is gone for good ({@code reason} goes to the
 * others in {@code peer_left}).
 */
public record Depart(String room, String reason) implements RoomCommandData {
    @Override
    public String type() {
        return CommandTypes.DEPART;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("room", room).put("reason", reason);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static Depart from(JsonNode data) {
        return new Depart(Fields.text(data, "room"), Fields.text(data, "reason"));
    }
}
