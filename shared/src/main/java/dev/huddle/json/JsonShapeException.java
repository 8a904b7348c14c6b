package dev.huddle.json;

/**
 * JSON of the wrong shape: a field missing or of the wrong type. The message names the field and never quotes the
 * value (it may be a chat text or an SDP), so it is safe to log.
 */
public final class JsonShapeException extends IllegalArgumentException {
    public JsonShapeException(String message) {
        super(message);
    }
}
