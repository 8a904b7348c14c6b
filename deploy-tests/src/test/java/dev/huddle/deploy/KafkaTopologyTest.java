package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Production Kafka survives the loss of a node or a zone: rack-aware replicas, at most one broker per node. */
class KafkaTopologyTest {
    @Test
    void prodBrokersAreRackAwareAndOnePerNode() {
        Manifests prod = Manifests.of("prod");
        assertThat("broker.rack from the node's zone",
                prod.one("Kafka", "huddle-kafka").at("/spec/kafka/rack/topologyKey").asText(),
                is("topology.kubernetes.io/zone"));
        JsonNode pod = prod.one("KafkaNodePool", "dual-role").at("/spec/template/pod");
        JsonNode anti = pod.at("/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0");
        assertThat("never two brokers on one node", anti.path("topologyKey").asText(), is("kubernetes.io/hostname"));
        assertThat(anti.at("/labelSelector/matchLabels/strimzi.io~1pool-name").asText(), is("dual-role"));
        assertThat("spread over zones", pod.at("/topologySpreadConstraints/0/topologyKey").asText(),
                is("topology.kubernetes.io/zone"));
    }
}
