package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/**
 * {@code connected} {tokenHash, remote?, userAgent?}: a gateway, a connection opened (the origin's peer is its
 * fresh peerId).
 */
public record Connected(String tokenHash, String remote, String userAgent) implements PresenceCommandData {
    @Override
    public String type() {
        return CommandTypes.CONNECTED;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("tokenHash", tokenHash).put("remote", remote).put("userAgent", userAgent);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static Connected from(JsonNode data) {
        return new Connected(Fields.text(data, "tokenHash"), Fields.optionalText(data, "remote"),
                Fields.optionalText(data, "userAgent"));
    }
}
