package dev.huddle.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Unguessable identifiers and the hashes presence keeps instead of tokens. */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Ids() {
    }

    /** 120 random bits (protocol: at least 96), 20 url-safe characters. */
    static String peerId() {
        return random(15);
    }

    /** Names one connection in {@code Origin.conn} and deliveries. */
    static String connId() {
        return random(12);
    }

    /** {@code peerId.secret} with 192 random bits of secret (protocol: at least 128). */
    static String resumeToken(String peerId) {
        return peerId + "." + random(24);
    }

    static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return B64.encodeToString(b);
    }
}
