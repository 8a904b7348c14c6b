package dev.huddle.kafka;

import io.helidon.config.Config;

import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka connection settings of a service, from the {@code kafka} config node
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_TOPIC_PREFIX}, ... as environment variables).
 *
 * @param bootstrapServers  broker list
 * @param topicPrefix       prefix of every topic name (lets several systems, or tests, share a cluster)
 * @param replicationFactor replication of topics created at start-up
 * @param lingerMs          producer linger: 0 keeps relay latency lowest
 * @param fetchMaxWaitMs    how long the broker may hold a fetch with nothing new: a record ends the wait at
 *                          once, so a long wait costs no latency, while a short one makes idle consumers spin
 * @param sessionTimeoutMs  how long a group member may be silent before its partitions go to the others: the
 *                          longest a crashed instance's rooms and relays stay unserved (Kafka's default, 45 s,
 *                          is a long outage for a call); the broker refuses values below its
 *                          {@code group.min.session.timeout.ms} (6 s by default)
 * @param security          how to log in ({@code kafka.security.*}); plaintext locally
 * @param node              the service instance whose clients these are (its id, {@link #forNode}): their meters
 *                          ({@link KafkaClientMeters}) are tagged with it; null (tests, tools): not metered
 */
public record KafkaSettings(String bootstrapServers, String topicPrefix, short replicationFactor,
                            int lingerMs, int fetchMaxWaitMs, int sessionTimeoutMs, KafkaSecurity security,
                            String node) {
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;

    public static KafkaSettings create(Config config) {
        Config kafka = config.get("kafka");
        return new KafkaSettings(
                kafka.get("bootstrap.servers").asString().orElse("localhost:9092"),
                kafka.get("topic.prefix").asString().orElse("huddle."),
                kafka.get("replication.factor").asInt().map(Integer::shortValue).orElse((short) 1),
                kafka.get("linger.ms").asInt().orElse(0),
                kafka.get("fetch.max.wait.ms").asInt().orElse(500),
                kafka.get("session.timeout.ms").asInt().orElse(DEFAULT_SESSION_TIMEOUT_MS),
                KafkaSecurity.create(config), null);
    }

    public static KafkaSettings of(String bootstrapServers, String topicPrefix) {
        return new KafkaSettings(bootstrapServers, topicPrefix, (short) 1, 0, 500, DEFAULT_SESSION_TIMEOUT_MS,
                KafkaSecurity.PLAINTEXT, null);
    }

    /** The same settings logging in as {@code security} says. */
    public KafkaSettings withSecurity(KafkaSecurity security) {
        return new KafkaSettings(bootstrapServers, topicPrefix, replicationFactor, lingerMs, fetchMaxWaitMs,
                sessionTimeoutMs, security, node);
    }

    /** The same settings for the clients of service instance {@code node}: their meters go to /observe/metrics. */
    public KafkaSettings forNode(String node) {
        return new KafkaSettings(bootstrapServers, topicPrefix, replicationFactor, lingerMs, fetchMaxWaitMs,
                sessionTimeoutMs, security, node);
    }

    public String topic(TopicSpec spec) {
        return topicPrefix + spec.name();
    }

    public Properties admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        security.applyTo(p);
        return p;
    }

    public Properties producer(String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        // Fail sends instead of blocking for a minute when the broker is gone: callers answer `unavailable`.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15000);
        security.applyTo(p);
        return p;
    }

    /** A consumer in {@code groupId} (null: no group, for replicas that assign partitions themselves). */
    public Properties consumer(String clientId, String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + UUID.randomUUID().toString().substring(0, 8));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWaitMs);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, topicPrefix + groupId);
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
            // Kafka wants heartbeats at most a third of the session apart (its default 3 s fits 10 s and more).
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.min(3000, sessionTimeoutMs / 3));
        }
        security.applyTo(p);
        return p;
    }

}
