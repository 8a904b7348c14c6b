package dev.huddle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import dev.huddle.kafka.ServiceAccess;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Kafka is not an open bus: one TLS listener with SCRAM-SHA-512 logins, ACLs enforced, and one KafkaUser per
 * service granting exactly what {@link ServiceAccess} (docs/architecture.md's topic table) gives it; each service
 * logs in as its own user with the password and CA that Strimzi makes.
 */
class KafkaUsersTest {
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theOnlyListenerIsTlsWithScramAndAclsAreEnforced(String overlay) {
        JsonNode kafka = Manifests.of(overlay).one("Kafka", "huddle-kafka").at("/spec");
        JsonNode listeners = kafka.at("/kafka/listeners");
        assertThat(overlay + ": listeners", listeners.size(), is(1));
        assertThat("tls", listeners.get(0).path("tls").asBoolean(), is(true));
        assertThat("authentication", listeners.get(0).at("/authentication/type").asText(), is("scram-sha-512"));
        assertThat("authorization", kafka.at("/kafka/authorization/type").asText(), is("simple"));
        assertThat("User Operator", kafka.at("/entityOperator/userOperator").isObject(), is(true));
        Map<String, String> config = Manifests.of(overlay).data("ConfigMap", "huddle-config");
        assertThat(config.get("KAFKA_SECURITY_PROTOCOL"), is("SASL_SSL"));
        assertThat(config.get("KAFKA_SECURITY_SASL_MECHANISM"), is("SCRAM-SHA-512"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void eachServiceHasAUserWithExactlyItsAcls(String overlay) {
        Manifests m = Manifests.of(overlay);
        String prefix = m.data("ConfigMap", "huddle-config").get("KAFKA_TOPIC_PREFIX");
        Set<String> users = new TreeSet<>();
        for (JsonNode user : m.all("KafkaUser")) {
            users.add(user.at("/metadata/name").asText());
        }
        Set<String> expectedUsers = new TreeSet<>();
        ServiceAccess.services().forEach(s -> expectedUsers.add("huddle-" + s));
        assertThat(overlay + ": KafkaUsers", users, is(expectedUsers));
        for (String service : ServiceAccess.services()) {
            JsonNode user = m.one("KafkaUser", "huddle-" + service);
            assertThat(service + " authentication", user.at("/spec/authentication/type").asText(), is("scram-sha-512"));
            assertThat(service + " cluster", user.at("/metadata/labels/strimzi.io~1cluster").asText(), is("huddle-kafka"));
            Set<String> granted = new TreeSet<>();
            for (JsonNode acl : user.at("/spec/authorization/acls")) {
                JsonNode r = acl.path("resource");
                assertThat(service + ": only allow rules", acl.path("type").asText("allow"), is("allow"));
                for (JsonNode op : acl.path("operations")) {
                    granted.add(r.path("type").asText() + " " + r.path("patternType").asText("literal") + " "
                            + r.path("name").asText() + " " + op.asText());
                }
            }
            Set<String> declared = new TreeSet<>();
            for (ServiceAccess.Grant g : ServiceAccess.grants(service)) {
                for (String op : g.operations()) {
                    declared.add(g.resource() + " " + (g.prefix() ? "prefix" : "literal") + " " + prefix + g.name() + " " + op);
                }
            }
            assertThat(overlay + ": ACLs of huddle-" + service, granted, is(declared));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void eachServiceLogsInAsItsOwnUser(String overlay) {
        Manifests m = Manifests.of(overlay);
        for (ServiceModule s : ServiceModule.values()) {
            Map<String, String> env = EnvironmentTest.environment(m, s);
            assertThat(s.module + " user", env.get("KAFKA_SECURITY_SASL_USERNAME"), is("huddle-" + s.module));
            JsonNode pod = m.one("Deployment", s.deployment()).at("/spec/template/spec");
            List<String> secrets = new ArrayList<>();
            for (JsonNode v : pod.path("volumes")) {
                if (v.has("secret")) {
                    secrets.add(v.at("/secret/secretName").asText());
                }
            }
            assertThat(s.module + " mounts its user's Secret and the cluster CA", new TreeSet<>(secrets),
                    is(new TreeSet<>(List.of("huddle-" + s.module, "huddle-kafka-cluster-ca-cert"))));
            for (String file : List.of("KAFKA_SECURITY_SASL_PASSWORD_FILE", "KAFKA_SECURITY_TRUSTSTORE_FILE")) {
                String path = env.get(file);
                boolean mounted = false;
                for (JsonNode mount : m.container(s.deployment()).path("volumeMounts")) {
                    mounted |= path != null && path.startsWith(mount.path("mountPath").asText() + "/");
                }
                assertThat(s.module + ": " + file + " " + path + " is in a mounted volume", mounted, is(true));
            }
        }
    }
}
