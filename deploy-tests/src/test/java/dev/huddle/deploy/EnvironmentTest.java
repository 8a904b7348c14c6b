package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * Every environment variable a pod gets is a setting its service really reads (a misspelt or removed key would
 * otherwise be ignored without a word), and a setting read by several services reaches all of them alike.
 */
class EnvironmentTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyVariableIsReadByTheServiceItReaches(String overlay) {
        Manifests m = Manifests.of(overlay);
        List<String> unread = new ArrayList<>();
        for (ServiceModule service : ServiceModule.values()) {
            for (String name : environment(m, service).keySet()) {
                String key = ConfigReads.key(name);
                if (!ConfigReads.reads(service, key)) {
                    unread.add(name + " (" + key + ") reaches " + service.module + ", but neither "
                            + service.module + "/src/main/java nor shared/src/main/java reads it");
                }
            }
        }
        assertThat(overlay, unread, is(empty()));
    }

    /** Shared code reads them, but each service has its own: its Kafka user; the gateway's separate observe port. */
    private static final java.util.Set<String> PER_SERVICE = java.util.Set.of("KAFKA_SECURITY_SASL_USERNAME",
            "OBSERVE_PORT");

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void aSettingReadBySeveralServicesReachesAllOfThemAlike(String overlay) {
        Manifests m = Manifests.of(overlay);
        Map<ServiceModule, Map<String, String>> environments = new LinkedHashMap<>();
        for (ServiceModule service : ServiceModule.values()) {
            environments.put(service, environment(m, service));
        }
        List<String> problems = new ArrayList<>();
        environments.forEach((giver, env) -> env.forEach((name, value) -> {
            if (PER_SERVICE.contains(name)) {
                return;
            }
            for (ServiceModule other : ServiceModule.values()) {
                if (ConfigReads.reads(other, ConfigReads.key(name))) {
                    String theirs = environments.get(other).get(name);
                    if (theirs == null) {
                        problems.add(name + " is set for " + giver.module + " but not for " + other.module
                                + ", which reads it too");
                    } else if (!theirs.equals(value) && !value.startsWith("fieldRef:")) {
                        problems.add(name + " differs between " + giver.module + " and " + other.module);
                    }
                }
            }
        }));
        assertThat(overlay, problems.stream().distinct().toList(), is(empty()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void instanceIdIsThePodName(String overlay) {
        Manifests m = Manifests.of(overlay);
        for (ServiceModule service : ServiceModule.values()) {
            assertThat(overlay + ": " + service.module + " INSTANCE_ID",
                    environment(m, service).get("INSTANCE_ID"), is("fieldRef:metadata.name"));
            // Kubernetes would add <SERVICE>_PORT and friends for every Service, which Helidon reads as keys.
            assertThat(overlay + ": " + service.module + " enableServiceLinks false",
                    m.one("Deployment", service.deployment()).at("/spec/template/spec/enableServiceLinks").asBoolean(true),
                    is(false));
        }
    }

    /**
     * A Deployment's environment by name: explicit values, downward-API fields as {@code fieldRef:<path>},
     * and every key of its ConfigMaps and Secrets (which must exist).
     */
    static Map<String, String> environment(Manifests m, ServiceModule service) {
        JsonNode container = m.container(service.deployment());
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("configMapRef")) {
                env.putAll(m.data("ConfigMap", from.at("/configMapRef/name").asText()));
            } else if (from.has("secretRef")) {
                env.putAll(m.data("Secret", from.at("/secretRef/name").asText()));
            }
            if (from.has("prefix")) {
                throw new AssertionError("envFrom prefix is not expected in " + service.module);
            }
        }
        for (JsonNode e : container.path("env")) {
            String name = e.path("name").asText();
            if (e.has("value")) {
                env.put(name, e.path("value").asText());
            } else if (e.at("/valueFrom/fieldRef").isObject()) {
                env.put(name, "fieldRef:" + e.at("/valueFrom/fieldRef/fieldPath").asText());
            } else if (e.at("/valueFrom/configMapKeyRef").isObject()) {
                JsonNode ref = e.at("/valueFrom/configMapKeyRef");
                env.put(name, m.data("ConfigMap", ref.path("name").asText()).get(ref.path("key").asText()));
            } else if (e.at("/valueFrom/secretKeyRef").isObject()) {
                JsonNode ref = e.at("/valueFrom/secretKeyRef");
                env.put(name, m.data("Secret", ref.path("name").asText()).get(ref.path("key").asText()));
            } else {
                env.put(name, e.path("valueFrom").toString());
            }
        }
        return env;
    }
}
