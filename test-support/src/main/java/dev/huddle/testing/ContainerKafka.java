package dev.huddle.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A Kafka broker in a container (Testcontainers), for machines with a Docker engine. Loaded only when chosen
 * ({@code -Dhuddle.test.kafka=container}): the build machines here have no Docker engine, so the embedded broker
 * stays the default. Same Kafka version as the embedded one.
 */
final class ContainerKafka {
    static final String IMAGE = "apache/kafka:4.1.1";

    private ContainerKafka() {
    }

    /** Starts the container and returns its bootstrap address; the container stops with the JVM. */
    static String start() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("huddle.test.kafka=container, but no Docker engine is reachable here;"
                    + " run without it to use the embedded broker");
        }
        KafkaContainer kafka = new KafkaContainer(IMAGE);
        kafka.start();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop));
        return kafka.getBootstrapServers();
    }
}
