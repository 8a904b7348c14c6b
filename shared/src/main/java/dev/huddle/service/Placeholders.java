package dev.huddle.service;

import io.helidon.config.Config;

/**
 * Refuses to start with the placeholder secrets that git holds (k8s/base/secret.yaml: {@code REPLACE_ME-...}):
 * a system running with them would have a publicly known secret, or a broken one nobody notices.
 */
public final class Placeholders {
    public static final String MARK = "REPLACE_ME";

    private Placeholders() {
    }

    /** @throws IllegalStateException naming the first of {@code keys} whose value is still a placeholder */
    public static void refuse(Config config, String... keys) {
        for (String key : keys) {
            config.get(key).asString().filter(v -> v.startsWith(MARK)).ifPresent(v -> {
                throw new IllegalStateException(key + " is still the placeholder from k8s/base/secret.yaml: set a "
                        + "real value (docs/deploy.md, \"Secrets\")");
            });
        }
    }
}
