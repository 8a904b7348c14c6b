package dev.huddle.events;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids of commands and deliveries: unique, not secret (they only let receivers drop redeliveries). Drawn from
 * {@link ThreadLocalRandom}, because {@link UUID#randomUUID()} reads the system's secure random source under one
 * lock, which every relay thread of a process queued for (seen in JFR profiles under relay load). Anything that
 * must not be guessed (resume tokens, admin sessions) keeps using {@link java.security.SecureRandom}.
 */
public final class RecordIds {
    private RecordIds() {
    }

    /** A random (version 4) UUID as text. */
    public static String random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;                      // version 4
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        return new UUID(msb, lsb).toString();
    }
}
