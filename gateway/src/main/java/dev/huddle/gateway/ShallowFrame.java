package dev.huddle.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/**
 * The top level of a frame that is well-formed JSON but nests deeper than the tree reader takes
 * ({@link #MAX_DEPTH} levels): its scalar fields as they are, each array or object inside as an empty one, so the
 * frame's {@code ref} and {@code type} can still be read and the frame answered (protocol.md: a JSON object with a
 * usable ref gets exactly one reply). Skipping is iterative, so no depth a frame can carry costs stack.
 */
final class ShallowFrame {
    static final int MAX_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH;
    private static final JsonFactory UNLIMITED = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ShallowFrame() {
    }

    /** The frame's top level, or null when the text is not one JSON value. */
    static JsonNode read(String text) {
        try (JsonParser p = UNLIMITED.createParser(text)) {
            JsonToken first = p.nextToken();
            JsonNode top;
            if (first == JsonToken.START_OBJECT) {
                ObjectNode object = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    object.set(name, value(p, p.nextToken()));
                }
                top = object;
            } else if (first == null) {
                return null;
            } else {
                top = value(p, first);
            }
            return p.nextToken() == null ? top : null; // trailing tokens: not one JSON value
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode value(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                p.skipChildren();
                yield NODES.objectNode();
            }
            case START_ARRAY -> {
                p.skipChildren();
                yield NODES.arrayNode();
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(token == JsonToken.VALUE_TRUE);
            default -> NODES.nullNode();
        };
    }
}
