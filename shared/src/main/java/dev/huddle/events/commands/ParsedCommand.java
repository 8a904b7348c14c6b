package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Command;
import dev.huddle.json.Json;
import dev.huddle.json.JsonShapeException;
import dev.huddle.kafka.RecordParser;

/**
 * A command as a consumer reads it from a command topic: the envelope, and for an internal command its data as a
 * record ({@code null} for a client request, whose data stays {@code command.data()}, the validated frame JSON).
 *
 * @param command the envelope; its {@code data} is an object ({@code {}} when the record had none)
 * @param data    the internal command's data, or {@code null}
 */
public record ParsedCommand(Command command, CommandData data) {
    /** How consumer loops read a command topic (a service adds its topic's own rules around {@link #read}). */
    public static final RecordParser<ParsedCommand> PARSER = (key, value) -> read(value);

    /**
     * Reads a command record strictly: a JSON object with an {@code id} and a {@code type}, and for an internal
     * command data of its type's shape.
     *
     * @throws IllegalArgumentException (a {@link JsonShapeException} when the JSON is of the wrong shape) if the
     *                                  record is not such a command
     */
    public static ParsedCommand read(String json) {
        if (json == null) {
            throw new JsonShapeException("a command record has no value");
        }
        Command c = Json.convert(dev.huddle.json.Fields.object(Json.tree(json), "the record"), Command.class);
        if (c.type() == null || c.id() == null) {
            throw new JsonShapeException("the command has no 'type' or no 'id'");
        }
        JsonNode data = c.data();
        if (data == null || data.isNull()) {
            c = new Command(c.v(), c.id(), c.ts(), c.origin(), c.type(), c.ref(), c.key(), Json.object());
        } else if (!data.isObject()) {
            throw new JsonShapeException("the command's 'data' is not an object");
        }
        return new ParsedCommand(c, CommandData.read(c.type(), c.data()));
    }
}
