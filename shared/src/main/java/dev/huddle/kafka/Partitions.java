package dev.huddle.kafka;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.utils.Utils;

/** Which partition a key lands on, as Kafka's default partitioner computes it. */
public final class Partitions {
    private Partitions() {
    }

    public static int forKey(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
