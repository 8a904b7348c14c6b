package dev.huddle.service;

import io.helidon.config.Config;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Who this process is: its kind ({@code gateway}, {@code rooms}, ...), a unique id, version and start time.
 */
public record Instance(String kind, String id, String version, long started) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Id from {@code instance.id} (e.g. the pod name via {@code INSTANCE_ID}), else kind plus random hex. */
    public static Instance create(String kind, Config config) {
        String id = config.get("instance.id").asString()
                .orElseGet(() -> kind + "-" + HexFormat.of().formatHex(randomBytes(4)));
        String version = Instance.class.getPackage().getImplementationVersion();
        return new Instance(kind, id, version == null ? "dev" : version, System.currentTimeMillis());
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
