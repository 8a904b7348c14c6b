package dev.huddle.service;

import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
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

    /**
     * The web server every service starts from: settings from the {@code server} config node, observability
     * for {@code loops}, no Helidon shutdown hook (each {@code Main} stops its service in order) and no
     * discovered features. A gateway adds its routes and protocols to it.
     */
    public static WebServerConfig.Builder server(Config config, List<ConsumerLoop> loops) {
        return WebServer.builder()
                .config(config.get("server"))
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .addFeature(feature(loops));
    }

    /**
     * As {@link #server(Config, List)}, and each loop reports its lag per partition as
     * {@code huddle_kafka_consumer_lag} tagged with this instance's id ({@code node_id}) and kind.
     */
    public static WebServerConfig.Builder server(Config config, Instance instance, List<ConsumerLoop> loops) {
        for (ConsumerLoop loop : loops) {
            loop.lagTo(new ConsumerLagMetrics(instance.id(), instance.kind()));
        }
        return server(config, loops);
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
