package dev.huddle.gateway;

import io.helidon.config.Config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code hello.iceServers} list: STUN servers as configured, TURN servers with short-lived credentials that
 * coturn checks with {@code use-auth-secret}: username {@code <expiry unix seconds>:<peerId>}, credential
 * {@code base64(HMAC-SHA1(secret, username))}. The secret never leaves this class (nor reaches a log).
 */
final class IceServers {
    private final List<String> stun;
    private final List<String> turn;
    private final byte[] secret;
    private final long ttlSeconds;

    IceServers(List<String> stun, List<String> turn, String secret, long ttlSeconds) {
        this.stun = List.copyOf(stun);
        this.turn = List.copyOf(turn);
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.ttlSeconds = ttlSeconds;
    }

    /** From the {@code gateway} config node. */
    static IceServers create(Config gateway) {
        return new IceServers(
                list(gateway.get("stun.urls").asString().orElse("stun:stun.l.google.com:19302")),
                list(gateway.get("turn.urls").asString().orElse("")),
                gateway.get("turn.secret").asString().orElse(""),
                gateway.get("turn.ttl.seconds").asLong().orElse(86400L));
    }

    /** RTCIceServer objects for one peer's connection. */
    List<Map<String, Object>> forPeer(String peerId, long nowMs) {
        List<Map<String, Object>> servers = new ArrayList<>();
        if (!stun.isEmpty()) {
            servers.add(Map.of("urls", stun));
        }
        if (!turn.isEmpty() && secret.length > 0) {
            String username = (nowMs / 1000 + ttlSeconds) + ":" + peerId;
            Map<String, Object> server = new LinkedHashMap<>();
            server.put("urls", turn);
            server.put("username", username);
            server.put("credential", credential(secret, username));
            servers.add(server);
        }
        return servers;
    }

    static String credential(byte[] secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 unavailable", e);
        }
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public String toString() { // no secret
        return "IceServers[stun=" + stun + ", turn=" + turn + ", ttl=" + ttlSeconds + "s]";
    }
}
