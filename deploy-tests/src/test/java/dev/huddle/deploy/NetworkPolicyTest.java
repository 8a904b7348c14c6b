package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The namespace is closed by default: nothing reaches a pod unless a policy allows it, the gateway's HTTP port is the
 * only way in from the ingress controller, Prometheus reaches only the metrics ports, the services reach only Kafka's
 * TLS listener (and DNS); the namespace enforces the restricted Pod Security Standard.
 */
class NetworkPolicyTest {
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void defaultDenyThenOnlyWhatIsNeeded(String overlay) {
        Manifests m = Manifests.of(overlay);
        JsonNode deny = m.one("NetworkPolicy", "default-deny").at("/spec");
        assertThat("default-deny selects every pod", deny.path("podSelector").isEmpty(), is(true));
        assertThat("default-deny has no ingress rule", deny.path("ingress").isMissingNode(), is(true));
        assertThat(deny.path("policyTypes").toString(), is("[\"Ingress\"]"));

        // ingress: which ports are open to whom
        Set<String> open = new TreeSet<>();
        for (JsonNode policy : m.all("NetworkPolicy")) {
            for (JsonNode rule : policy.at("/spec/ingress")) {
                List<String> from = new ArrayList<>();
                rule.path("from").forEach(f -> from.add(f.at("/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText("?")));
                for (JsonNode port : rule.path("ports")) {
                    open.add(String.join(",", from) + "->" + selected(policy) + ":" + port.path("port").asText());
                }
            }
        }
        int http = m.container("gateway").at("/ports/0/containerPort").asInt();
        String services = "[gateway, rooms-service, signaling-service, presence-service]";
        assertThat(overlay + ": ingress allowed", open, is(new TreeSet<>(List.of(
                "ingress-nginx->[gateway]:" + http,
                "monitoring->" + services + ":9090", "monitoring->" + services + ":8081",
                "monitoring->" + services + ":8082", "monitoring->" + services + ":8083"))));

        JsonNode egress = m.one("NetworkPolicy", "services-egress").at("/spec");
        assertThat(selected(m.one("NetworkPolicy", "services-egress")), is(services));
        Set<String> out = new TreeSet<>();
        for (JsonNode rule : egress.path("egress")) {
            for (JsonNode port : rule.path("ports")) {
                out.add(port.path("protocol").asText() + "/" + port.path("port").asText());
            }
        }
        assertThat(overlay + ": services reach only Kafka's TLS port and DNS", out,
                is(new TreeSet<>(List.of("TCP/9093", "TCP/53", "UDP/53"))));
        JsonNode listener = m.one("Kafka", "huddle-kafka").at("/spec/kafka/listeners/0");
        assertThat("Kafka's listener port", listener.path("port").asInt(), is(9093));
        assertThat("Kafka's listener admits Huddle's services only",
                listener.at("/networkPolicyPeers/0/podSelector/matchExpressions/0/values").toString(),
                is("[\"gateway\",\"rooms-service\",\"signaling-service\",\"presence-service\"]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theNamespaceEnforcesRestricted(String overlay) {
        JsonNode labels = Manifests.of(overlay).one("Namespace", "huddle").at("/metadata/labels");
        assertThat(labels.path("pod-security.kubernetes.io/enforce").asText(), is("restricted"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void observeIsNotRoutedByAnyIngressAndAdminIsAllowListed(String overlay) {
        Manifests m = Manifests.of(overlay);
        for (JsonNode ingress : m.all("Ingress")) {
            for (JsonNode rule : ingress.at("/spec/rules")) {
                for (JsonNode path : rule.at("/http/paths")) {
                    assertThat("Ingresses route to the http port only",
                            path.at("/backend/service/port/name").asText(), is("http"));
                }
            }
        }
        JsonNode admin = m.one("Ingress", "gateway-admin");
        assertThat(admin.at("/spec/rules/0/http/paths/0/path").asText(), is("/admin"));
        assertThat("allow-list set", admin.at("/metadata/annotations")
                .path("nginx.ingress.kubernetes.io/whitelist-source-range").asText().isBlank(), is(false));
        assertThat("the observe port is not the http port", m.container("gateway").at("/ports/1/name").asText(),
                is("observe"));
    }

    private static String selected(JsonNode policy) {
        JsonNode selector = policy.at("/spec/podSelector");
        if (selector.has("matchLabels")) {
            return "[" + selector.at("/matchLabels/app.kubernetes.io~1name").asText() + "]";
        }
        List<String> names = new ArrayList<>();
        selector.at("/matchExpressions/0/values").forEach(v -> names.add(v.asText()));
        return names.toString();
    }
}
