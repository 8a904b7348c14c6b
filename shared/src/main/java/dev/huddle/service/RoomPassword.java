package dev.huddle.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Room passwords. The costly part, a PBKDF2 key of the password salted with the room's name, is derived by the
 * gateway on the joiner's own connection thread: the plain password never goes to Kafka, and a guesser pays for
 * its guesses on its own thread instead of stalling rooms-service's partition thread, which serves every other
 * room of the partition in order. rooms-service keeps only a SHA-256 of the key and compares with one cheap hash.
 */
public final class RoomPassword {
    /** Fixed: every gateway must derive the same key for the same room and password. */
    static final int ITERATIONS = 10_000;
    private static final String STORED_PREFIX = "sha256$";

    private RoomPassword() {
    }

    /** The key a join carries instead of the password (base64). */
    public static String key(String room, String password) {
        byte[] salt = ("huddle-room:" + room).getBytes(StandardCharsets.UTF_8);
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, ITERATIONS, 256);
            byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            return Base64.getEncoder().encodeToString(key);
        } catch (Exception e) {
            throw new IllegalStateException("PBKDF2 unavailable", e);
        }
    }

    /** What rooms-service stores for a room whose first joiner gave {@code key}. */
    public static String stored(String key) {
        return STORED_PREFIX + Base64.getEncoder().encodeToString(sha256(key));
    }

    /** Whether a joiner's key opens a room stored as {@code stored}; constant time. */
    public static boolean matches(String key, String stored) {
        if (key == null || stored == null || !stored.startsWith(STORED_PREFIX)) {
            return false;
        }
        byte[] expected;
        try {
            expected = Base64.getDecoder().decode(stored.substring(STORED_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(expected, sha256(key));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
