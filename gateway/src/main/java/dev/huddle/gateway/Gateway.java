package dev.huddle.gateway;

import dev.huddle.events.Frames;
import dev.huddle.gateway.admin.AdminApi;
import dev.huddle.gateway.admin.SocketCountersQuery;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.Topics;
import dev.huddle.service.Heartbeat;
import dev.huddle.service.Instance;
import dev.huddle.service.Logging;
import dev.huddle.service.Observability;
import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceParts;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.websocket.WsRouting;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.admin.Admin;

/**
 * One running gateway: the WebSocket endpoint and its connections, its own inbox (a topic it creates at start,
 * reads from the end and deletes on a clean stop) that feeds them, the {@code room-directory} replica behind {@code list_rooms}, the web client, the operator's
 * API ({@link AdminApi}) and the heartbeat.
 */
final class Gateway implements RunningService {
    private static final System.Logger LOG = System.getLogger(Gateway.class.getName());
    static final String KIND = "gateway";

    private final Instance instance;
    private final GatewaySettings settings;
    private final Publisher publisher;
    private final KafkaSettings kafka;
    private final Connections connections = new Connections();
    private final AddressLimits addressLimits;
    private final GatewayMetrics metrics;
    private final RoomDirectory directory;
    private final ConsumerLoop deliveries;
    private final AdminApi adminApi;
    private final ScheduledExecutorService timer;
    private final AtomicInteger unsentCommands = new AtomicInteger();
    private final WebServer server;
    private final ServiceParts parts;
    private volatile boolean draining;
    private volatile boolean killed;

    private Gateway(Config config) {
        instance = Instance.create(KIND, config);
        Logging.configure(config, instance);
        settings = GatewaySettings.create(config);
        kafka = KafkaSettings.create(config).forNode(instance.id());
        Admin admin = Admin.create(kafka.admin());
        TopicAdmin.ensure(admin, kafka, Topics.ALL);
        // Before any socket: a connection's first reply comes to this inbox.
        TopicAdmin.ensure(admin, kafka, List.of(Topics.inbox(instance.id())));
        publisher = new Publisher(kafka, instance.id());
        metrics = new GatewayMetrics(instance.id(), connections::size);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("gateway-timer").daemon().factory());
        executor.setRemoveOnCancelPolicy(true); // request timeouts are cancelled by almost every reply
        timer = executor;
        directory = new RoomDirectory(kafka, admin);
        SocketCountersQuery counters = new SocketCountersQuery(publisher, instance.id(), conn -> {
            Connection c = connections.byConn(conn);
            return c == null ? null : c.counters();
        });
        deliveries = ConsumerLoop.replica(kafka, KIND + "-inbox", List.of(Topics.inbox(instance.id())), false,
                new DeliveryRouter(connections, metrics, counters)::handle);
        adminApi = AdminApi.create(config, kafka, publisher, admin, instance.id(), counters);
        List<ConsumerLoop> loops = new ArrayList<>(List.of(deliveries, directory.loop()));
        loops.addAll(adminApi.loops());

        addressLimits = new AddressLimits(settings.maxPerAddress(), settings.newPerSecond());
        GatewayRoutes routes = new GatewayRoutes(settings.origins(), () -> draining, addressLimits,
                settings.clientAddress());
        WebServerConfig.Builder web = Observability.server(config, instance, loops)
                .addProtocol(WsProtocol.forFrameLimit(settings.maxFrameBytes()))
                .routing(r -> {
                    routes.register(r);
                    adminApi.register(r);
                })
                .addRouting(WsRouting.builder().endpoint("/ws", () -> new Connection(this)));
        GatewayRoutes.staticContent().ifPresent(web::addFeature);
        server = web.build();
        // The admin API before the publisher and Kafka admin it uses; its loop has stopped by then.
        parts = new ServiceParts(loops, publisher, admin, server, adminApi, metrics);
    }

    /** Starts and returns once deliveries are read (a connection's first reply cannot be missed). */
    static Gateway start(Config config) {
        Gateway gateway = new Gateway(config);
        try {
            gateway.deliveries.start().ready().get(60, TimeUnit.SECONDS);
            gateway.directory.loop().start();
            gateway.server.start();
        } catch (Exception e) {
            gateway.kill();
            throw new IllegalStateException("Gateway did not start: " + e.getMessage(), e);
        }
        GatewaySettings s = gateway.settings;
        gateway.parts.heartbeat(new Heartbeat(gateway.instance, gateway.publisher, gateway::healthy,
                gateway.connections::size, s.heartbeatMs()));
        gateway.timer.scheduleWithFixedDelay(gateway.directory::tick, s.roomsTickMs(), s.roomsTickMs(),
                TimeUnit.MILLISECONDS);
        gateway.timer.scheduleWithFixedDelay(gateway::sweep, s.sweepMs(), s.sweepMs(), TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "Gateway " + gateway.instance.id() + " ready on port " + gateway.port());
        return gateway;
    }

    private boolean healthy() {
        return deliveries.isReady() && directory.loop().isReady()
                && adminApi.loops().stream().allMatch(ConsumerLoop::isReady);
    }

    private void sweep() {
        long now = System.currentTimeMillis();
        addressLimits.sweep(now);
        for (Connection c : connections.all()) {
            try {
                c.check(now, settings.pingIntervalMs());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Keep-alive check failed", e);
            }
        }
    }

    // ---- what connections use ----

    GatewaySettings settings() {
        return settings;
    }

    Publisher publisher() {
        return publisher;
    }

    /** Commands in the connections' outboxes not yet handed to the publisher ({@link CommandOutbox}). */
    AtomicInteger unsentCommands() {
        return unsentCommands;
    }

    /** The per-address connection caps; a connection gives its slot back when it ends. */
    AddressLimits addressLimits() {
        return addressLimits;
    }

    Connections connections() {
        return connections;
    }

    RoomDirectory directory() {
        return directory;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    /** After {@link #kill()}: connections go without telling presence. */
    boolean killed() {
        return killed;
    }

    // ---- RunningService ----

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public Instance instance() {
        return instance;
    }

    /**
     * Drains: every client is told to reconnect (and resume elsewhere), gets {@code drain.ms} to do so, then is
     * closed with 1001; presence hears of every connection that ends; the heartbeat says goodbye.
     */
    @Override
    public void close() {
        if (parts.close(this::drain)) {
            deleteInbox();
            LOG.log(Level.INFO, "Gateway " + instance.id() + " stopped");
        }
    }

    /** After the heartbeat's goodbye, which tells services to write here no more (a crash leaves it to presence). */
    private void deleteInbox() {
        try (Admin admin = Admin.create(kafka.admin())) {
            admin.deleteTopics(List.of(kafka.topic(Topics.inbox(instance.id())))).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Could not delete this gateway's inbox (presence-service will): " + e);
        }
    }

    /**
     * Before anything else stops: no new client, every client told to reconnect and closed, and the server
     * stopped, so every disconnect is sent before the publisher's final flush.
     */
    private void drain() {
        draining = true;
        Map<String, Object> reconnect = new LinkedHashMap<>();
        reconnect.put("reason", "shutdown");
        reconnect.put("retryAfterMs", settings.drainMs());
        String frame = Frames.push("reconnect", reconnect);
        connections.all().forEach(c -> c.push(frame));
        await(() -> connections.size() == 0, Duration.ofMillis(settings.drainMs()));
        connections.all().forEach(c -> c.close(Connection.GOING_AWAY, "Server shutdown"));
        await(() -> connections.size() == 0, Duration.ofSeconds(1));
        connections.all().forEach(Connection::closed); // never answered the close: gone all the same
        timer.shutdownNow();
        server.stop();
        // The disconnects queued in the connections' outboxes (also of sockets the server's stop closed) reach the
        // publisher before its final flush; a send without the broker gives up after max.block.ms (5 s).
        await(() -> unsentCommands.get() == 0, Duration.ofSeconds(6));
    }

    /** Stops like a crash: sockets cut without close frames, nothing more said to Kafka. */
    @Override
    public void kill() {
        parts.kill(() -> {
            killed = true; // the dropped connections go without telling presence
            timer.shutdownNow();
            connections.all().forEach(Connection::drop);
        });
    }

    /** Waits until {@code done}, at most {@code most}. */
    private static void await(BooleanSupplier done, Duration most) {
        long deadline = System.nanoTime() + most.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

}
