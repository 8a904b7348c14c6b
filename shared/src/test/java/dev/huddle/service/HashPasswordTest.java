package dev.huddle.service;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The admin hash: hash-password prints one with 600,000 PBKDF2 iterations; placeholders are refused. */
class HashPasswordTest {
    @Test
    void hashPasswordPrintsAHashOfWhatItReads() throws Exception {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream("a long admin password\n".getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            HashPassword.main(new String[0]);
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
        String hash = printed.toString(StandardCharsets.UTF_8).trim();
        assertThat(hash, startsWith("pbkdf2$600000$"));
        assertThat(PasswordHash.verify("a long admin password", hash), is(true));
        assertThat(PasswordHash.verify("another password", hash), is(false));
    }

    @Test
    void placeholderSecretsAreRefused() {
        Config config = Config.just(ConfigSources.create(Map.of("admin.session.key", "REPLACE_ME-with-a-key",
                "admin.password.hash", "pbkdf2$600000$x$y")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Placeholders.refuse(config, "admin.password.hash", "admin.session.key"));
        assertThat(e.getMessage(), containsString("admin.session.key"));
        Placeholders.refuse(config, "admin.password.hash", "gateway.turn.secret"); // real or unset: fine
    }
}
