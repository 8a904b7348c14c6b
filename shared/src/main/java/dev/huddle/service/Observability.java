package dev.huddle.service;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;

import dev.huddle.kafka.ConsumerLoop;

import java.util.List;

/**
 * Health and metrics endpoints of every service: {@code /observe/health/live}, {@code /observe/health/ready}
 * and {@code /observe/metrics} (Prometheus text).
 */
public final class Observability {
    private Observability() {
    }

    /** Ready only while every consumer loop has its partitions (and has caught up, for replicas). */
    public static ObserveFeature feature(List<ConsumerLoop> loops) {
        HealthCheck kafka = new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public String name() {
                return "kafka";
            }

            @Override
            public HealthCheckResponse call() {
                boolean ready = loops.stream().allMatch(ConsumerLoop::isReady);
                long lag = loops.stream().mapToLong(ConsumerLoop::lag).sum();
                return HealthCheckResponse.builder().status(ready).detail("consumerLag", lag).build();
            }
        };
        return ObserveFeature.builder()
                .addObserver(HealthObserver.builder().details(true).useSystemServices(false).addCheck(kafka).build())
                .addObserver(MetricsObserver.create())
                .build();
    }
}
