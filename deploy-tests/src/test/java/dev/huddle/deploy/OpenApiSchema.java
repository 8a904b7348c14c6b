package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks a value against a CRD's structural OpenAPI v3 schema as the API server does with strict field
 * validation ({@code kubectl apply --validate=strict}, the default since Kubernetes 1.27): an unknown field is an
 * error unless the schema preserves unknown fields or declares {@code additionalProperties}; types, enums,
 * required fields, bounds, patterns and {@code oneOf} are checked.
 */
final class OpenApiSchema {
    private OpenApiSchema() {
    }

    /** @return the problems found, each with its path; empty when the value is valid */
    static List<String> validate(JsonNode value, JsonNode schema) {
        List<String> errors = new ArrayList<>();
        check(value, schema, "", errors);
        return errors;
    }

    private static void check(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (value == null || value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                errors.add(path + ": null is not allowed");
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                errors.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> object(value, schema, path, errors);
            case "array" -> {
                if (!value.isArray()) {
                    errors.add(path + ": must be an array, is " + value.getNodeType());
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.path("items"), path + "[" + i + "]", errors);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    errors.add(path + ": must be a string, is " + value.getNodeType());
                } else if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
                    errors.add(path + ": '" + value.asText() + "' does not match " + schema.get("pattern").asText());
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    errors.add(path + ": must be an integer, is " + value.getNodeType());
                }
                bounds(value, schema, path, errors);
            }
            case "number" -> {
                if (!value.isNumber()) {
                    errors.add(path + ": must be a number, is " + value.getNodeType());
                }
                bounds(value, schema, path, errors);
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    errors.add(path + ": must be a boolean, is " + value.getNodeType());
                }
            }
            case "" -> {
                // untyped: only x-kubernetes-preserve-unknown-fields schemas are, and they take anything
            }
            default -> errors.add(path + ": schema type " + type + " is not understood by this validator");
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null) {
            boolean found = false;
            for (JsonNode a : allowed) {
                found |= a.equals(value) || a.asText().equals(value.asText());
            }
            if (!found) {
                errors.add(path + ": '" + value.asText() + "' is not one of " + allowed);
            }
        }
    }

    private static void object(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (!value.isObject()) {
            errors.add(path + ": must be an object, is " + value.getNodeType());
            return;
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        value.properties().forEach(e -> {
            String at = path + "." + e.getKey();
            if (properties.has(e.getKey())) {
                check(e.getValue(), properties.get(e.getKey()), at, errors);
            } else if (additional != null && additional.isObject()) {
                check(e.getValue(), additional, at, errors);
            } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                errors.add(at + ": unknown field \"" + e.getKey() + "\"");
            }
        });
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) {
                errors.add(path + ": required field \"" + required.asText() + "\" is missing");
            }
        }
        JsonNode oneOf = schema.get("oneOf");
        if (oneOf != null) {
            int matching = 0;
            for (JsonNode branch : oneOf) {
                boolean all = true;
                for (JsonNode required : branch.path("required")) {
                    all &= value.has(required.asText());
                }
                matching += all ? 1 : 0;
            }
            if (matching != 1) {
                errors.add(path + ": must match exactly one of " + oneOf + " (matches " + matching + ")");
            }
        }
    }

    private static void bounds(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
            errors.add(path + ": " + value.asText() + " is below the minimum " + schema.get("minimum").asText());
        }
        if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
            errors.add(path + ": " + value.asText() + " is above the maximum " + schema.get("maximum").asText());
        }
    }
}
