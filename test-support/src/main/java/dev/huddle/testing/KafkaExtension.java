package dev.huddle.testing;

import dev.huddle.kafka.KafkaSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives tests a real Kafka broker: the cluster in {@code KAFKA_BOOTSTRAP_SERVERS} when set, else one
 * embedded KRaft broker per test JVM, started on first use and stopped when the JVM's tests end.
 *
 * <p>{@link #settings()} hands each caller a fresh topic prefix, so test classes sharing the broker do not see
 * each other's rooms.
 */
public final class KafkaExtension implements BeforeAllCallback {
    private static EmbeddedKafka embedded;
    private static String bootstrap;

    @Override
    public void beforeAll(ExtensionContext context) {
        bootstrapServers();
    }

    /** The broker's address, starting the embedded broker if there is none yet. */
    public static synchronized String bootstrapServers() {
        if (bootstrap == null) {
            String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
            if (external != null && !external.isBlank()) {
                bootstrap = external;
            } else {
                try {
                    Path dir = Files.createTempDirectory("huddle-test-kafka");
                    embedded = EmbeddedKafka.start(dir, 0);
                    bootstrap = embedded.bootstrapServers();
                    Runtime.getRuntime().addShutdownHook(new Thread(embedded::close));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return bootstrap;
    }

    /** The embedded broker, for tests that stop and start it; {@code null} when an external cluster is used. */
    public static synchronized EmbeddedKafka embedded() {
        bootstrapServers();
        return embedded;
    }

    /** Settings with a topic prefix of their own. */
    public static KafkaSettings settings() {
        return KafkaSettings.of(bootstrapServers(), "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
    }
}
