package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Every rendered object is one the cluster accepts: Strimzi's resources against the CRDs of the Strimzi release
 * docs/deploy.md installs, the Prometheus Operator's against {@link MonitoringCrds}, everything else against the
 * Kubernetes API's types; both strict, so a misspelled field
 * fails here rather than being dropped (or refused) by {@code kubectl apply}.
 */
class SchemaTest {
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyObjectMatchesItsSchema(String overlay) {
        List<String> errors = new ArrayList<>();
        for (JsonNode r : Manifests.of(overlay).all()) {
            errors.addAll(StrimziCrds.isStrimzi(r) ? StrimziCrds.validate(r)
                    : MonitoringCrds.isMonitoring(r) ? MonitoringCrds.validate(r) : KubernetesModel.validate(r));
        }
        assertThat(overlay + ": schema errors", errors, is(empty()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void strimziResourcesAreV1(String overlay) {
        List<JsonNode> strimzi = Manifests.of(overlay).all().stream().filter(StrimziCrds::isStrimzi).toList();
        assertThat(strimzi.isEmpty(), is(false));
        for (JsonNode r : strimzi) {
            assertThat(r.path("kind").asText() + " " + r.at("/metadata/name").asText(),
                    r.path("apiVersion").asText(), is("kafka.strimzi.io/v1"));
        }
    }

    @Test
    void theDocsInstallTheStrimziReleaseValidatedAgainst() {
        String docs = Repo.read(Repo.path("docs", "deploy.md"));
        assertThat(docs, containsString("strimzi-kafka-operator/releases/download/" + StrimziCrds.VERSION
                + "/strimzi-cluster-operator-" + StrimziCrds.VERSION + ".yaml"));
        assertThat("the CRDs come from Strimzi's api " + StrimziCrds.VERSION,
                System.getProperty("java.class.path"),
                containsString(File.separator + "io" + File.separator + "strimzi" + File.separator + "api"
                        + File.separator + StrimziCrds.VERSION + File.separator));
    }

    @Test
    void aMisspelledStrimziFieldIsRefused() {
        ObjectNode kafka = Manifests.of("prod").one("Kafka", "huddle-kafka").deepCopy();
        ObjectNode spec = (ObjectNode) kafka.path("spec").path("kafka");
        spec.set("listner", spec.get("listeners"));
        assertThat(StrimziCrds.validate(kafka), hasItem(containsString(".spec.kafka.listner: unknown field")));

        ObjectNode user = Manifests.of("prod").all("KafkaUser").getFirst().deepCopy();
        ObjectNode acl = (ObjectNode) user.at("/spec/authorization/acls/0");
        acl.set("operation", acl.get("operations"));
        acl.remove("operations");
        assertThat(StrimziCrds.validate(user), hasItem(containsString("operation: unknown field")));

        ObjectNode topic = Manifests.of("prod").one("KafkaTopic", "huddle.room-commands").deepCopy();
        ((ObjectNode) topic.path("spec")).put("partitions", "twelve");
        assertThat(StrimziCrds.validate(topic), hasItem(containsString(".spec.partitions: must be an integer")));

        ObjectNode old = topic.deepCopy();
        old.put("apiVersion", "kafka.strimzi.io/v1beta2");
        assertThat(StrimziCrds.validate(old), hasItem(containsString("not served by Strimzi")));
        assertThat(StrimziCrds.validate(Manifests.of("prod").one("KafkaTopic", "huddle.room-commands")), is(empty()));
    }

    @Test
    void aMisspelledKubernetesFieldIsRefused() {
        ObjectNode deployment = Manifests.of("prod").one("Deployment", "gateway").deepCopy();
        ObjectNode container = (ObjectNode) deployment.at("/spec/template/spec/containers/0");
        container.put("imagePulPolicy", "Always");
        assertThat(KubernetesModel.validate(deployment), hasItem(containsString("imagePulPolicy: unknown field")));

        ObjectNode policy = Manifests.of("prod").all("NetworkPolicy").getFirst().deepCopy();
        ((ObjectNode) policy.path("spec")).set("podSelecter", policy.at("/spec/podSelector"));
        assertThat(KubernetesModel.validate(policy), hasItem(containsString("podSelecter: unknown field")));

        ObjectNode unknownKind = deployment.deepCopy();
        unknownKind.put("apiVersion", "apps/v1beta9");
        assertThat(KubernetesModel.validate(unknownKind), not(empty()));
        assertThat(KubernetesModel.validate(Manifests.of("prod").one("Deployment", "gateway")), is(empty()));
    }

    @Test
    void monitoringResourcesAreCheckedStrictlyAndScrapeThePortsThatServeMetrics() {
        Manifests prod = Manifests.of("prod");
        ObjectNode monitor = prod.one("PodMonitor", "huddle-gateway").deepCopy();
        ((ObjectNode) monitor.at("/spec/podMetricsEndpoints/0")).put("intervall", "15s");
        assertThat(MonitoringCrds.validate(monitor), hasItem(containsString("intervall")));
        ObjectNode rule = prod.one("PrometheusRule", "huddle").deepCopy();
        ((ObjectNode) rule.at("/spec/groups/0/rules/0")).put("for", "one minute");
        assertThat(MonitoringCrds.validate(rule), hasItem(containsString("is not a duration")));
        // each monitor's port is a named container port of every Deployment it selects, one that serves /observe
        for (String name : List.of("huddle-gateway", "huddle-services")) {
            JsonNode m = prod.one("PodMonitor", name);
            String port = m.at("/spec/podMetricsEndpoints/0/port").asText();
            int selected = 0;
            for (JsonNode d : prod.all()) {
                if (!d.path("kind").asText().equals("Deployment") || !selects(m.at("/spec/selector"),
                        d.at("/spec/template/metadata/labels"))) {
                    continue;
                }
                selected++;
                boolean named = false;
                for (JsonNode c : d.at("/spec/template/spec/containers")) {
                    for (JsonNode p : c.path("ports")) {
                        named |= p.path("name").asText().equals(port);
                    }
                    // the readiness probe is an /observe path on the port the metrics are served from
                    named &= c.at("/readinessProbe/httpGet/port").asText().equals(port);
                }
                assertThat(name + " scrapes port '" + port + "' of " + d.at("/metadata/name").asText(), named,
                        is(true));
            }
            assertThat(name + " selects some Deployment", selected > 0, is(true));
        }
    }

    private static boolean selects(JsonNode selector, JsonNode labels) {
        var it = selector.path("matchLabels").fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText())) {
                return false;
            }
        }
        for (JsonNode x : selector.path("matchExpressions")) {
            boolean in = false;
            for (JsonNode v : x.path("values")) {
                in |= v.asText().equals(labels.path(x.path("key").asText()).asText());
            }
            if (in != x.path("operator").asText().equals("In")) {
                return false;
            }
        }
        return true;
    }
}
