package dev.huddle.gateway;

import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;

/**
 * What one connection says to its client: frames (lone surrogates escaped again, see
 * {@link Unicode#escapeLoneSurrogates}), failures as a reply or an error push, and the count of every refusal
 * (the gateway's {@code frames_rejected} meter and the socket's last error).
 */
final class Answers {
    private final ClientChannel out;
    private final GatewayMetrics metrics;
    private final SocketTraffic traffic;

    Answers(ClientChannel out, GatewayMetrics metrics, SocketTraffic traffic) {
        this.out = out;
        this.metrics = metrics;
        this.traffic = traffic;
    }

    /** Queues a frame for the client. */
    void push(String frame) {
        out.send(Unicode.escapeLoneSurrogates(frame));
    }

    /** A failure reply when {@code ref} is set, else an {@code error} push about {@code type}. */
    void fail(String ref, String type, ErrorCode code, String message) {
        reject(code);
        push(Frames.failed(ref, type, code, message));
    }

    /** Counts a refused frame (also one that gets no answer). */
    void reject(ErrorCode code) {
        metrics.rejected(code);
        traffic.error(code, System.currentTimeMillis());
    }

    boolean close(int code, String reason) {
        return out.close(code, reason, false);
    }

    boolean closing() {
        return out.closing();
    }
}
