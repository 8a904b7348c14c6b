package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import dev.huddle.json.Json;
import dev.huddle.service.PasswordHash;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Each service started from its packaged jar the way the image does it: the Dockerfile's ENTRYPOINT flags,
 * {@code -jar} with libs/ beside the jar, and the environment the dev overlay gives its pod (ConfigMap,
 * Secret, INSTANCE_ID), with only the broker address, topic prefix and port changed for this machine and the
 * memory limit passed as {@code -XX:MaxRAM}. Together they must form a working system, and each must stop on
 * SIGTERM within its pod's grace period.
 */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackagedServicesTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Path LOGS = Repo.path("deploy-tests", "target", "packaged");

    private record Running(ServiceModule service, Process process, int port, int observePort, String instanceId,
                           Path log) {
    }

    private final Map<ServiceModule, Running> running = new EnumMap<>(ServiceModule.class);

    @BeforeAll
    void startEveryServiceFromItsJar() throws IOException {
        Files.createDirectories(LOGS);
        // Should this JVM die mid-test, take the services along.
        Runtime.getRuntime().addShutdownHook(new Thread(this::killLeftovers));
        String prefix = "pkg" + UUID.randomUUID().toString().substring(0, 8) + ".";
        for (ServiceModule service : ServiceModule.values()) {
            running.put(service, start(service, prefix));
        }
    }

    @AfterAll
    void killLeftovers() {
        running.values().forEach(r -> r.process().destroyForcibly());
    }

    @Order(1)
    @ParameterizedTest
    @EnumSource(ServiceModule.class)
    void jarNamesOnlyLibsThatArePackaged(ServiceModule service) throws IOException {
        try (JarFile jar = new JarFile(service.jar().toFile())) {
            String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
            assertThat(service.module + " manifest Class-Path", classPath != null, is(true));
            List<String> missing = new ArrayList<>();
            for (String entry : classPath.trim().split("\\s+")) {
                if (!Files.isRegularFile(service.jar().resolveSibling(entry))) {
                    missing.add(entry);
                }
            }
            assertThat(service.module + ": Class-Path entries missing next to the jar", missing, is(List.of()));
        }
    }

    @Order(2)
    @ParameterizedTest
    @EnumSource(ServiceModule.class)
    void answersLiveThenReadyAndServesMetrics(ServiceModule service) {
        Running r = running.get(service);
        // Generous: on a machine busy with other builds a JVM and its Kafka clients can take minutes to start.
        awaitStatus(r, WorkloadsTest.LIVE, Duration.ofSeconds(300));
        awaitStatus(r, WorkloadsTest.READY, Duration.ofSeconds(120));
        awaitStatus(r, "/observe/metrics", Duration.ofSeconds(60));
    }

    @Order(3)
    @Test
    void gatewayGreetsAsItsPodAndAJoinGoesRoundTheSystem() {
        Running gateway = running.get(ServiceModule.GATEWAY);
        awaitStatus(gateway, "/", Duration.ofSeconds(60));
        try (WsClient client = WsClient.hello(gateway.port())) {
            assertThat("hello.gateway is the pod name (INSTANCE_ID)",
                    client.helloData().path("gateway").asText(), is(gateway.instanceId()));
            // Just after start-up (consumer groups settling, a busy machine) a join may be answered
            // `unavailable`, which says to retry; the protocol makes a repeated join harmless.
            JsonNode reply = null;
            for (int attempt = 0; attempt < 6; attempt++) {
                reply = client.request("join", Map.of("room", "deploy-check", "nickname", "Deploy"));
                if (!reply.at("/error/code").asText().equals("unavailable")) {
                    break;
                }
            }
            assertThat("join reply " + reply, reply.path("ok").asBoolean(), is(true));
            assertThat(reply.at("/data/room").asText(), is("deploy-check"));
            // The manifests ask for JSON logs: rooms-service logs the join with its room and peer, the gateway
            // its access log, each line an object naming the pod
            Running rooms = running.get(ServiceModule.ROOMS);
            JsonNode joined = awaitLogLine(rooms, l -> l.path("peer").asText().equals(client.peerId()));
            assertThat(joined.toString(), joined.path("room").asText(), is("deploy-check"));
            assertThat(joined.toString(), joined.path("service").asText(), is("rooms"));
            assertThat(joined.toString(), joined.path("node_id").asText(), is(rooms.instanceId()));
            assertThat(joined.toString(), joined.path("level").asText(), is("INFO"));
            JsonNode access = awaitLogLine(gateway, l -> l.path("logger").asText()
                    .startsWith("io.helidon.webserver.AccessLog") && l.path("message").asText().contains("\"GET / "));
            assertThat(access.toString(), access.path("node_id").asText(), is(gateway.instanceId()));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + logs(ServiceModule.values()), e);
        }
    }

    @Order(4)
    @ParameterizedTest
    @EnumSource(ServiceModule.class)
    void stopsOnSigtermWithinItsGracePeriod(ServiceModule service) throws InterruptedException {
        Running r = running.get(service);
        JsonNode pod = Manifests.of("dev").one("Deployment", service.deployment()).at("/spec/template/spec");
        // The preStop hook's time counts against the grace period; SIGTERM comes after it.
        JsonNode preStop = pod.at("/containers/0/lifecycle/preStop/exec/command");
        int grace = pod.path("terminationGracePeriodSeconds").asInt(30) - (preStop.isArray() ? preStop.path(1).asInt() : 0);
        r.process().destroy(); // SIGTERM, as the kubelet sends it
        boolean exited = r.process().waitFor(grace, TimeUnit.SECONDS);
        assertThat(service.module + " exited within " + grace + " s of SIGTERM" + (exited ? "" : logs(service)),
                exited, is(true));
        int code = r.process().exitValue();
        assertThat(service.module + " exit code " + code + " (0, or 143 for SIGTERM)" + logs(service),
                code == 0 || code == 143, is(true));
    }

    private Running start(ServiceModule service, String prefix) throws IOException {
        if (!Files.isRegularFile(service.jar())) {
            throw new AssertionError(Repo.ROOT.relativize(service.jar()) + " is missing: package the services first"
                    + " (`mvn -DskipTests package`, or `mvn verify` from the root, where deploy-tests comes last)");
        }
        List<String> command = new ArrayList<>();
        List<String> entrypoint = Dockerfile.read().entrypoint();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (int i = 1; i < entrypoint.size(); i++) {
            boolean jarPath = entrypoint.get(i - 1).equals("-jar");
            command.add(jarPath ? service.jar().toString() : entrypoint.get(i));
        }
        Manifests dev = Manifests.of("dev");
        String instanceId = service.module + "-deploytest-0";
        ProcessBuilder pb = new ProcessBuilder(command).directory(LOGS.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        EnvironmentTest.environment(dev, service).forEach((name, value) ->
                env.put(name, value.equals("fieldRef:metadata.name") ? instanceId : value));
        env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaExtension.bootstrapServers());
        env.put("KAFKA_TOPIC_PREFIX", prefix);
        // The test broker is an open one (the closed bus is system-tests' ClosedBusTest): no Kafka login here.
        env.keySet().removeIf(name -> name.startsWith("KAFKA_SECURITY_"));
        // What a site overlay does: real secrets instead of the placeholders, which the gateway refuses.
        env.replaceAll((name, value) -> !value.startsWith("REPLACE_ME") ? value
                : name.equals("ADMIN_PASSWORD_HASH") ? PasswordHash.hash("deploy test", 1000)
                : UUID.randomUUID().toString());
        int port = freePort();
        env.put("SERVER_PORT", Integer.toString(port));
        int observePort = port;
        if (env.containsKey("OBSERVE_PORT")) {
            do {
                observePort = freePort(); // another ask can get the same port back, once the first one is closed
            } while (observePort == port);
            env.put("OBSERVE_PORT", Integer.toString(observePort));
        }
        String limit = dev.container(service.deployment()).at("/resources/limits/memory").asText();
        env.put("JDK_JAVA_OPTIONS", "-XX:MaxRAM=" + bytes(limit));
        Path log = LOGS.resolve(service.module + ".log");
        Process process = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Running(service, process, port, observePort, instanceId, log);
    }

    private void awaitStatus(Running r, String path, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!r.process().isAlive()) {
                throw new AssertionError(r.service().module + " exited (" + r.process().exitValue() + ") before "
                        + path + " answered 200" + logs(r.service()));
            }
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + (path.startsWith("/observe") ? r.observePort() : r.port()) + path)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            sleep(250);
        }
        throw new AssertionError(r.service().module + " " + path + " did not answer 200 within " + timeout
                + " (last: " + last + ")" + logs(r.service()));
    }

    /** The first line of {@code r}'s log that is a JSON object {@code match} accepts, waiting up to 30 s for it. */
    private static JsonNode awaitLogLine(Running r, java.util.function.Predicate<JsonNode> match) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                for (String line : Files.readAllLines(r.log())) {
                    if (line.startsWith("{")) {
                        JsonNode node = Json.tree(line);
                        if (match.test(node)) {
                            return node;
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such JSON line in " + r.log());
            }
            sleep(250);
        }
    }

    private String logs(ServiceModule... services) {
        StringBuilder sb = new StringBuilder();
        for (ServiceModule s : services) {
            Running r = running.get(s);
            try {
                List<String> lines = Files.readAllLines(r.log());
                sb.append("\n--- last lines of ").append(Repo.ROOT.relativize(r.log())).append(":\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            } catch (IOException e) {
                sb.append("\n(no log ").append(r.log()).append(")");
            }
        }
        return sb.toString();
    }

    /** A Kubernetes memory quantity (512Mi, 1Gi, 1G, ...) in bytes. */
    static long bytes(String quantity) {
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"k", "1000"}, {"M", "1000000"},
                {"G", "1000000000"}};
        for (String[] u : units) {
            if (quantity.endsWith(u[0])) {
                return Long.parseLong(quantity.substring(0, quantity.length() - u[0].length())) * Long.parseLong(u[1]);
            }
        }
        return Long.parseLong(quantity);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
