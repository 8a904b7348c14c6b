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
 * The top level of a frame that is well-formed JSON but over a limit of the tree reader (Jackson's defaults:
 * nesting deeper than {@link #MAX_DEPTH} levels, a number longer than {@link #MAX_NUMBER} characters, a field
 * name longer than {@link #MAX_NAME}): its scalar fields as they are, each array or object inside as an empty
 * one, so the frame's {@code ref} and {@code type} can still be read and the frame answered (protocol.md: a JSON
 * object with a usable ref gets exactly one reply), and which limit it passes, for that reply. The limits stay:
 * nesting costs stack, and turning a number of 60,000 digits into a value takes a few hundred milliseconds. Here
 * nothing is nested on the stack and no long number is turned into a value, so any frame is read in linear time.
 */
final class ShallowFrame {
    static final int MAX_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH;
    static final int MAX_NUMBER = StreamReadConstraints.DEFAULT_MAX_NUM_LEN;
    static final int MAX_NAME = StreamReadConstraints.DEFAULT_MAX_NAME_LEN;
    private static final JsonFactory UNLIMITED = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE).maxNameLength(Integer.MAX_VALUE).build())
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * @param top     the frame's top level, or null when the text is not one JSON value
     * @param problem which of the reader's limits it passes, as a client should read it
     */
    record Read(JsonNode top, String problem) {
    }

    private ShallowFrame() {
    }

    static Read read(String text) {
        Limits seen = new Limits();
        try (JsonParser p = UNLIMITED.createParser(text)) {
            JsonToken first = p.nextToken();
            JsonNode top;
            if (first == JsonToken.START_OBJECT) {
                ObjectNode object = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    seen.name(p);
                    String name = p.currentName();
                    object.set(name, value(p, p.nextToken(), seen));
                }
                top = object;
            } else if (first == null) {
                return new Read(null, seen.problem());
            } else {
                top = value(p, first, seen);
            }
            // trailing tokens: not one JSON value
            return new Read(p.nextToken() == null ? top : null, seen.problem());
        } catch (IOException e) {
            return new Read(null, seen.problem());
        }
    }

    private static JsonNode value(JsonParser p, JsonToken token, Limits seen) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                skip(p, seen);
                yield NODES.objectNode();
            }
            case START_ARRAY -> {
                skip(p, seen);
                yield NODES.arrayNode();
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            // An over-long number stands in as 0: at the top level only ref, type and data count, and a number
            // is the wrong type for each of them whatever its value.
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> seen.number(p) ? NODES.numberNode(p.getDecimalValue())
                    : NODES.numberNode(0);
            case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(token == JsonToken.VALUE_TRUE);
            default -> NODES.nullNode();
        };
    }

    /** Past the end of the array or object just started, token by token (no recursion), noting what it holds. */
    private static void skip(JsonParser p, Limits seen) throws IOException {
        int depth = 1;
        seen.depth(2); // the top-level object, and this
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IOException("Unexpected end of input");
            }
            switch (t) {
                case START_OBJECT, START_ARRAY -> seen.depth(++depth + 1);
                case END_OBJECT, END_ARRAY -> depth--;
                case FIELD_NAME -> seen.name(p);
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> seen.number(p);
                default -> {
                }
            }
        }
    }

    /** The largest depth, number and name met so far. */
    private static final class Limits {
        private int depth;
        private int number;
        private int name;

        void depth(int d) {
            depth = Math.max(depth, d);
        }

        /** Whether this number is short enough to be turned into a value. */
        boolean number(JsonParser p) throws IOException {
            int length = p.getTextLength();
            number = Math.max(number, length);
            return length <= MAX_NUMBER;
        }

        void name(JsonParser p) throws IOException {
            name = Math.max(name, p.getTextLength());
        }

        String problem() {
            if (depth > MAX_DEPTH) {
                return "The frame nests arrays and objects deeper than " + MAX_DEPTH + " levels";
            }
            if (number > MAX_NUMBER) {
                return "The frame has a number written with more than " + MAX_NUMBER + " characters";
            }
            if (name > MAX_NAME) {
                return "The frame has a field name longer than " + MAX_NAME + " characters";
            }
            return "The frame is over the limits of the JSON reader";
        }
    }
}
