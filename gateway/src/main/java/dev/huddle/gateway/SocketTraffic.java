package dev.huddle.gateway;

import dev.huddle.events.ErrorCode;
import dev.huddle.gateway.admin.SocketCounters;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's frames and bytes (UTF-8 for text) received and sent, and the last error it was answered with:
 * the admin API's socket detail. Written by the reading thread and the writer, read by the admin API.
 */
final class SocketTraffic {
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private volatile LastError lastError;

    private record LastError(String code, long ts) {
    }

    /** Bytes of a frame, or of a fragment of one, as they arrive. */
    void bytesIn(long bytes) {
        bytesIn.addAndGet(bytes);
    }

    /** A whole frame arrived (text or binary, counted whatever becomes of it). */
    void frameIn() {
        framesIn.incrementAndGet();
    }

    /** A text frame was written to the socket. */
    void sent(long bytes) {
        framesOut.incrementAndGet();
        bytesOut.addAndGet(bytes);
    }

    void error(ErrorCode code, long now) {
        lastError = new LastError(code.wire(), now);
    }

    SocketCounters snapshot() {
        LastError e = lastError;
        return new SocketCounters(framesIn.get(), framesOut.get(), bytesIn.get(), bytesOut.get(),
                e == null ? null : e.code(), e == null ? null : e.ts());
    }
}
