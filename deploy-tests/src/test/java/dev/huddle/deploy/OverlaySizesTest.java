package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** What each overlay promises: dev is one of everything, prod survives the loss of any one pod or broker. */
class OverlaySizesTest {
    private static final List<ServiceModule> BACKENDS = List.of(ServiceModule.ROOMS, ServiceModule.SIGNALING,
            ServiceModule.PRESENCE);

    @Test
    void devRunsOneOfEach() {
        Manifests dev = Manifests.of("dev");
        for (ServiceModule s : BACKENDS) {
            assertThat("dev " + s.module + " replicas", replicas(dev, s), is(1));
        }
        JsonNode hpa = dev.one("HorizontalPodAutoscaler", "gateway");
        assertThat("dev gateway minReplicas", hpa.at("/spec/minReplicas").asInt(), is(1));
        assertThat("dev gateway maxReplicas", hpa.at("/spec/maxReplicas").asInt(), is(1));
        assertThat("dev brokers", brokers(dev), is(1));
        for (JsonNode topic : dev.all("KafkaTopic")) {
            assertThat(topic.at("/metadata/name").asText() + " replicas", topic.at("/spec/replicas").asInt(), is(1));
        }
    }

    @Test
    void prodRunsThreeGatewaysTwoOfEachServiceAndThreeBrokers() {
        Manifests prod = Manifests.of("prod");
        for (ServiceModule s : BACKENDS) {
            assertThat("prod " + s.module + " replicas", replicas(prod, s), is(2));
        }
        JsonNode hpa = prod.one("HorizontalPodAutoscaler", "gateway");
        assertThat("prod gateway minReplicas", hpa.at("/spec/minReplicas").asInt(), is(3));
        assertThat("prod gateway maxReplicas >= 3", hpa.at("/spec/maxReplicas").asInt() >= 3, is(true));
        assertThat("prod brokers", brokers(prod), is(3));
        JsonNode config = prod.all("Kafka").getFirst().at("/spec/kafka/config");
        assertThat("prod min.insync.replicas", config.path("min.insync.replicas").asInt(), is(2));
        assertThat("prod offsets.topic.replication.factor", config.path("offsets.topic.replication.factor").asInt(),
                is(3));
        for (JsonNode topic : prod.all("KafkaTopic")) {
            String name = topic.at("/metadata/name").asText();
            assertThat(name + " replicas", topic.at("/spec/replicas").asInt(), is(3));
            assertThat(name + " min.insync.replicas", topic.at("/spec/config/min.insync.replicas").asInt(), is(2));
        }
    }

    @Test
    void theAutoscalerAloneSizesTheGateways() {
        // A replicas field would be re-applied over the autoscaler's count by every `kubectl apply`.
        for (String overlay : List.of("dev", "prod")) {
            Manifests m = Manifests.of(overlay);
            assertThat(overlay + ": gateway Deployment sets no replicas",
                    m.one("Deployment", "gateway").at("/spec/replicas").isMissingNode(), is(true));
            JsonNode target = m.one("HorizontalPodAutoscaler", "gateway").at("/spec/scaleTargetRef");
            assertThat(overlay + ": autoscaler target", target.path("kind").asText() + "/" + target.path("name").asText(),
                    is("Deployment/gateway"));
            boolean cpu = false;
            for (JsonNode metric : m.one("HorizontalPodAutoscaler", "gateway").at("/spec/metrics")) {
                cpu |= metric.at("/resource/name").asText().equals("cpu");
            }
            assertThat(overlay + ": gateway scales on CPU", cpu, is(true));
            assertThat(overlay + ": CPU request set (utilisation is relative to it)",
                    m.container("gateway").at("/resources/requests/cpu").isMissingNode(), is(false));
        }
    }

    static int replicas(Manifests m, ServiceModule s) {
        return m.one("Deployment", s.deployment()).at("/spec/replicas").asInt(1);
    }

    /** Nodes with the broker role, over the node pools of the cluster. */
    static int brokers(Manifests m) {
        int brokers = 0;
        for (JsonNode pool : m.all("KafkaNodePool")) {
            for (JsonNode role : pool.at("/spec/roles")) {
                if (role.asText().equals("broker")) {
                    brokers += pool.at("/spec/replicas").asInt();
                }
            }
        }
        return brokers;
    }
}
