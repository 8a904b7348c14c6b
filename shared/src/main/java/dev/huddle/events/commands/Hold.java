package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/**
 * {@code hold} {room, to, frame, ingressTs}: signaling relayed a signal or private chat (the finished client {@code
 * frame}) to a member who is away; rooms-service keeps it until the member is back.
 */
public record Hold(String room, String to, String frame, long ingressTs) implements RoomCommandData {
    @Override
    public String type() {
        return CommandTypes.HOLD;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("room", room).put("to", to).put("frame", frame)
                .put("ingressTs", ingressTs);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static Hold from(JsonNode data) {
        return new Hold(Fields.text(data, "room"), Fields.text(data, "to"), Fields.text(data, "frame"),
                Fields.integer(data, "ingressTs"));
    }
}
