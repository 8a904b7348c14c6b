package dev.huddle.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.json.Json;

/**
 * Builds the server-to-client frames of protocol.md.
 */
public final class Frames {
    private Frames() {
    }

    /** {@code {"type": type, "data": data}} */
    public static String push(String type, Object data) {
        ObjectNode frame = Json.object();
        frame.put("type", type);
        frame.set("data", Json.toTree(data));
        return Json.write(frame);
    }

    /** {@code {"type":"reply","ref":ref,"ok":true,"data":data}} */
    public static String reply(String ref, Object data) {
        ObjectNode frame = Json.object();
        frame.put("type", "reply");
        frame.put("ref", ref);
        frame.put("ok", true);
        frame.set("data", data == null ? Json.object() : Json.toTree(data));
        return Json.write(frame);
    }

    /** {@code {"type":"reply","ref":ref,"ok":false,"error":{code,message}}} */
    public static String failure(String ref, ErrorCode code, String message) {
        ObjectNode frame = Json.object();
        frame.put("type", "reply");
        frame.put("ref", ref);
        frame.put("ok", false);
        ObjectNode error = frame.putObject("error");
        error.put("code", code.wire());
        error.put("message", message);
        return Json.write(frame);
    }

    /** {@code {"type":"error","data":{code,message,about?}}} */
    public static String error(ErrorCode code, String message, String about) {
        ObjectNode frame = Json.object();
        frame.put("type", "error");
        ObjectNode data = frame.putObject("data");
        data.put("code", code.wire());
        data.put("message", message);
        if (about != null) {
            data.put("about", about);
        }
        return Json.write(frame);
    }

    /**
     * The answer to a failed request: a failure reply when it had a {@code ref}, else an error push.
     */
    public static String failed(String ref, String about, ErrorCode code, String message) {
        return ref != null ? failure(ref, code, message) : error(code, message, about);
    }
}
