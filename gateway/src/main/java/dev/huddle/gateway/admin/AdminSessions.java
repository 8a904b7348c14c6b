package dev.huddle.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in operators, kept on this gateway only (a sign-in does not follow the operator to another gateway;
 * the dashboard is served by, and talks to, one gateway). The token is both the cookie value and the Bearer
 * token; the map is keyed by its SHA-256 so that neither a heap dump nor a timing difference in the lookup
 * gives a live token away.
 */
final class AdminSessions {
    /** One sign-in. {@code csrf} must come back in {@code X-CSRF-Token} on every action. */
    record Session(String user, String csrf, long expiresAt) {
    }

    /** What {@link #create} hands out once: the token (never stored as such) and the session. */
    record Created(String token, Session session) {
    }

    private static final int MAX_SESSIONS = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final long ttlMs;

    AdminSessions(long ttlMs) {
        this.ttlMs = ttlMs;
    }

    Created create(String user, long now) {
        purge(now);
        if (sessions.size() >= MAX_SESSIONS) {
            // Someone with the password signs in in a loop: the oldest sign-ins make room.
            sessions.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().expiresAt()))
                    .ifPresent(e -> sessions.remove(e.getKey()));
        }
        String token = random();
        Session session = new Session(user, random(), now + ttlMs);
        sessions.put(hash(token), session);
        return new Created(token, session);
    }

    Optional<Session> find(String token, long now) {
        if (token == null || token.isEmpty() || token.length() > 100) {
            return Optional.empty();
        }
        String key = hash(token);
        Session s = sessions.get(key);
        if (s == null) {
            return Optional.empty();
        }
        if (s.expiresAt() <= now) {
            sessions.remove(key);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    void remove(String token) {
        if (token != null) {
            sessions.remove(hash(token));
        }
    }

    void purge(long now) {
        sessions.values().removeIf(s -> s.expiresAt() <= now);
    }

    int size() {
        return sessions.size();
    }

    long ttlMs() {
        return ttlMs;
    }

    /** 256 random bits, URL-safe. */
    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
