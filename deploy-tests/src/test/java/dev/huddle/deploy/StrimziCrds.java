package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The CustomResourceDefinitions of the Strimzi release that docs/deploy.md installs (the {@code strimzi.version}
 * of deploy-tests' pom), made the way Strimzi's release makes them: its own {@code crd-generator} run on its own
 * {@code api} model with the arguments of its build ({@code --crd-api-version v1 --api-versions v1}). The Strimzi
 * kinds that Huddle uses are checked against their served versions' {@code openAPIV3Schema}.
 */
final class StrimziCrds {
    static final String VERSION = "1.2.0";
    private static final Map<String, String> MODELS = Map.of(
            "Kafka", "io.strimzi.api.kafka.model.kafka.Kafka",
            "KafkaNodePool", "io.strimzi.api.kafka.model.nodepool.KafkaNodePool",
            "KafkaTopic", "io.strimzi.api.kafka.model.topic.KafkaTopic",
            "KafkaUser", "io.strimzi.api.kafka.model.user.KafkaUser");
    private static Map<String, JsonNode> crds;

    private StrimziCrds() {
    }

    static boolean isStrimzi(JsonNode resource) {
        return resource.path("apiVersion").asText().startsWith("kafka.strimzi.io/");
    }

    /** Problems of {@code resource} (a Strimzi custom resource) against its CRD; empty when valid. */
    static List<String> validate(JsonNode resource) {
        String kind = resource.path("kind").asText();
        String name = kind + " " + resource.at("/metadata/name").asText();
        JsonNode crd = crds().get(kind);
        if (crd == null) {
            return List.of(name + ": kind " + kind + " is none of the Strimzi kinds checked here " + MODELS.keySet());
        }
        String[] apiVersion = resource.path("apiVersion").asText().split("/");
        JsonNode version = null;
        for (JsonNode v : crd.at("/spec/versions")) {
            if (v.path("name").asText().equals(apiVersion[1]) && v.path("served").asBoolean()) {
                version = v;
            }
        }
        if (version == null) {
            return List.of(name + ": " + resource.path("apiVersion").asText() + " is not served by Strimzi " + VERSION);
        }
        // metadata is the API server's own (ObjectMeta), checked with the Kubernetes model instead
        ObjectNode body = resource.deepCopy();
        body.remove("metadata");
        List<String> errors = new ArrayList<>();
        OpenApiSchema.validate(body, version.at("/schema/openAPIV3Schema")).forEach(e -> errors.add(name + e));
        KubernetesModel.validateMetadata(resource).forEach(e -> errors.add(name + e));
        return errors;
    }

    private static synchronized Map<String, JsonNode> crds() {
        if (crds == null) {
            crds = generate();
        }
        return crds;
    }

    private static Map<String, JsonNode> generate() {
        try {
            Path dir = Files.createTempDirectory("strimzi-crds");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "io.strimzi.crdgenerator.CrdGenerator",
                    "--target-kube", "1.16+", "--crd-api-version", "v1", "--api-versions", "v1",
                    "--storage-version", "v1", "--yaml"));
            MODELS.forEach((kind, model) -> command.add(model + "=" + dir.resolve(kind + ".yaml")));
            File log = dir.resolve("generator.log").toFile();
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError("Strimzi's crd-generator failed: " + Files.readString(log.toPath()));
            }
            Map<String, JsonNode> byKind = new TreeMap<>();
            for (String kind : MODELS.keySet()) {
                JsonNode crd = new YAMLMapper().readTree(dir.resolve(kind + ".yaml").toFile());
                byKind.put(crd.at("/spec/names/kind").asText(), crd);
            }
            return byKind;
        } catch (IOException e) {
            throw new AssertionError("Cannot generate Strimzi's CRDs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
