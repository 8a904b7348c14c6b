package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.ChatMessage;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/**
 * {@code chat_posted}: signaling relayed a public chat message, for the room's history. The data is the
 * {@link ChatMessage} itself, as clients receive it ({@code to} is never set: private messages are not kept).
 */
public record ChatPosted(ChatMessage message) implements RoomCommandData {
    @Override
    public String type() {
        return CommandTypes.CHAT_POSTED;
    }

    @Override
    public String room() {
        return message.room();
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode data = Json.object().put("room", message.room()).put("id", message.id());
        data.putObject("from").put("peerId", message.from().peerId()).put("nickname", message.from().nickname());
        if (message.to() != null) {
            data.put("to", message.to());
        }
        return data.put("text", message.text()).put("ts", message.ts());
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static ChatPosted from(JsonNode data) {
        JsonNode from = Fields.object(data.get("from"), "'from'");
        return new ChatPosted(new ChatMessage(Fields.text(data, "room"), Fields.text(data, "id"),
                new ChatMessage.Sender(Fields.text(from, "peerId"), Fields.text(from, "nickname")),
                Fields.optionalText(data, "to"), Fields.text(data, "text"), Fields.integer(data, "ts")));
    }
}
