package dev.huddle.signaling;

import dev.huddle.delivery.Deliveries;
import dev.huddle.delivery.Gateways;
import dev.huddle.events.RoomMembers;
import dev.huddle.events.commands.ParsedCommand;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;

/**
 * One running signaling instance: the {@code room-members} replica, the {@code signals} group member that
 * relays, the heartbeat and the HTTP server for health and metrics.
 */
final class SignalingService implements RunningService {
    private static final System.Logger LOG = System.getLogger(SignalingService.class.getName());
    static final String KIND = "signaling";
    private static final String GROUP = "signaling";

    private final Instance instance;
    private final ConsumerLoop membersLoop;
    private final ConsumerLoop signalsLoop;
    private final ConsumerLoop gatewaysLoop;
    private final WebServer server;
    private final ServiceParts parts;

    private SignalingService(Config config) {
        instance = Instance.create(KIND, config);
        Logging.configure(config, instance);
        KafkaSettings settings = KafkaSettings.create(config).forNode(instance.id());
        Admin admin = Admin.create(settings.admin());
        TopicAdmin.ensure(admin, settings, Topics.ALL);
        Publisher publisher = new Publisher(settings, instance.id());

        RelayMetrics metrics = new RelayMetrics();
        Membership membership = new Membership();
        Gateways gateways = new Gateways();
        gatewaysLoop = ConsumerLoop.replica(settings, KIND + "-instances", List.of(Topics.INSTANCES), true,
                Gateways.PARSER, gateways::heartbeats);
        Deliveries inboxes = new Deliveries(publisher, gateways);
        Courier courier = new Courier(membership, publisher, inboxes, metrics);
        membersLoop = ConsumerLoop.replica(settings, KIND + "-members", List.of(Topics.ROOM_MEMBERS), true,
                RecordParser.json(RoomMembers.class), courier::onRoomMembers);
        Relay relay = new Relay(membership, courier, publisher, inboxes, metrics,
                room -> membersLoop.caughtUp(admin, settings, Topics.ROOM_MEMBERS, room),
                config.get("signaling.barrier.ms").asLong().orElse(3000L));
        signalsLoop = ConsumerLoop.group(settings, KIND + "-signals", GROUP, List.of(Topics.SIGNALS),
                ParsedCommand.PARSER, publisher.flushing(relay::handle), null);
        List<ConsumerLoop> loops = List.of(membersLoop, signalsLoop, gatewaysLoop);

        server = Observability.server(config, instance, loops).build();
        Heartbeat heartbeat = new Heartbeat(instance, publisher,
                () -> loops.stream().allMatch(ConsumerLoop::isReady),
                () -> 0, config.get("instance.heartbeat.ms").asLong().orElse(2000L));
        // The relay first: it commits what was relayed; the membership replica it waits on goes after it.
        parts = new ServiceParts(List.of(signalsLoop, membersLoop, gatewaysLoop), publisher, admin, server).heartbeat(heartbeat);
    }

    /**
     * Starts and returns once the membership replica has caught up and the relay has its partitions, so the
     * first signal is judged on complete membership.
     */
    static SignalingService start(Config config) {
        SignalingService service = new SignalingService(config);
        try {
            service.server.start();
            service.gatewaysLoop.start();
            service.membersLoop.start().ready().get(60, TimeUnit.SECONDS);
            service.signalsLoop.start().ready().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            service.kill();
            throw new IllegalStateException("Signaling service did not start: " + e.getMessage(), e);
        }
        LOG.log(Level.INFO, "Signaling " + service.instance.id() + " ready on port " + service.port());
        return service;
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
        parts.close();
    }

    @Override
    public void kill() {
        parts.kill();
    }
}
