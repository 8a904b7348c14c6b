package dev.huddle.kafka;

import io.helidon.config.Config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How a service authenticates to Kafka, from the {@code kafka.security} config node: {@code protocol}
 * ({@code PLAINTEXT}, the local default, or {@code SASL_SSL}/{@code SASL_PLAINTEXT}), {@code sasl.mechanism}
 * ({@code SCRAM-SHA-512}), {@code sasl.username} with {@code sasl.password.file} (or a whole JAAS line in
 * {@code sasl.jaas.file}), and {@code truststore.file} (the cluster CA as PEM). Credentials are read from files
 * (mounted Secrets), never taken from the config itself.
 *
 * @param protocol   Kafka's security.protocol
 * @param mechanism  SASL mechanism, null without SASL
 * @param jaasConfig the sasl.jaas.config line, null without SASL
 * @param truststore PEM file of the CA to trust, null for the JVM's default trust
 */
public record KafkaSecurity(String protocol, String mechanism, String jaasConfig, Path truststore) {
    public static final KafkaSecurity PLAINTEXT = new KafkaSecurity("PLAINTEXT", null, null, null);

    public static KafkaSecurity create(Config config) {
        Config security = config.get("kafka").get("security");
        String protocol = security.get("protocol").asString().orElse("PLAINTEXT").trim();
        if (protocol.equals("PLAINTEXT") || protocol.equals("SSL")) {
            return new KafkaSecurity(protocol, null, null, truststore(security));
        }
        if (!protocol.equals("SASL_SSL") && !protocol.equals("SASL_PLAINTEXT")) {
            throw new IllegalArgumentException("kafka.security.protocol must be PLAINTEXT, SSL, SASL_SSL or "
                    + "SASL_PLAINTEXT, not '" + protocol + "'");
        }
        String mechanism = security.get("sasl.mechanism").asString().orElse("SCRAM-SHA-512");
        String jaas = security.get("sasl.jaas.file").asString().map(f -> read(f, "kafka.security.sasl.jaas.file"))
                .orElse(null);
        if (jaas == null) {
            String user = security.get("sasl.username").asString().orElseThrow(() -> new IllegalArgumentException(
                    "kafka.security.protocol " + protocol + " needs kafka.security.sasl.username and "
                            + "kafka.security.sasl.password.file (or kafka.security.sasl.jaas.file)"));
            String password = read(security.get("sasl.password.file").asString().orElseThrow(
                    () -> new IllegalArgumentException("kafka.security.sasl.password.file is not set")),
                    "kafka.security.sasl.password.file");
            jaas = scram(user, password);
        }
        return new KafkaSecurity(protocol, mechanism, jaas, truststore(security));
    }

    /** A SCRAM login line for {@code user}. */
    public static String scram(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + escape(user)
                + "\" password=\"" + escape(password) + "\";";
    }

    /** Adds these settings to a client's properties. */
    public void applyTo(Properties p) {
        p.put("security.protocol", protocol);
        if (mechanism != null) {
            p.put("sasl.mechanism", mechanism);
            p.put("sasl.jaas.config", jaasConfig);
        }
        if (truststore != null) {
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.location", truststore.toString());
        }
    }

    @Override
    public String toString() {
        // never the JAAS line: it holds the password
        return "KafkaSecurity[" + protocol + (mechanism == null ? "" : ", " + mechanism) + "]";
    }

    private static Path truststore(Config security) {
        return security.get("truststore.file").asString().map(f -> {
            Path p = Path.of(f);
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("kafka.security.truststore.file " + f + " cannot be read");
            }
            return p;
        }).orElse(null);
    }

    private static String read(String file, String key) {
        try {
            String value = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
            if (value.isEmpty()) {
                throw new IllegalArgumentException(key + " " + file + " is empty");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException(key + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
