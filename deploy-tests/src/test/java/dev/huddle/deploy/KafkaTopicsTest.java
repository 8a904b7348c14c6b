package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The KafkaTopic resources say exactly what {@link Topics} declares, and fit the Kafka cluster they are on. */
class KafkaTopicsTest {
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyDeclaredTopicAndNoOther(String overlay) {
        Manifests m = Manifests.of(overlay);
        String prefix = m.data("ConfigMap", "huddle-config").get("KAFKA_TOPIC_PREFIX");
        assertThat(overlay + ": huddle-config sets KAFKA_TOPIC_PREFIX", prefix != null, is(true));
        Map<String, JsonNode> byName = topics(m);
        Set<String> declared = Topics.ALL.stream().map(t -> prefix + t.name()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(overlay + ": KafkaTopics", new TreeSet<>(byName.keySet()), is(declared));
        for (TopicSpec spec : Topics.ALL) {
            JsonNode topic = byName.get(prefix + spec.name());
            String what = overlay + ": KafkaTopic " + prefix + spec.name();
            assertThat(what + " partitions", topic.at("/spec/partitions").asInt(), is(spec.partitions()));
            // every setting of the code's TopicSpec, and no other (replication is the overlay's)
            Map<String, String> config = new TreeMap<>();
            topic.at("/spec/config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
            config.remove("min.insync.replicas");
            assertThat(what + " config", config, is(new TreeMap<>(spec.configs())));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void topicsBelongToTheKraftClusterTheServicesUse(String overlay) {
        Manifests m = Manifests.of(overlay);
        assertThat(overlay + ": Kafka clusters", m.all("Kafka").size(), is(1));
        JsonNode kafka = m.all("Kafka").getFirst();
        String cluster = kafka.at("/metadata/name").asText();
        assertThat("Topic Operator", kafka.at("/spec/entityOperator/topicOperator").isObject(), is(true));
        for (JsonNode topic : m.all("KafkaTopic")) {
            assertThat(topic.at("/metadata/name").asText() + " cluster label",
                    topic.at("/metadata/labels/strimzi.io~1cluster").asText(), is(cluster));
        }
        for (JsonNode pool : m.all("KafkaNodePool")) {
            assertThat(pool.at("/metadata/name").asText() + " cluster label",
                    pool.at("/metadata/labels/strimzi.io~1cluster").asText(), is(cluster));
        }
        // Strimzi names the bootstrap service <cluster>-kafka-bootstrap; the port of its only listener.
        JsonNode listeners = kafka.at("/spec/kafka/listeners");
        assertThat(overlay + ": one listener", listeners.size(), is(1));
        int port = listeners.get(0).path("port").asInt();
        assertThat(overlay + ": KAFKA_BOOTSTRAP_SERVERS",
                m.data("ConfigMap", "huddle-config").get("KAFKA_BOOTSTRAP_SERVERS"),
                is(cluster + "-kafka-bootstrap:" + port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void replicationFitsTheBrokers(String overlay) {
        Manifests m = Manifests.of(overlay);
        int brokers = OverlaySizesTest.brokers(m);
        String factor = m.data("ConfigMap", "huddle-config").get("KAFKA_REPLICATION_FACTOR");
        JsonNode brokerConfig = m.all("Kafka").getFirst().at("/spec/kafka/config");
        for (JsonNode topic : m.all("KafkaTopic")) {
            String what = overlay + ": KafkaTopic " + topic.at("/metadata/name").asText();
            int replicas = topic.at("/spec/replicas").asInt(-1);
            assertThat(what + " replicas set", replicas > 0, is(true));
            assertThat(what + " replicas <= brokers (" + brokers + ")", replicas <= brokers, is(true));
            // Topics a service creates before the Topic Operator does get the same replication.
            assertThat(what + " replicas = KAFKA_REPLICATION_FACTOR", Integer.toString(replicas), is(factor));
            JsonNode isr = topic.at("/spec/config/min.insync.replicas");
            int minIsr = isr.isMissingNode() ? brokerConfig.path("min.insync.replicas").asInt(1) : isr.asInt();
            assertThat(what + " min.insync.replicas < replicas, or a broker loss stops writes",
                    replicas == 1 || minIsr < replicas, is(true));
        }
        assertThat(overlay + ": default.replication.factor", brokerConfig.path("default.replication.factor").asText(),
                is(factor));
    }

    private static Map<String, JsonNode> topics(Manifests m) {
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode t : m.all("KafkaTopic")) {
            String name = t.at("/spec/topicName").asText(t.at("/metadata/name").asText());
            if (byName.put(name, t) != null) {
                throw new AssertionError(m.overlay + ": two KafkaTopics for " + name);
            }
        }
        return byName;
    }
}
