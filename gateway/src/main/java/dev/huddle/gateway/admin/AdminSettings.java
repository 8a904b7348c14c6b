package dev.huddle.gateway.admin;

import io.helidon.config.Config;

import dev.huddle.service.Placeholders;

import java.util.Base64;

/**
 * The operator's settings, from the {@code admin} config node (keys listed on {@link AdminApi}).
 *
 * @param user               the one operator account's name
 * @param passwordHash       its PBKDF2 hash ({@link dev.huddle.service.PasswordHash}); empty: nobody can sign in
 * @param readonly           the API shows everything but refuses every action
 * @param sessionTtlMs       how long a sign-in lasts (fixed from login, not sliding)
 * @param loginRatePerMinute login attempts allowed per client address and minute
 * @param sessionKey         random secret that signs sign-in tokens (the same on every gateway); empty: a random
 *                           key of this gateway's own, so its sign-ins are valid on it alone
 * @param trustedProxies     proxies whose X-Forwarded-For names the client ({@code gateway.trusted.proxies}), for
 *                           the login limiter and the audit trail
 */
public record AdminSettings(String user, String passwordHash, boolean readonly, long sessionTtlMs,
                            int loginRatePerMinute, String sessionKey, String trustedProxies) {

    public static AdminSettings create(Config config) {
        Placeholders.refuse(config, "admin.password.hash", "admin.session.key", "gateway.turn.secret");
        Config admin = config.get("admin");
        return new AdminSettings(
                admin.get("user").asString().orElse("admin"),
                admin.get("password.hash").asString().orElse(""),
                admin.get("readonly").asBoolean().orElse(false),
                admin.get("session.ttl.ms").asLong().orElse(8 * 3_600_000L),
                admin.get("login.rate.per.minute").asInt().orElse(10),
                admin.get("session.key").asString().orElse(""),
                config.get("gateway").get("trusted.proxies").asString().orElse(""));
    }

    /**
     * Whether anyone can sign in: only with a well-formed hash ({@code pbkdf2$iterations$salt$hash}). Without
     * one the API stays up but answers 401 to everything.
     */
    public boolean loginEnabled() {
        if (passwordHash == null) {
            return false;
        }
        String[] parts = passwordHash.split("\\$");
        if (parts.length != 4 || !parts[0].equals("pbkdf2") || !parts[1].matches("[1-9][0-9]{0,8}")) {
            return false;
        }
        try {
            Base64.getDecoder().decode(parts[2]);
            return Base64.getDecoder().decode(parts[3]).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
