package dev.huddle.kafka;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Writes wait for every in-sync replica, and the services log in as kafka.security.* says, from mounted files. */
class KafkaSettingsTest {
    @Test
    void producersWaitForAllInSyncReplicas() {
        Properties p = KafkaSettings.of("localhost:9092", "huddle.").producer("test");
        assertThat("acks", p.get("acks"), is("all"));
        assertThat("idempotent, so a retried send is written once", p.get("enable.idempotence"), is(true));
    }

    @Test
    void localModeIsPlaintext() {
        KafkaSettings settings = KafkaSettings.create(config(Map.of()));
        for (Properties p : new Properties[] {settings.admin(), settings.producer("p"), settings.consumer("c", "g")}) {
            assertThat(p.get("security.protocol"), is("PLAINTEXT"));
            assertThat(p.get("sasl.jaas.config"), nullValue());
        }
    }

    @Test
    void scramLoginFromAPasswordFileAndAPemTruststore() throws Exception {
        Path dir = Files.createTempDirectory("kafka-security");
        Files.writeString(dir.resolve("password"), "s3cret\"pw\n");
        Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        KafkaSettings settings = KafkaSettings.create(config(Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.security.sasl.username", "huddle-gateway",
                "kafka.security.sasl.password.file", dir.resolve("password").toString(),
                "kafka.security.truststore.file", dir.resolve("ca.crt").toString())));
        for (Properties p : new Properties[] {settings.admin(), settings.producer("p"), settings.consumer("c", "g")}) {
            assertThat(p.get("security.protocol"), is("SASL_SSL"));
            assertThat(p.get("sasl.mechanism"), is("SCRAM-SHA-512"));
            assertThat(p.get("sasl.jaas.config"), is("org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"huddle-gateway\" password=\"s3cret\\\"pw\";"));
            assertThat(p.get("ssl.truststore.type"), is("PEM"));
            assertThat(p.get("ssl.truststore.location"), is(dir.resolve("ca.crt").toString()));
        }
        assertThat("the password stays out of logs", settings.security().toString(), not(containsString("s3cret")));
    }

    @Test
    void badSecuritySettingsGetAClearError() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> KafkaSettings.create(config(Map.of(
                "kafka.security.protocol", "SASL_SSL")))).getMessage(), containsString("kafka.security.sasl.username"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> KafkaSettings.create(config(Map.of(
                "kafka.security.protocol", "SASL_SSL", "kafka.security.sasl.username", "u",
                "kafka.security.sasl.password.file", "/nonexistent/password")))).getMessage(),
                containsString("/nonexistent/password cannot be read"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> KafkaSettings.create(config(Map.of(
                "kafka.security.protocol", "TLS")))).getMessage(), containsString("kafka.security.protocol"));
    }

    private static Config config(Map<String, String> values) {
        return Config.just(ConfigSources.create(new HashMap<>(values)));
    }
}
