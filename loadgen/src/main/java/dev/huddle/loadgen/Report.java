package dev.huddle.loadgen;

import dev.huddle.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scenario's result: named figures in the order they were added, shown as a table for people and as one JSON
 * line for scripts that compare runs.
 */
public final class Report {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Report put(String key, Object value) {
        if (value != null) {
            fields.put(key, value);
        }
        return this;
    }

    /** A figure by name (nested maps for latencies, errors and memory), or {@code null}. */
    public Object get(String key) {
        return fields.get(key);
    }

    /** A numeric figure; 0 when absent. */
    public long number(String key) {
        return fields.get(key) instanceof Number n ? n.longValue() : 0;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String key) {
        return fields.get(key) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    public String table() {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(String.format("%-" + width + "s  %s%n", k, cell(v))));
        return b.toString();
    }

    public String jsonLine() {
        return Json.write(fields);
    }

    /** Appends the JSON line to {@code file}, so repeated runs build a log to compare. */
    public void appendTo(Path file) throws IOException {
        Files.writeString(file, jsonLine() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String cell(Object v) {
        if (v instanceof List<?> list) { // one row of the table per element, indented under the key
            StringBuilder b = new StringBuilder();
            list.forEach(x -> b.append(b.isEmpty() ? "" : String.format("%n    ")).append(cell(x)));
            return b.toString();
        }
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                return "none";
            }
            StringBuilder b = new StringBuilder();
            m.forEach((k, x) -> b.append(b.isEmpty() ? "" : "  ").append(k).append(' ').append(cell(x)));
            return b.toString();
        }
        if (v instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : String.format("%.3f", d);
        }
        return String.valueOf(v);
    }
}
