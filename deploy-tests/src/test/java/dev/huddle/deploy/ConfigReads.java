package dev.huddle.deploy;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which config keys a service's code reads, found in its sources rather than listed by hand, so that a key
 * that disappears from the code fails the checks. A key counts as read when the sources hold its
 * dot-separated parts as string literals, whole or in consecutive groups: {@code "rooms.capacity"}, or
 * {@code "rooms"} and {@code "capacity"} as in {@code config.get("rooms").get("capacity")}, also when the
 * node is handed to another class ({@code IceServers.create(config.get("gateway"))} reading
 * {@code "turn.secret"}). The last group must be more than a bare {@code "ms"} or {@code "id"}.
 */
final class ConfigReads {
    private static final Pattern LITERAL = Pattern.compile("\"([A-Za-z0-9_.-]+)\"");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*");
    private static final Map<ServiceModule, Set<String>> LITERALS = new ConcurrentHashMap<>();

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

    static boolean reads(ServiceModule service, String key) {
        Set<String> literals = LITERALS.computeIfAbsent(service, ConfigReads::literals);
        List<String> parts = List.of(key.split("\\."));
        // upTo[i]: parts[0..i) can be cut into literal groups
        boolean[] upTo = new boolean[parts.size() + 1];
        upTo[0] = true;
        for (int end = 1; end <= parts.size(); end++) {
            for (int start = 0; start < end && !upTo[end]; start++) {
                String group = String.join(".", parts.subList(start, end));
                boolean leafOk = end < parts.size() || group.length() > 3;
                upTo[end] = upTo[start] && leafOk && literals.contains(group);
            }
        }
        return upTo[parts.size()];
    }

    private static Set<String> literals(ServiceModule service) {
        Set<String> found = new HashSet<>();
        for (Path file : service.sources()) {
            Matcher m = LITERAL.matcher(Repo.read(file));
            while (m.find()) {
                found.add(m.group(1));
            }
        }
        return found;
    }
}
