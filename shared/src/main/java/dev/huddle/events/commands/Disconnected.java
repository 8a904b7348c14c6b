package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/**
 * {@code disconnected} {ended?}: a gateway, a connection closed (the origin is that connection; presence ignores it
 * when the session has moved to another one). {@code ended}: an operator closed it, so the session ends now, with
 * no grace period to resume in.
 */
public record Disconnected(boolean ended) implements PresenceCommandData {
    @Override
    public String type() {
        return CommandTypes.DISCONNECTED;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        if (ended) {
            json.put("ended", true);
        }
        return json;
    }

    /**
     * Without {@code ended} (as gateways before it wrote): a close with a grace period.
     *
     * @throws dev.huddle.json.JsonShapeException when {@code ended} is there but not true or false
     */
    public static Disconnected from(JsonNode data) {
        return new Disconnected(data.has("ended") && Fields.bool(data, "ended"));
    }
}
