package dev.huddle.launcher;

import dev.huddle.service.PasswordHash;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The operator's credentials in local mode: {@code ADMIN_USER} and {@code ADMIN_PASSWORD} from the
 * environment, or a generated password printed once. Gateways get only the hash.
 */
record AdminCredentials(String user, String passwordHash, String sessionKey) {

    static AdminCredentials fromEnvironment() {
        String user = System.getenv().getOrDefault("ADMIN_USER", "admin");
        String password = System.getenv("ADMIN_PASSWORD");
        if (password == null || password.isBlank()) {
            byte[] random = new byte[12];
            new SecureRandom().nextBytes(random);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            System.out.println("admin: user '" + user + "', generated password " + password
                    + " (set ADMIN_USER and ADMIN_PASSWORD to choose)");
        }
        // the local gateways share a random session key, as the k8s ones share the Secret's
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new AdminCredentials(user, PasswordHash.hashAdmin(password),
                Base64.getUrlEncoder().withoutPadding().encodeToString(key));
    }

    /** The gateway settings that carry them. */
    Map<String, String> settings() {
        return Map.of("admin.user", user, "admin.password.hash", passwordHash, "admin.session.key", sessionKey);
    }
}
