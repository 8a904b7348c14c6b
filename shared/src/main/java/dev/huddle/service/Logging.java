package dev.huddle.service;

import io.helidon.config.Config;

import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * The log format, from {@code log.format} ({@code LOG_FORMAT}): {@code text} (the default: logging.properties'
 * one line per record, for people) or {@code json} ({@link JsonLogFormatter}: one JSON object per line, for a log
 * collector; the k8s manifests choose it). Every service applies it first thing, before it talks to Kafka.
 *
 * <p>Logging belongs to the JVM, not to a service: where several services share one (the launcher, tests) the
 * first one that asks for JSON names the lines ({@code service}, {@code node_id}); in k8s each pod runs one.
 */
public final class Logging {
    private Logging() {
    }

    public static void configure(Config config, Instance instance) {
        String format = config.get("log.format").asString().orElse("text").strip().toLowerCase(Locale.ROOT);
        switch (format) {
            case "text" -> {
                // logging.properties' SimpleFormatter stays
            }
            case "json" -> json(instance);
            default -> throw new IllegalArgumentException("log.format must be text or json, not '" + format + "'");
        }
    }

    private static synchronized void json(Instance instance) {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            if (!(handler.getFormatter() instanceof JsonLogFormatter)) {
                handler.setFormatter(new JsonLogFormatter(instance.kind(), instance.id()));
            }
        }
    }
}
