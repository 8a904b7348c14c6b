package dev.huddle.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The repository's Dockerfile as a list of instructions (continuation lines joined, comments dropped), so
 * tests can check it against the build and the manifests and start the jars the way its ENTRYPOINT does.
 */
record Dockerfile(List<Instruction> instructions) {

    record Instruction(String keyword, String arguments) {
    }

    static Dockerfile read() {
        List<Instruction> list = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : Repo.read(Repo.path("Dockerfile")).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String full = pending.toString().strip();
            pending.setLength(0);
            if (!full.isEmpty()) {
                String[] kv = full.split("\\s+", 2);
                list.add(new Instruction(kv[0].toUpperCase(Locale.ROOT), kv.length > 1 ? kv[1] : ""));
            }
        }
        return new Dockerfile(List.copyOf(list));
    }

    List<String> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    String last(String keyword) {
        List<String> found = all(keyword);
        if (found.isEmpty()) {
            throw new AssertionError("Dockerfile has no " + keyword);
        }
        return found.getLast();
    }

    /** ENTRYPOINT in exec form (a JSON array): the shell form would keep SIGTERM from reaching java. */
    List<String> entrypoint() {
        String value = last("ENTRYPOINT");
        if (!value.startsWith("[")) {
            throw new AssertionError("ENTRYPOINT should be in exec form [\"java\", ...] so that java is PID 1 and"
                    + " gets SIGTERM, not: " + value);
        }
        try {
            return new ObjectMapper().readValue(value, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
