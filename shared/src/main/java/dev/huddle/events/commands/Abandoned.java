package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.CommandTypes;
import dev.huddle.json.Json;

/**
 * {@code abandoned} {}: presence to itself, keyed by the fresh peerId a successful resume gave up, so that whichever
 * presence instance owns that session ends it.
 */
public record Abandoned() implements PresenceCommandData {
    @Override
    public String type() {
        return CommandTypes.ABANDONED;
    }

    @Override
    public ObjectNode toJson() {
        return Json.object();
    }

    public static Abandoned from(JsonNode data) {
        return new Abandoned();
    }
}
