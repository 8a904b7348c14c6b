package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An overlay of k8s/overlays as Kubernetes would receive it: rendered by {@code kubectl kustomize} (the
 * same code as {@code kubectl apply -k}), then parsed.
 */
final class Manifests {
    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();

    final String overlay;
    private final List<JsonNode> resources;

    private Manifests(String overlay, List<JsonNode> resources) {
        this.overlay = overlay;
        this.resources = resources;
    }

    static Manifests of(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Manifests::render);
    }

    /** Every object of the overlay. */
    List<JsonNode> all() {
        return resources;
    }

    List<JsonNode> all(String kind) {
        return resources.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
        return all(kind).stream().filter(r -> name.equals(r.at("/metadata/name").asText())).findFirst();
    }

    JsonNode one(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(overlay + ": no " + kind + " " + name));
    }

    /** The data of a ConfigMap or Secret as plain strings (a Secret's {@code data} is base64). */
    Map<String, String> data(String kind, String name) {
        JsonNode r = one(kind, name);
        Map<String, String> values = new TreeMap<>();
        r.path("data").properties().forEach(e -> values.put(e.getKey(), "Secret".equals(kind)
                ? new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)
                : e.getValue().asText()));
        r.path("stringData").properties().forEach(e -> values.put(e.getKey(), e.getValue().asText()));
        return values;
    }

    /** The one container of a Deployment. */
    JsonNode container(String deployment) {
        JsonNode containers = one("Deployment", deployment).at("/spec/template/spec/containers");
        if (containers.size() != 1) {
            throw new AssertionError(overlay + ": Deployment " + deployment + " should have one container, has "
                    + containers.size());
        }
        return containers.get(0);
    }

    private static Manifests render(String overlay) {
        Path dir = Repo.path("k8s", "overlays", overlay);
        String kubectl = kubectl();
        try {
            File err = File.createTempFile("kustomize", ".err");
            err.deleteOnExit();
            Process p = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                    .redirectError(err)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(kubectl + " kustomize " + dir + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(kubectl + " kustomize " + dir + " failed (" + p.exitValue() + "): "
                        + Files.readString(err.toPath()));
            }
            List<JsonNode> docs = new ArrayList<>();
            try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class)
                    .readValues(new String(out, StandardCharsets.UTF_8))) {
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                        docs.add(doc);
                    }
                }
            }
            return new Manifests(overlay, List.copyOf(docs));
        } catch (IOException e) {
            throw new AssertionError("Cannot run " + kubectl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code KUBECTL} if set, else kubectl on the PATH; its own kustomize renders the overlays. */
    private static String kubectl() {
        String explicit = System.getenv("KUBECTL");
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError("kubectl is not on the PATH (nor KUBECTL set): these tests render k8s/overlays "
                + "with `kubectl kustomize`. Install it, e.g. `apt-get install kubernetes-client` on Debian.");
    }
}
