package dev.huddle.events;

/**
 * What every service instance and gateway says about itself every few seconds
 * ({@link dev.huddle.kafka.Topics#INSTANCES}, keyed by instance id; a tombstone when it stops cleanly).
 *
 * @param connections open client connections (gateways), else 0
 */
public record InstanceHeartbeat(int v, String id, String kind, String version, long started, long ts,
                                boolean healthy, int connections) {
}
