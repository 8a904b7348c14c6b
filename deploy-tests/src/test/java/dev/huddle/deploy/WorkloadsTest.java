package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * Each service's Deployment, Service and disruption budget agree with the code (port, health paths) and with
 * each other (selectors, named ports), and run locked down.
 */
class WorkloadsTest {
    static final String LIVE = "/observe/health/live";
    static final String READY = "/observe/health/ready";

    static Stream<Arguments> workloads() {
        return Stream.of("dev", "prod").flatMap(o -> Stream.of(ServiceModule.values()).map(s -> Arguments.of(o, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("workloads")
    void portsAndProbesMatchTheService(String overlay, ServiceModule service) {
        Manifests m = Manifests.of(overlay);
        JsonNode container = m.container(service.deployment());
        int port = port(m, service);
        String what = overlay + ": " + service.module;
        assertThat(what + " containerPort = server.port of " + service.module + ".yaml (or SERVER_PORT)",
                port(container, container.at("/ports/0/name").asText()), is(port));
        // /observe is on OBSERVE_PORT when the service has one (the gateway: no Ingress routes to it), else on its port
        String observeSetting = EnvironmentTest.environment(m, service).get("OBSERVE_PORT");
        int observe = observeSetting == null ? port : Integer.parseInt(observeSetting);
        JsonNode scrapePort = m.one("Deployment", service.deployment())
                .at("/spec/template/metadata/annotations/prometheus.io~1port");
        if (!scrapePort.isMissingNode()) {
            assertThat(what + " prometheus.io/port", scrapePort.asInt(), is(observe));
        }
        assertThat(what + " container ports", container.path("ports").size(), is(observe == port ? 1 : 2));
        if (observe != port) {
            assertThat(what + " observe containerPort", port(container, "observe"), is(observe));
        }
        assertProbe(what + " liveness", container.path("livenessProbe"), container, LIVE, observe);
        assertProbe(what + " readiness", container.path("readinessProbe"), container, READY, observe);
        if (container.has("startupProbe")) {
            assertProbe(what + " startup", container.path("startupProbe"), container, LIVE, observe);
        }
        String image = container.path("image").asText().replaceFirst("[:@].*$", "");
        assertThat(what + " image", image, endsWith("huddle-" + service.module));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("workloads")
    void serviceAndDisruptionBudgetSelectTheDeploymentsPods(String overlay, ServiceModule service) {
        Manifests m = Manifests.of(overlay);
        JsonNode deployment = m.one("Deployment", service.deployment());
        Map<String, String> podLabels = strings(deployment.at("/spec/template/metadata/labels"));
        String what = overlay + ": " + service.module;
        assertThat(what + " Deployment selector matches its pods",
                podLabels.entrySet().containsAll(strings(deployment.at("/spec/selector/matchLabels")).entrySet()),
                is(true));
        JsonNode svc = m.one("Service", service.deployment());
        Map<String, String> selector = strings(svc.at("/spec/selector"));
        assertThat(what + " Service selects", !selector.isEmpty() && podLabels.entrySet().containsAll(selector.entrySet()),
                is(true));
        JsonNode container = m.container(service.deployment());
        for (JsonNode p : svc.at("/spec/ports")) {
            assertThat(what + " Service targetPort", port(container, p.path("targetPort").asText()), is(port(m, service)));
        }
        Map<String, String> budget = strings(m.one("PodDisruptionBudget", service.deployment())
                .at("/spec/selector/matchLabels"));
        assertThat(what + " PodDisruptionBudget selects",
                !budget.isEmpty() && podLabels.entrySet().containsAll(budget.entrySet()), is(true));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("workloads")
    void runsLockedDown(String overlay, ServiceModule service) {
        Manifests m = Manifests.of(overlay);
        JsonNode pod = m.one("Deployment", service.deployment()).at("/spec/template/spec");
        JsonNode container = m.container(service.deployment());
        String what = overlay + ": " + service.module + " ";
        assertThat(what + "runAsNonRoot", pod.at("/securityContext/runAsNonRoot").asBoolean(), is(true));
        assertThat(what + "runAsUser = the Dockerfile's USER", pod.at("/securityContext/runAsUser").asText(),
                is(DockerfileTest.uid()));
        assertThat(what + "seccomp", pod.at("/securityContext/seccompProfile/type").asText(), is("RuntimeDefault"));
        assertThat(what + "allowPrivilegeEscalation false",
                container.at("/securityContext/allowPrivilegeEscalation").isBoolean()
                        && !container.at("/securityContext/allowPrivilegeEscalation").asBoolean(), is(true));
        assertThat(what + "readOnlyRootFilesystem", container.at("/securityContext/readOnlyRootFilesystem").asBoolean(),
                is(true));
        List<String> dropped = new ArrayList<>();
        container.at("/securityContext/capabilities/drop").forEach(c -> dropped.add(c.asText()));
        assertThat(what + "drops capabilities", dropped, hasItem("ALL"));
        assertThat(what + "adds no capabilities", container.at("/securityContext/capabilities/add").size(), is(0));
        // The root filesystem is read-only: /tmp must be a volume of its own.
        String tmpVolume = null;
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals("/tmp")) {
                tmpVolume = mount.path("name").asText();
            }
        }
        assertThat(what + "mounts a volume at /tmp", tmpVolume != null, is(true));
        boolean emptyDir = false;
        for (JsonNode v : pod.path("volumes")) {
            emptyDir |= v.path("name").asText().equals(tmpVolume) && v.has("emptyDir");
        }
        assertThat(what + "/tmp is an emptyDir", emptyDir, is(true));
        assertThat(what + "no service account token", pod.path("automountServiceAccountToken").asBoolean(true),
                is(false));
        for (String resource : List.of("requests/cpu", "requests/memory", "limits/cpu", "limits/memory")) {
            assertThat(what + "resources " + resource, container.at("/resources/" + resource).isMissingNode(), is(false));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void gatewayDrainsBeforeItIsKilledAndTheIngressKeepsWebSocketsOpen(String overlay) {
        Manifests m = Manifests.of(overlay);
        JsonNode pod = m.one("Deployment", "gateway").at("/spec/template/spec");
        JsonNode container = m.container("gateway");
        JsonNode preStop = container.at("/lifecycle/preStop");
        int sleep;
        if (preStop.has("sleep")) {
            sleep = preStop.at("/sleep/seconds").asInt();
        } else {
            JsonNode command = preStop.at("/exec/command");
            assertThat(overlay + ": gateway preStop sleeps", command.path(0).asText(), is("sleep"));
            sleep = command.path(1).asInt();
        }
        assertThat(overlay + ": preStop sleep of a few seconds", sleep >= 2 && sleep <= 15, is(true));
        // SIGTERM comes after the preStop sleep; then the gateway drains (gateway.drain.ms) and stops.
        String drainMs = EnvironmentTest.environment(m, ServiceModule.GATEWAY).getOrDefault("GATEWAY_DRAIN_MS",
                ServiceModule.GATEWAY.settings().get("gateway.drain.ms"));
        assertThat(overlay + ": gateway.drain.ms is a setting of the gateway", drainMs != null, is(true));
        int grace = pod.path("terminationGracePeriodSeconds").asInt(30);
        int needed = sleep + (int) Math.ceil(Long.parseLong(drainMs) / 1000.0) + 10;
        assertThat(overlay + ": grace period " + grace + " s covers preStop " + sleep + " s, drain " + drainMs
                + " ms and 10 s to stop", grace >= needed, is(true));

        JsonNode ingress = m.one("Ingress", "gateway");
        JsonNode annotations = ingress.at("/metadata/annotations");
        for (String timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
            assertThat(overlay + ": " + timeout,
                    annotations.path("nginx.ingress.kubernetes.io/" + timeout).asInt() >= 3600, is(true));
        }
        JsonNode gatewayService = m.one("Service", "gateway");
        for (JsonNode rule : ingress.at("/spec/rules")) {
            for (JsonNode path : rule.at("/http/paths")) {
                JsonNode backend = path.at("/backend/service");
                assertThat(overlay + ": Ingress backend", backend.path("name").asText(), is("gateway"));
                boolean portExists = false;
                for (JsonNode p : gatewayService.at("/spec/ports")) {
                    portExists |= p.path("name").asText().equals(backend.at("/port/name").asText())
                            || p.path("port").asInt() == backend.at("/port/number").asInt(-1);
                }
                assertThat(overlay + ": Ingress backend port is a port of Service gateway", portExists, is(true));
                assertThat(overlay + ": Ingress path / covers /, /ws and /admin", path.path("path").asText(), is("/"));
            }
            // Browsers send the page's origin with the WebSocket upgrade; the gateway must accept the public one.
            List<String> origins = List.of(EnvironmentTest.environment(m, ServiceModule.GATEWAY)
                    .getOrDefault("GATEWAY_ALLOWED_ORIGINS", ServiceModule.GATEWAY.settings()
                            .getOrDefault("gateway.allowed.origins", "")).split("\\s*,\\s*"));
            String host = rule.path("host").asText();
            // "self" compares the Origin with the Host header, which the Ingress passes on unchanged.
            assertThat(overlay + ": GATEWAY_ALLOWED_ORIGINS " + origins + " admits https://" + host,
                    origins.contains("self") || origins.contains("https://" + host) || origins.contains("*"), is(true));
        }
    }

    /** The port the service listens on in its pod: server.port of its YAML, unless SERVER_PORT overrides it. */
    static int port(Manifests m, ServiceModule service) {
        String env = EnvironmentTest.environment(m, service).get("SERVER_PORT");
        return env == null ? service.port() : Integer.parseInt(env);
    }

    /** A port given by name or number, as its number in the container. */
    static int port(JsonNode container, String nameOrNumber) {
        if (nameOrNumber.matches("\\d+")) {
            return Integer.parseInt(nameOrNumber);
        }
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(nameOrNumber)) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("No container port named '" + nameOrNumber + "' in " + container.path("name"));
    }

    private static void assertProbe(String what, JsonNode probe, JsonNode container, String path, int port) {
        assertThat(what + " probe path", probe.at("/httpGet/path").asText(), is(path));
        assertThat(what + " probe port", port(container, probe.at("/httpGet/port").asText()), is(port));
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new TreeMap<>();
        object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}
