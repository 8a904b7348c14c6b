package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Json;

/**
 * {@code disconnected} {}: a gateway, a connection closed (the origin is that connection; presence ignores it when
 * the session has moved to another one).
 */
public record Disconnected() implements PresenceCommandData {
    @Override
    public String type() {
        return CommandTypes.DISCONNECTED;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object();
    }

    public static Disconnected from(JsonNode data) {
        return new Disconnected();
    }
}
