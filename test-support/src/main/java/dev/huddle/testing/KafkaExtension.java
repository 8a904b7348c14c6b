package dev.huddle.testing;

import dev.huddle.kafka.KafkaSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives tests a real Kafka broker: the cluster in {@code KAFKA_BOOTSTRAP_SERVERS} when set; else, with
 * {@code -Dhuddle.test.kafka=container} (or {@code HUDDLE_TEST_KAFKA=container}) on a machine with a Docker engine,
 * a broker in a container (Testcontainers); else one embedded KRaft broker per test JVM, started on first use and
 * stopped when the JVM's tests end. Tests that stop and restart the broker need the embedded one.
 *
 * <p>{@link #settings()} hands each caller a fresh topic prefix, so test classes sharing the broker do not see
 * each other's rooms.
 */
public final class KafkaExtension implements BeforeAllCallback {
    static final String CONTAINER = "container";
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
            } else if (CONTAINER.equals(choice())) {
                bootstrap = ContainerKafka.start();
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

    /** {@code container} or {@code embedded}: the system property wins over the environment variable. */
    static String choice() {
        String p = System.getProperty("huddle.test.kafka");
        String e = System.getenv("HUDDLE_TEST_KAFKA");
        String c = p != null && !p.isBlank() ? p : e != null && !e.isBlank() ? e : "embedded";
        if (!c.equals(CONTAINER) && !c.equals("embedded")) {
            throw new IllegalStateException("huddle.test.kafka must be 'embedded' or 'container', not '" + c + "'");
        }
        return c;
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
