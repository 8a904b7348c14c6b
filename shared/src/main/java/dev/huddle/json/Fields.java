package dev.huddle.json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Strict reads of an object's fields, for records read from the wire: a field that is missing or of another type
 * is a {@link JsonShapeException}, never a silent default.
 */
public final class Fields {
    private Fields() {
    }

    /** {@code node} itself, if it is a JSON object. */
    public static JsonNode object(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new JsonShapeException(what + " is not an object");
        }
        return node;
    }

    public static String text(JsonNode object, String field) {
        JsonNode n = object.get(field);
        if (n == null || !n.isTextual()) {
            throw new JsonShapeException("'" + field + "' is missing or not a string");
        }
        return n.asText();
    }

    /** A string, or {@code null} when the field is absent or null. */
    public static String optionalText(JsonNode object, String field) {
        JsonNode n = object.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new JsonShapeException("'" + field + "' is not a string");
        }
        return n.asText();
    }

    public static boolean bool(JsonNode object, String field) {
        JsonNode n = object.get(field);
        if (n == null || !n.isBoolean()) {
            throw new JsonShapeException("'" + field + "' is missing or not true or false");
        }
        return n.booleanValue();
    }

    public static long integer(JsonNode object, String field) {
        JsonNode n = object.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new JsonShapeException("'" + field + "' is missing or not an integer");
        }
        return n.longValue();
    }
}
