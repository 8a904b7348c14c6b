package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A service as the code defines it: its Maven module (which is also its Deployment's, Service's and image's
 * name), its YAML settings, its sources and its packaged jar.
 */
enum ServiceModule {
    GATEWAY("gateway"),
    ROOMS("rooms-service"),
    SIGNALING("signaling-service"),
    PRESENCE("presence-service");

    final String module;

    ServiceModule(String module) {
        this.module = module;
    }

    /** The Deployment, Service and PodDisruptionBudget of this service are named after the module. */
    String deployment() {
        return module;
    }

    Path yaml() {
        return Repo.path(module, "src", "main", "resources", module + ".yaml");
    }

    /** The YAML's settings with dotted keys ({@code server.port}), however the file nests them. */
    Map<String, String> settings() {
        if (!Files.isRegularFile(yaml())) {
            throw new AssertionError(Repo.ROOT.relativize(yaml()) + " does not exist");
        }
        try {
            Map<String, String> flat = new TreeMap<>();
            JsonNode root = new YAMLMapper().readTree(yaml().toFile());
            if (root != null) {
                flatten("", root, flat);
            }
            return flat;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        String port = settings().get("server.port");
        if (port == null) {
            throw new AssertionError(Repo.ROOT.relativize(yaml()) + " sets no server.port");
        }
        return Integer.parseInt(port);
    }

    /** What the service runs: its own code and the shared library (test-support is not in the image). */
    List<Path> sources() {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(Repo.path(module, "src", "main", "java"), Repo.path("shared", "src", "main", "java"))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return files;
    }

    /** The packaged form (Helidon SE convention): the jar, with its dependencies in libs/ beside it. */
    Path jar() {
        return Repo.path(module, "target", "huddle-" + module + ".jar");
    }

    static ServiceModule of(String module) {
        for (ServiceModule m : values()) {
            if (m.module.equals(module)) {
                return m;
            }
        }
        throw new IllegalArgumentException(module);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), into));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "." + i, node.get(i), into);
            }
        } else if (!node.isNull()) {
            into.put(prefix, node.asText());
        }
    }
}
