package dev.huddle.presence;

import dev.huddle.delivery.Deliveries;
import dev.huddle.delivery.Gateways;
import dev.huddle.events.RoomMembers;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Received;
import dev.huddle.kafka.RecordParser;
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

import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;

/**
 * One running presence instance: the {@code room-members} and {@code instances} replicas, the
 * {@code presence} group member that owns sessions, the sweeper (grace periods, dead gateways), the heartbeat
 * and the HTTP server for health and metrics.
 */
final class PresenceService implements RunningService {
    private static final System.Logger LOG = System.getLogger(PresenceService.class.getName());
    static final String KIND = "presence";
    private static final String GROUP = "presence";

    private final Instance instance;
    private final PresenceMetrics metrics = new PresenceMetrics();
    private final Membership membership = new Membership();
    private final Sessions sessions;
    private final Sweeper sweeper;
    private final InboxJanitor janitor;
    private final ConsumerLoop membersLoop;
    private final ConsumerLoop instancesLoop;
    private final ConsumerLoop commandsLoop;
    private final WebServer server;
    private final ServiceParts parts;
    private final long sweepMs;

    private PresenceService(Config config) {
        instance = Instance.create(KIND, config);
        Logging.configure(config, instance);
        KafkaSettings settings = KafkaSettings.create(config).forNode(instance.id());
        Admin admin = Admin.create(settings.admin());
        TopicAdmin.ensure(admin, settings, Topics.ALL);
        Publisher publisher = new Publisher(settings, instance.id());

        long graceMs = config.get("presence.grace.ms").asLong().orElse(30_000L);
        long gatewayTimeoutMs = config.get("presence.gateway.timeout.ms").asLong().orElse(7_000L);
        sweepMs = config.get("presence.sweep.ms").asLong().orElse(250L);

        sessions = new Sessions(publisher, membership, metrics);
        long heartbeatMs = config.get("instance.heartbeat.ms").asLong().orElse(2000L);
        Liveness liveness = new Liveness(gatewayTimeoutMs, heartbeatMs);
        sweeper = new Sweeper(sessions, membership, liveness, publisher, metrics, graceMs);
        membersLoop = ConsumerLoop.replica(settings, KIND + "-members", List.of(Topics.ROOM_MEMBERS), true,
                RecordParser.json(RoomMembers.class), this::onRoomMembers);
        Gateways gateways = new Gateways();
        instancesLoop = ConsumerLoop.replica(settings, KIND + "-instances", List.of(Topics.INSTANCES), true,
                Gateways.PARSER, batch -> {
                    gateways.heartbeats(batch);
                    return liveness.handle(batch);
                });
        janitor = new InboxJanitor(admin, settings, liveness,
                config.get("presence.inbox.keep.ms").asLong().orElse(30_000L));
        commandsLoop = ConsumerLoop.group(settings, KIND + "-commands", GROUP, List.of(Topics.PRESENCE),
                PresenceCommands::parse,
                new PresenceCommands(sessions, membership, publisher, new Deliveries(publisher, gateways), metrics),
                new SessionRestore(settings, sessions));
        List<ConsumerLoop> loops = List.of(membersLoop, instancesLoop, commandsLoop);

        server = Observability.server(config, instance, loops).build();
        Heartbeat heartbeat = new Heartbeat(instance, publisher,
                () -> loops.stream().allMatch(ConsumerLoop::isReady), () -> 0, heartbeatMs);
        // The command loop first: it commits, and leaves the group, so another instance takes the sessions over.
        parts = new ServiceParts(List.of(commandsLoop, membersLoop, instancesLoop), publisher, admin, server,
                () -> metrics.untrack(sessions)).heartbeat(heartbeat);
    }

    /**
     * Starts and returns once both replicas have caught up (a peer's rooms and the gateways' liveness are
     * known before the first command is decided) and the command loop has its partitions.
     */
    static PresenceService start(Config config) {
        PresenceService service = new PresenceService(config);
        try {
            service.server.start();
            service.membersLoop.start();
            service.instancesLoop.start();
            service.membersLoop.ready().get(60, TimeUnit.SECONDS);
            service.instancesLoop.ready().get(60, TimeUnit.SECONDS);
            service.metrics.track(service.sessions);
            service.commandsLoop.start().ready().get(60, TimeUnit.SECONDS);
            service.sweeper.start(service.sweepMs);
            service.janitor.start(5_000);
        } catch (Exception e) {
            service.kill();
            throw new IllegalStateException("Presence service did not start: " + e.getMessage(), e);
        }
        LOG.log(Level.INFO, "Presence " + service.instance.id() + " ready on port " + service.port());
        return service;
    }

    /** The room-members replica: new rooms and nicknames go into the owned sessions (the operator sees them). */
    private CompletionStage<?> onRoomMembers(List<Received<RoomMembers>> batch) {
        Set<String> touched = new HashSet<>();
        for (Received<RoomMembers> r : batch) {
            touched.addAll(membership.apply(r.key(), r.value()));
        }
        return sessions.refresh(touched);
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public Instance instance() {
        return instance;
    }

    @Override
    public void close() {
        parts.close(this::stopTimers); // first: it ends sessions, not to be done while the loops hand them over
    }

    @Override
    public void kill() {
        parts.kill(this::stopTimers);
    }

    private void stopTimers() {
        sweeper.close();
        janitor.close();
    }
}
