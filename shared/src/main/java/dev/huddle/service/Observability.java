package dev.huddle.service;

import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.accesslog.AccessLogFeature;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;

import dev.huddle.kafka.ConsumerLoop;

import java.time.Duration;
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
        Health health = Health.create(config);
        WebServerConfig.Builder builder = WebServer.builder()
                .config(config.get("server"))
                .shutdownHook(false)
                .featuresDiscoverServices(false);
        // observe.port: /observe on a socket of its own (in k8s the gateway's, which no Ingress routes); unset,
        // it shares the main port, as in local mode
        config.get("observe.port").asInt().ifPresentOrElse(port -> builder
                .putSocket(OBSERVE_SOCKET, socket -> socket.port(port).host(config.get("server.host").asString()
                        .orElse("0.0.0.0")))
                .addFeature(feature(loops, health, List.of(OBSERVE_SOCKET))),
                () -> builder.addFeature(feature(loops, health, List.of())));
        // log.access: a line per HTTP request on every socket (logger io.helidon.webserver.AccessLog.<socket>, INFO)
        // in Helidon's format. Its request line has the path without the query string, and it logs no header: the
        // admin session cookie and bearer tokens stay out of the log.
        if (config.get("log.access").asBoolean().orElse(true)) {
            builder.addFeature(AccessLogFeature.create());
        }
        return builder;
    }

    /** The name of the observe socket when {@code observe.port} is set. */
    public static final String OBSERVE_SOCKET = "observe";

    /**
     * How long a consumer loop may go without polling before liveness fails ({@code health.stall.ms}), and how long
     * the broker may be unreachable before readiness drops ({@code kafka.unreachable.ms}).
     */
    public record Health(Duration stall, Duration unreachable) {
        static Health create(Config config) {
            return new Health(Duration.ofMillis(config.get("health.stall.ms").asLong().orElse(60_000L)),
                    Duration.ofMillis(config.get("kafka.unreachable.ms").asLong().orElse(15_000L)));
        }
    }

    /**
     * As {@link #server(Config, List)}, and each loop reports its lag per partition as
     * {@code huddle_kafka_consumer_lag} and the records it skipped as {@code huddle_kafka_bad_records_total}, tagged
     * with this instance's id ({@code node_id}) and kind.
     */
    public static WebServerConfig.Builder server(Config config, Instance instance, List<ConsumerLoop> loops) {
        BadRecordMetrics bad = new BadRecordMetrics(instance.id(), instance.kind());
        for (ConsumerLoop loop : loops) {
            loop.lagTo(new ConsumerLagMetrics(instance.id(), instance.kind()));
            loop.badRecordsTo(bad);
        }
        return server(config, loops);
    }

    /** Ready only while every consumer loop has its partitions (and has caught up, for replicas). */
    public static ObserveFeature feature(List<ConsumerLoop> loops) {
        return feature(loops, new Health(Duration.ofMinutes(1), Duration.ofSeconds(15)), List.of());
    }

    /**
     * Live while every consumer loop runs and polls; ready while every loop has its partitions (and has caught up,
     * for replicas) and has heard from the broker within {@code health.unreachable}: a service cut off from Kafka
     * leaves the Service's endpoints and comes back with the broker, without a restart.
     */
    public static ObserveFeature feature(List<ConsumerLoop> loops, Health health, List<String> sockets) {
        HealthCheck alive = new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return HealthCheckType.LIVENESS;
            }

            @Override
            public String name() {
                return "consumers";
            }

            @Override
            public HealthCheckResponse call() {
                List<String> stuck = loops.stream().filter(l -> !l.isAlive(health.stall())).map(ConsumerLoop::name)
                        .toList();
                return HealthCheckResponse.builder().status(stuck.isEmpty()).detail("stuck", stuck).build();
            }
        };
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
                long silent = loops.stream().mapToLong(l -> l.sinceBrokerContact().toMillis()).max().orElse(0);
                boolean reachable = silent < health.unreachable().toMillis();
                return HealthCheckResponse.builder().status(ready && reachable).detail("consumerLag", lag)
                        .detail("brokerSilentMs", silent).build();
            }
        };
        return ObserveFeature.builder()
                .sockets(sockets)
                .addObserver(HealthObserver.builder().details(true).useSystemServices(false).addCheck(kafka)
                        .addCheck(alive).build())
                .addObserver(MetricsObserver.create())
                .build();
    }
}
