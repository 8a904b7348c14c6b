package dev.huddle.service;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.util.Map;

/**
 * Loads a service's configuration: explicit overrides, then environment variables (e.g.
 * {@code KAFKA_BOOTSTRAP_SERVERS} for {@code kafka.bootstrap.servers}), then system properties, then the
 * service's own YAML file. Each service names its file after itself ({@code rooms-service.yaml}, ...) so that the
 * launcher can run them all on one class path.
 */
public final class ServiceConfig {
    private ServiceConfig() {
    }

    public static Config load(String resource) {
        return load(resource, Map.of());
    }

    /** {@code overrides} (from the launcher or a test) win over the environment. */
    public static Config load(String resource, Map<String, String> overrides) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(overrides))
                .addSource(ConfigSources.environmentVariables())
                .addSource(ConfigSources.systemProperties())
                .addSource(ConfigSources.classpath(resource))
                .build();
    }
}
