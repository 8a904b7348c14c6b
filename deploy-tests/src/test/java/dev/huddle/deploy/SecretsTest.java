package dev.huddle.deploy;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/** The gateway's secrets are wired, and what git holds of them is an obvious placeholder. */
class SecretsTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void gatewaySecretsArePlaceholders(String overlay) {
        Map<String, String> gateway = EnvironmentTest.environment(Manifests.of(overlay), ServiceModule.GATEWAY);
        for (String name : new String[] {"ADMIN_PASSWORD_HASH", "ADMIN_SESSION_KEY", "GATEWAY_TURN_SECRET"}) {
            assertThat(overlay + ": gateway gets", gateway, hasKey(name));
            assertThat(overlay + ": " + name + " in git is a placeholder", gateway.get(name), startsWith("REPLACE_ME"));
        }
        // A placeholder that parsed as a hash would be a known password; this one lets nobody in.
        assertThat("placeholder is no PBKDF2 hash", gateway.get("ADMIN_PASSWORD_HASH").startsWith("pbkdf2$"), is(false));
        for (var secret : Manifests.of(overlay).all("Secret")) {
            String name = secret.at("/metadata/name").asText();
            assertThat(overlay + ": Secret " + name + " keys are all read by the gateway",
                    gateway.keySet().containsAll(Manifests.of(overlay).data("Secret", name).keySet()), is(true));
        }
    }
}
