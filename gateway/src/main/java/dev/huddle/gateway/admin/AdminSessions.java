package dev.huddle.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Operators' sign-ins. A token is {@code id.expiresAt.mac}: 256 random bits, the expiry, and an HMAC of both
 * under a key derived from the random {@code admin.session.key} (a Secret; never the password hash, which is no
 * secret key) and the password hash. Every gateway has the same two, so every gateway accepts a sign-in made on
 * another one (a load balancer may send the dashboard's calls anywhere), and the expiry is the server's, not the
 * browser's. The CSRF token is derived from the id the same way. A password change (a new hash) ends every sign-in
 * on every gateway.
 *
 * <p>Sign-outs are revoked everywhere: the gateway that handles one writes it to the {@code admin-revocations}
 * topic, and every gateway refuses the ids it reads there ({@link #revoked}) until they would have expired.
 */
final class AdminSessions {
    /** One sign-in. {@code csrf} must come back in {@code X-CSRF-Token} on every action. */
    record Session(String id, String user, String csrf, long expiresAt) {
    }

    /** What {@link #create} hands out: the token (cookie value and Bearer token) and the session. */
    record Created(String token, Session session) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final int MAX_TOKEN = 200;

    private final byte[] key;
    private final String user;
    private final long ttlMs;
    /** A sign-out on the {@code admin-revocations} topic, keyed by the session id. */
    record Revocation(long expiresAt) {
    }

    /** Signed-out ids and when their token would have expired anyway. */
    private final Map<String, Long> revoked = new ConcurrentHashMap<>();

    /**
     * @param sessionKey   the shared random key; blank: a random key of this gateway's own
     * @param passwordHash the configured hash; {@code null} when sign-in is off (then no token is ever valid)
     */
    AdminSessions(String sessionKey, String passwordHash, String user, long ttlMs) {
        if (passwordHash == null || sessionKey == null || sessionKey.isBlank()) {
            // No shared key: a random one, so no token can be forged (sign-ins then hold on this gateway only).
            this.key = new byte[32];
            RANDOM.nextBytes(this.key);
        } else {
            this.key = sha256(sessionKey + "\nhuddle admin sessions\n" + passwordHash);
        }
        this.user = user;
        this.ttlMs = ttlMs;
    }

    Created create(long now) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String id = B64.encodeToString(random);
        long expiresAt = now + ttlMs;
        String signed = id + "." + expiresAt;
        return new Created(signed + "." + mac("session", signed), session(id, expiresAt));
    }

    Optional<Session> find(String token, long now) {
        if (token == null || token.length() > MAX_TOKEN) {
            return Optional.empty();
        }
        int first = token.indexOf('.');
        int last = token.lastIndexOf('.');
        if (first <= 0 || last <= first) {
            return Optional.empty();
        }
        String signed = token.substring(0, last);
        byte[] expected = mac("session", signed).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, token.substring(last + 1).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        long expiresAt;
        try {
            expiresAt = Long.parseLong(token.substring(first + 1, last));
        } catch (NumberFormatException e) {
            return Optional.empty(); // cannot happen with a valid MAC, but costs nothing to check
        }
        String id = token.substring(0, first);
        if (expiresAt <= now || revoked.containsKey(id)) {
            return Optional.empty();
        }
        return Optional.of(session(id, expiresAt));
    }

    void revoke(Session session) {
        revoked.put(session.id(), session.expiresAt());
    }

    /** A sign-out made on some gateway (read from the {@code admin-revocations} topic). */
    void revoked(String id, long expiresAt) {
        revoked.merge(id, expiresAt, Math::max);
    }

    /** Forgets sign-outs of tokens that have expired since. */
    void purge(long now) {
        revoked.values().removeIf(expiresAt -> expiresAt <= now);
    }

    private Session session(String id, long expiresAt) {
        return new Session(id, user, mac("csrf", id), expiresAt);
    }

    private String mac(String purpose, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((purpose + "\n").getBytes(StandardCharsets.UTF_8));
            return B64.encodeToString(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
