package dev.huddle.rooms;

import dev.huddle.delivery.Deliveries;
import dev.huddle.delivery.Gateways;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.Topics;
import dev.huddle.service.Heartbeat;
import dev.huddle.service.Instance;
import dev.huddle.service.Logging;
import dev.huddle.service.Observability;
import dev.huddle.service.ServiceConfig;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;

import java.util.List;

import org.apache.kafka.clients.admin.Admin;

/**
 * rooms-service: the authority on rooms (membership, nicknames, media, capacity, passwords, locks, chat history,
 * the public room list). Reads {@code room-commands} as the consumer group {@code rooms}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        RoomsService service = start(ServiceConfig.load("rooms-service.yaml"));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "rooms-shutdown"));
    }

    public static RoomsService start(Config config) {
        Instance instance = Instance.create("rooms", config);
        Logging.configure(config, instance);
        KafkaSettings settings = KafkaSettings.create(config).forNode(instance.id());
        RoomRules rules = RoomRules.from(config);
        Admin admin = Admin.create(settings.admin());
        Publisher publisher = null;
        ConsumerLoop loop = null;
        ConsumerLoop gatewaysLoop = null;
        RoomsMetrics metrics = null;
        try {
            TopicAdmin.ensure(admin, settings, Topics.ALL);
            publisher = new Publisher(settings, instance.id());
            RoomRegistry registry = new RoomRegistry(settings);
            metrics = new RoomsMetrics(instance.id(), registry);
            Gateways gateways = new Gateways();
            gatewaysLoop = ConsumerLoop.replica(settings, "rooms-instances", List.of(Topics.INSTANCES), true,
                    Gateways.PARSER, gateways::heartbeats).start();
            CommandProcessor processor = new CommandProcessor(registry, new RoomCommands(rules), publisher,
                    new Deliveries(publisher, gateways), metrics, rules.capacity(),
                    config.get("rooms.tombstone.delay.ms").asLong().orElse(60_000L));
            loop = ConsumerLoop.group(settings, "rooms", "rooms", List.of(Topics.ROOM_COMMANDS),
                    CommandProcessor::parse, processor, registry).start();
            WebServer server = Observability.server(config, instance, List.of(loop, gatewaysLoop)).build().start();
            Heartbeat heartbeat = new Heartbeat(instance, publisher, loop::isReady, () -> 0,
                    config.get("instance.heartbeat.ms").asLong().orElse(2000L));
            return new RoomsService(instance, admin, publisher, List.of(loop, gatewaysLoop), server, heartbeat, metrics);
        } catch (RuntimeException e) {
            if (loop != null) {
                loop.close();
            }
            if (gatewaysLoop != null) {
                gatewaysLoop.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            if (publisher != null) {
                publisher.close();
            }
            admin.close();
            throw e;
        }
    }
}
