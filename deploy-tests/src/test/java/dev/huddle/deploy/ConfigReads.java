package dev.huddle.deploy;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which config keys a service's code reads, found in its sources rather than listed by hand, so that a key
 * that disappears from the code fails the checks. A key counts as read by a file when the file holds its
 * dot-separated parts as string literals, whole or in consecutive groups: {@code "rooms.capacity"}, or
 * {@code "rooms"} and {@code "capacity"} as in {@code config.get("rooms").get("capacity")}.
 */
final class ConfigReads {
    private static final Pattern LITERAL = Pattern.compile("\"([A-Za-z0-9_.-]+)\"");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*");
    private static final Map<Path, Set<String>> LITERALS = new ConcurrentHashMap<>();

    private ConfigReads() {
    }

    /** The config key an environment variable sets (Helidon: lower case, underscores as dots). */
    static String key(String envName) {
        if (!ENV_NAME.matcher(envName).matches()) {
            throw new AssertionError(envName + " is not an upper-case, single-underscore name, so it maps to no"
                    + " config key");
        }
        return envName.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The first of {@code sources} that reads {@code key}. */
    static Optional<Path> reader(String key, List<Path> sources) {
        String[] parts = key.split("\\.");
        return sources.stream().filter(f -> covers(parts, literals(f))).findFirst();
    }

    static boolean reads(ServiceModule service, String key) {
        return reader(key, service.sources()).isPresent();
    }

    /** Whether the parts can be cut into consecutive groups that are each a literal. */
    private static boolean covers(String[] parts, Set<String> literals) {
        boolean[] upTo = new boolean[parts.length + 1];
        upTo[0] = true;
        for (int end = 1; end <= parts.length; end++) {
            for (int start = 0; start < end && !upTo[end]; start++) {
                upTo[end] = upTo[start] && literals.contains(String.join(".", List.of(parts).subList(start, end)));
            }
        }
        return upTo[parts.length];
    }

    private static Set<String> literals(Path file) {
        return LITERALS.computeIfAbsent(file, f -> {
            Set<String> found = new HashSet<>();
            Matcher m = LITERAL.matcher(Repo.read(f));
            while (m.find()) {
                found.add(m.group(1));
            }
            return found;
        });
    }
}
