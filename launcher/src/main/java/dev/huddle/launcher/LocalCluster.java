package dev.huddle.launcher;

import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.EmbeddedKafka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.helidon.config.Config;

/**
 * The whole system in one JVM: a Kafka broker (embedded, or the cluster given), rooms-, signaling- and
 * presence-service and N gateways. Used by {@code ./run.sh} and by end-to-end tests, which can stop,
 * kill and restart any part of it.
 */
public final class LocalCluster implements AutoCloseable {
    /**
     * @param gateways         how many gateways
     * @param firstPort        the first gateway's port (the others follow); 0 for any free ports
     * @param bootstrapServers an existing Kafka cluster, or {@code null} to embed a broker in {@code dataDir}
     * @param dataDir          the embedded broker's data folder
     * @param overrides        settings for every service (e.g. {@code presence.grace.ms})
     */
    public record Options(int gateways, int firstPort, String bootstrapServers, Path dataDir,
                          Map<String, String> overrides) {
    }

    private final Options options;
    private final EmbeddedKafka kafka;
    private final String bootstrap;
    private final Map<String, String> common = new HashMap<>();
    private RunningService rooms;
    private RunningService signaling;
    private RunningService presence;
    private final List<RunningService> gateways = new ArrayList<>();

    private LocalCluster(Options options) {
        this.options = options;
        if (options.bootstrapServers() == null) {
            kafka = EmbeddedKafka.start(options.dataDir(), 0);
            bootstrap = kafka.bootstrapServers();
        } else {
            kafka = null;
            bootstrap = options.bootstrapServers();
        }
        // On one machine the load generator, the tests and every browser connect from this one address: no
        // per-address connection caps unless the overrides or the environment ask for them.
        for (String cap : List.of("gateway.connections.max.per.address", "gateway.connections.rate.per.address")) {
            if (System.getenv(cap.toUpperCase(java.util.Locale.ROOT).replace('.', '_')) == null) {
                common.put(cap, "0");
            }
        }
        common.putAll(options.overrides());
        common.put("kafka.bootstrap.servers", bootstrap);
    }

    public static LocalCluster start(Options options) {
        LocalCluster cluster = new LocalCluster(options);
        try {
            cluster.rooms = cluster.startRooms();
            cluster.signaling = cluster.startSignaling();
            cluster.presence = cluster.startPresence();
            for (int i = 0; i < options.gateways(); i++) {
                cluster.gateways.add(cluster.startGateway(options.firstPort() == 0 ? 0 : options.firstPort() + i));
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public RunningService startRooms() {
        return start("rooms-service.yaml", dev.huddle.rooms.Main::start, 0);
    }

    public RunningService startSignaling() {
        return start("signaling-service.yaml", dev.huddle.signaling.Main::start, 0);
    }

    public RunningService startPresence() {
        return start("presence-service.yaml", dev.huddle.presence.Main::start, 0);
    }

    public RunningService startGateway(int port) {
        return start("gateway.yaml", dev.huddle.gateway.Main::start, port);
    }

    private RunningService start(String resource, Function<Config, RunningService> starter, int port) {
        Map<String, String> values = new HashMap<>(common);
        values.put("server.port", Integer.toString(port));
        return starter.apply(ServiceConfig.load(resource, values));
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    /** The embedded broker, or {@code null} when an external cluster is used. */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    public RunningService rooms() {
        return rooms;
    }

    public RunningService signaling() {
        return signaling;
    }

    public RunningService presence() {
        return presence;
    }

    public List<RunningService> gateways() {
        return gateways;
    }

    /** Replaces rooms-service (after a test stopped or killed it) with a fresh instance. */
    public RunningService restartRooms() {
        rooms = startRooms();
        return rooms;
    }

    public RunningService restartSignaling() {
        signaling = startSignaling();
        return signaling;
    }

    public RunningService restartPresence() {
        presence = startPresence();
        return presence;
    }

    public Options options() {
        return options;
    }

    @Override
    public void close() {
        for (RunningService g : gateways) {
            closeQuietly(g);
        }
        closeQuietly(presence);
        closeQuietly(signaling);
        closeQuietly(rooms);
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void closeQuietly(RunningService s) {
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                System.getLogger(LocalCluster.class.getName()).log(System.Logger.Level.WARNING,
                        "Stopping " + s.instance().id() + " failed: " + e);
            }
        }
    }
}
