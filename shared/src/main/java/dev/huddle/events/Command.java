package dev.huddle.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.commands.CommandData;

import java.util.UUID;

/**
 * Envelope of every command on the command topics ({@link dev.huddle.kafka.Topics#ROOM_COMMANDS},
 * {@link dev.huddle.kafka.Topics#SIGNALS}, {@link dev.huddle.kafka.Topics#PRESENCE}).
 *
 * <p>Client requests keep the protocol's {@code type} and {@code data} (already validated and normalised
 * by the gateway); internal commands use the names in {@link CommandTypes} and a record of
 * {@code dev.huddle.events.commands} for their data (built with {@link #of(Origin, String, String, CommandData,
 * long)}, read by consumers as a {@link dev.huddle.events.commands.ParsedCommand}).
 *
 * @param v         schema version
 * @param id        unique id, used to drop redeliveries
 * @param ts        when the gateway received it (ms since epoch); relay latency is measured from it
 * @param origin    who sent it (may be {@code null} for operator or service commands)
 * @param type      what to do
 * @param ref       the client's {@code ref}, echoed in the reply, or {@code null}
 * @param key       the Kafka key (room name for room commands, peerId for presence)
 * @param data      the payload
 */
public record Command(int v, String id, long ts, Origin origin, String type, String ref, String key, JsonNode data) {
    public static final int VERSION = 1;

    public static Command of(Origin origin, String type, String ref, String key, JsonNode data, long ts) {
        return new Command(VERSION, RecordIds.random(), ts, origin, type, ref, key, data);
    }

    /**
     * An id derived from the id of the command that caused something (another command, a delivery): the same each
     * time a redelivered command is handled again, so whoever receives the copy can drop it.
     */
    public static String derivedId(String cause, String purpose) {
        String seed = (cause == null ? RecordIds.random() : cause) + "/" + purpose;
        return UUID.nameUUIDFromBytes(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    public static Command of(Origin origin, String type, String key, Object data) {
        return of(origin, type, null, key, dev.huddle.json.Json.toTree(data), System.currentTimeMillis());
    }

    /** An internal command: its type and data from the data's record. */
    public static Command of(Origin origin, String ref, String key, CommandData data, long ts) {
        return of(origin, data.type(), ref, key, data.toJson(), ts);
    }

    public static Command of(Origin origin, String key, CommandData data) {
        return of(origin, null, key, data, System.currentTimeMillis());
    }
}
