package dev.huddle.gateway.admin;

import io.helidon.config.Config;

/**
 * The operator's settings, from the {@code admin} config node (keys listed on {@link AdminApi}).
 *
 * @param user               the one operator account's name
 * @param passwordHash       its PBKDF2 hash ({@link dev.huddle.service.PasswordHash}); empty: nobody can sign in
 * @param readonly           the API shows everything but refuses every action
 * @param sessionTtlMs       how long a sign-in lasts (fixed from login, not sliding)
 * @param loginRatePerMinute login attempts allowed per remote address and minute
 */
public record AdminSettings(String user, String passwordHash, boolean readonly, long sessionTtlMs,
                            int loginRatePerMinute) {

    public static AdminSettings create(Config config) {
        Config admin = config.get("admin");
        return new AdminSettings(
                admin.get("user").asString().orElse("admin"),
                admin.get("password.hash").asString().orElse(""),
                admin.get("readonly").asBoolean().orElse(false),
                admin.get("session.ttl.ms").asLong().orElse(8 * 3_600_000L),
                admin.get("login.rate.per.minute").asInt().orElse(10));
    }

    /** Without a password hash the API stays up (read-only views are useless without login) but nobody gets in. */
    public boolean loginEnabled() {
        return passwordHash != null && !passwordHash.isBlank();
    }
}
