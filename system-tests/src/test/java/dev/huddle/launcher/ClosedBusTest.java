package dev.huddle.launcher;

import com.fasterxml.jackson.databind.JsonNode;

import dev.huddle.kafka.KafkaSecurity;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.ServiceAccess;
import dev.huddle.kafka.TopicAdmin;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;
import dev.huddle.testing.EmbeddedKafka;
import dev.huddle.testing.WsClient;

import io.helidon.config.Config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The system on a closed bus, as in production: a broker that takes only SASL/SCRAM-SHA-512 logins and enforces
 * ACLs, each service logging in as its own user (password from a file, as from a mounted Secret) with exactly the
 * ACLs of {@link ServiceAccess} (= k8s/base/kafka-users.yaml), topics made by the broker's admin as Strimzi's
 * Topic Operator would. A call works across two gateways, and a service cannot write a topic it does not own.
 */
class ClosedBusTest {
    private static final String PREFIX = "huddle.";

    @Test
    void theSystemWorksUnderItsAclsAndAGatewayCannotWriteRoomState() throws Exception {
        Path data = Files.createTempDirectory("huddle-closed-bus");
        List<RunningService> services = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.startClosed(data.resolve("kafka"))) {
            try {
            KafkaSettings asAdmin = KafkaSettings.of(kafka.bootstrapServers(), PREFIX).withSecurity(kafka.adminSecurity());
            try (Admin admin = Admin.create(asAdmin.admin())) {
                TopicAdmin.ensure(admin, asAdmin, Topics.ALL);
            }
            Map<String, KafkaSecurity> logins = new HashMap<>();
            Map<String, Map<String, String>> settings = new HashMap<>();
            for (String service : ServiceAccess.services()) {
                String user = "huddle-" + service;
                String password = UUID.randomUUID().toString();
                Path file = data.resolve(service + ".password");
                Files.writeString(file, password + "\n");
                logins.put(service, kafka.addUser(user, password, PREFIX, ServiceAccess.grants(service)));
                settings.put(service, Map.of(
                        "kafka.bootstrap.servers", kafka.bootstrapServers(),
                        "kafka.topic.prefix", PREFIX,
                        "kafka.security.protocol", "SASL_PLAINTEXT",
                        "kafka.security.sasl.mechanism", "SCRAM-SHA-512",
                        "kafka.security.sasl.username", user,
                        "kafka.security.sasl.password.file", file.toString()));
            }
            services.add(start("rooms-service.yaml", settings.get(ServiceAccess.ROOMS), dev.huddle.rooms.Main::start));
            services.add(start("signaling-service.yaml", settings.get(ServiceAccess.SIGNALING),
                    dev.huddle.signaling.Main::start));
            services.add(start("presence-service.yaml", settings.get(ServiceAccess.PRESENCE),
                    dev.huddle.presence.Main::start));
            RunningService one = start("gateway.yaml", settings.get(ServiceAccess.GATEWAY), dev.huddle.gateway.Main::start);
            services.add(one);
            RunningService two = start("gateway.yaml", settings.get(ServiceAccess.GATEWAY), dev.huddle.gateway.Main::start);
            services.add(two);

            String room = "closed " + UUID.randomUUID().toString().substring(0, 8);
            try (WsClient ann = WsClient.hello(one.port()); WsClient bob = WsClient.hello(two.port())) {
                ann.ok("join", Map.of("room", room, "nickname", "Ann"));
                JsonNode joined = bob.ok("join", Map.of("room", room, "nickname", "Bob"));
                assertThat("Bob sees Ann in the room", joined.get("peers").size(), is(1));
                bob.ok("signal", Map.of("room", room, "to", ann.peerId(), "candidate", Map.of("candidate", "c1")));
                ann.await(f -> "signal".equals(f.path("type").asText())
                        && "c1".equals(f.path("data").path("candidate").path("candidate").asText()));
                ann.ok("chat", Map.of("room", room, "text", "over a closed bus"));
                bob.await(f -> "chat".equals(f.path("type").asText())
                        && "over a closed bus".equals(f.path("data").path("text").asText()));
            }

            // The gateway's login may not write rooms-service's state: the broker refuses it.
            KafkaSettings asGateway = KafkaSettings.of(kafka.bootstrapServers(), PREFIX)
                    .withSecurity(logins.get(ServiceAccess.GATEWAY));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(asGateway.producer("forger"))) {
                ExecutionException refused = assertThrows(ExecutionException.class, () -> producer.send(
                        new ProducerRecord<>(asGateway.topic(Topics.ROOM_STATE), "forged", "{}"))
                        .get(30, TimeUnit.SECONDS));
                assertThat(refused.getCause(), instanceOf(TopicAuthorizationException.class));
                // while the same login may write what the gateway owns
                producer.send(new ProducerRecord<>(asGateway.topic(Topics.ROOM_COMMANDS), "r", "{}"))
                        .get(30, TimeUnit.SECONDS);
            }
            // and nobody gets in without a login
            KafkaSettings anonymous = KafkaSettings.of(kafka.bootstrapServers(), PREFIX);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(anonymous.producer("anonymous"))) {
                assertThrows(Exception.class, () -> producer.send(
                        new ProducerRecord<>(anonymous.topic(Topics.ROOM_COMMANDS), "r", "{}")).get(30, TimeUnit.SECONDS));
            }
            } finally {
                for (int i = services.size() - 1; i >= 0; i--) {
                    services.get(i).close();
                }
            }
        }
    }

    private static RunningService start(String resource, Map<String, String> settings,
                                        Function<Config, RunningService> starter) {
        Map<String, String> values = new HashMap<>(settings);
        values.put("server.port", "0");
        return starter.apply(ServiceConfig.load(resource, values));
    }
}
