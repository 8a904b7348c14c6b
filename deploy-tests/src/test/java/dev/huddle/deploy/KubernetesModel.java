package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Checks Kubernetes objects against the Kubernetes API's types, as generated from its OpenAPI schema into
 * fabric8's model: an unknown kind or apiVersion, a value of the wrong type, or a field the API does not have (in
 * fabric8 such fields land in {@code additionalProperties}, which strict validation refuses here) is an error.
 */
final class KubernetesModel {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private KubernetesModel() {
    }

    /** Problems of a built-in Kubernetes object; empty when valid. */
    static List<String> validate(JsonNode resource) {
        String name = resource.path("kind").asText() + " " + resource.at("/metadata/name").asText();
        Object parsed;
        try {
            parsed = SERIALIZATION.unmarshal(resource.toString(), KubernetesResource.class);
        } catch (RuntimeException e) {
            return List.of(name + ": " + e.getMessage());
        }
        if (parsed instanceof GenericKubernetesResource) {
            return List.of(name + ": " + resource.path("apiVersion").asText() + " " + resource.path("kind").asText()
                    + " is not a Kubernetes API type");
        }
        List<String> errors = new ArrayList<>();
        walk(parsed, "", errors);
        errors.replaceAll(e -> name + e);
        return errors;
    }

    /** Problems of a resource's metadata (ObjectMeta), for custom resources. */
    static List<String> validateMetadata(JsonNode resource) {
        List<String> errors = new ArrayList<>();
        try {
            walk(SERIALIZATION.unmarshal(resource.path("metadata").toString(), ObjectMeta.class), ".metadata", errors);
        } catch (RuntimeException e) {
            errors.add(".metadata: " + e.getMessage());
        }
        return errors;
    }

    private static void walk(Object o, String path, List<String> errors) {
        if (o == null) {
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, errors));
            return;
        }
        if (o instanceof Collection<?> list) {
            int i = 0;
            for (Object e : list) {
                walk(e, path + "[" + i++ + "]", errors);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())
                    || !m.getDeclaringClass().getName().startsWith("io.fabric8.")) {
                continue;
            }
            String n = m.getName();
            try {
                if (n.equals("getAdditionalProperties")) {
                    Map<?, ?> extra = (Map<?, ?>) m.invoke(o);
                    if (extra != null) {
                        extra.keySet().forEach(k -> errors.add(path + "." + k + ": unknown field \"" + k + "\""));
                    }
                } else if (n.startsWith("get") && !n.equals("getClass") && !n.equals("getPlural")
                        && !n.equals("getSingular") && !n.equals("getApiVersion") && !n.equals("getKind")) {
                    String field = Character.toLowerCase(n.charAt(3)) + n.substring(4);
                    walk(m.invoke(o), path + "." + field, errors);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a derived getter (e.g. IntOrString's value) that is not a field: nothing to walk
            }
        }
    }
}
