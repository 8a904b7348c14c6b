package dev.huddle.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.huddle.kafka.KafkaSecurity;
import dev.huddle.kafka.ServiceAccess;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one), started from Kafka's own
 * artifacts inside this JVM: for local mode and for integration tests, where no Docker engine runs.
 * Its data stays in {@code dataDir}, so it can be stopped and started again with its topics intact.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** The broker's own user on a closed bus: a super user, as Strimzi's operators are on theirs. */
    private static final String ADMIN = "admin";

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    /** Non-null: a closed bus (SASL/SCRAM-SHA-512 logins, ACLs enforced) and the admin's password. */
    private final String adminPassword;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path dataDir, int port, int controllerPort, String adminPassword) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.adminPassword = adminPassword;
    }

    /**
     * Formats {@code dataDir} if needed and starts the broker on {@code port} (0: a free port); returns when
     * it answers an admin client.
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, port, null);
    }

    /**
     * A closed bus like production's: clients log in with SASL/SCRAM-SHA-512 and may do only what ACLs allow
     * ({@link #addUser}); the broker's own {@code admin} user is the only super user ({@link #adminSecurity}).
     */
    public static EmbeddedKafka startClosed(Path dataDir) {
        return start(dataDir, 0, UUID.randomUUID().toString());
    }

    private static EmbeddedKafka start(Path dataDir, int port, String adminPassword) {
        try {
            Files.createDirectories(dataDir);
            Path ports = dataDir.resolve("ports");
            int p;
            int c;
            if (port == 0 && Files.exists(ports)) {
                String[] saved = Files.readString(ports).trim().split(" ");
                p = Integer.parseInt(saved[0]);
                c = Integer.parseInt(saved[1]);
            } else {
                p = port == 0 ? freePort() : port;
                // Two asks for a free port can get the same one (it is free again once the first socket closes),
                // and a broker cannot take one port for both listeners.
                do {
                    c = freePort();
                } while (c == p);
            }
            Files.writeString(ports, p + " " + c);
            EmbeddedKafka kafka = new EmbeddedKafka(dataDir, p, c, adminPassword);
            kafka.startServer();
            return kafka;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot prepare Kafka data folder " + dataDir, e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Starts the broker again after {@link #stop()}, on the same port and data. */
    public synchronized void restart() {
        if (server == null) {
            startServer();
        }
    }

    /** Stops the broker (clients see it gone), keeping its data. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void startServer() {
        Properties props = properties();
        Path logs = dataDir.resolve("logs");
        try {
            if (!Files.exists(logs.resolve("meta.properties"))) {
                Path configFile = dataDir.resolve("server.properties");
                try (Writer w = Files.newBufferedWriter(configFile)) {
                    props.store(w, "embedded broker");
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                List<String> format = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(),
                        "-c", configFile.toString(), "--ignore-formatted"));
                if (adminPassword != null) {
                    // the admin's credentials must exist before the broker logs in to itself
                    format.addAll(List.of("--add-scram",
                            "SCRAM-SHA-512=[name=" + ADMIN + ",password=" + adminPassword + "]"));
                }
                int rc = StorageTool.execute(format.toArray(String[]::new),
                        new PrintStream(out, true, StandardCharsets.UTF_8));
                if (rc != 0) {
                    throw new IllegalStateException("Formatting Kafka storage failed: " + out);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        awaitReady();
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("logs").toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "6");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // The default dedupe buffer takes 128 MB of heap; compacted topics here are small.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        if (adminPassword != null) {
            p.put("listeners", "SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
            p.put("inter.broker.listener.name", "SASL_PLAINTEXT");
            p.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
            p.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                    KafkaSecurity.scram(ADMIN, adminPassword));
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.put("allow.everyone.if.no.acl.found", "false");
            // ANONYMOUS is the controller listener's principal (loopback only, the node talking to itself)
            p.put("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
        }
        return p;
    }

    /** How the broker's super user logs in (null: an open broker, PLAINTEXT). */
    public KafkaSecurity adminSecurity() {
        return adminPassword == null ? KafkaSecurity.PLAINTEXT : sasl(ADMIN, adminPassword);
    }

    /**
     * Adds a SCRAM-SHA-512 user that may do what {@code grants} say on topics and groups under {@code topicPrefix}
     * (the KafkaUsers of k8s/base/kafka-users.yaml, on this broker), and returns its login.
     */
    public KafkaSecurity addUser(String user, String password, String topicPrefix, List<ServiceAccess.Grant> grants) {
        if (adminPassword == null) {
            throw new IllegalStateException("An open broker has no users: start it with startClosed");
        }
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        adminSecurity().applyTo(p);
        try (Admin admin = Admin.create(p)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all().get(30, TimeUnit.SECONDS);
            List<AclBinding> acls = new ArrayList<>();
            for (ServiceAccess.Grant g : grants) {
                ResourcePattern resource = new ResourcePattern(
                        g.resource().equals("group") ? ResourceType.GROUP : ResourceType.TOPIC,
                        topicPrefix + g.name(), g.prefix() ? PatternType.PREFIXED : PatternType.LITERAL);
                for (String op : g.operations()) {
                    acls.add(new AclBinding(resource, new AccessControlEntry("User:" + user, "*",
                            AclOperation.fromString(op), AclPermissionType.ALLOW)));
                }
            }
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot add Kafka user " + user + ": " + e.getMessage(), e);
        }
        return sasl(user, password);
    }

    private static KafkaSecurity sasl(String user, String password) {
        return new KafkaSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", KafkaSecurity.scram(user, password), null);
    }

    private void awaitReady() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        adminSecurity().applyTo(p);
        long deadline = System.currentTimeMillis() + 60_000;
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("Kafka did not become ready", e);
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
