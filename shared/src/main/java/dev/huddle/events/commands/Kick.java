package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/** {@code kick} {room, peerId}: an operator removes a peer. */
public record Kick(String room, String peerId) implements RoomCommandData {
    @Override
    public String type() {
        return CommandTypes.KICK;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("room", room).put("peerId", peerId);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static Kick from(JsonNode data) {
        return new Kick(Fields.text(data, "room"), Fields.text(data, "peerId"));
    }
}
