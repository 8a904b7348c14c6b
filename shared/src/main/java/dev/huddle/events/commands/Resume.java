package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Fields;
import dev.huddle.json.Json;

/**
 * {@code resume} {peerId, tokenHash, newTokenHash, abandonedPeer}: a gateway, a new connection claims the session
 * of {@code peerId}; {@code abandonedPeer} is the fresh peerId its hello gave it.
 */
public record Resume(String peerId, String tokenHash, String newTokenHash, String abandonedPeer)
        implements PresenceCommandData {
    @Override
    public String type() {
        return CommandTypes.RESUME;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object().put("peerId", peerId).put("tokenHash", tokenHash).put("newTokenHash", newTokenHash)
                .put("abandonedPeer", abandonedPeer);
    }

    /** @throws dev.huddle.json.JsonShapeException when a field is missing or of another type */
    public static Resume from(JsonNode data) {
        return new Resume(Fields.text(data, "peerId"), Fields.text(data, "tokenHash"),
                Fields.text(data, "newTokenHash"), Fields.text(data, "abandonedPeer"));
    }
}
