package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A connection's parts without a socket: what they send the client is recorded (parsed), closes too, and
 * the meters are registered under an id of their own.
 */
final class ClientFake implements ClientChannel, AutoCloseable {
    final List<String> frames = new ArrayList<>();
    final List<Integer> closes = new ArrayList<>();
    final SocketTraffic traffic = new SocketTraffic();
    final GatewayMetrics metrics = new GatewayMetrics("unit-" + UUID.randomUUID(), () -> 1);
    final Answers answers = new Answers(this, metrics, traffic);

    @Override
    public synchronized void send(String frame) {
        if (closes.isEmpty()) {
            frames.add(frame);
        }
    }

    @Override
    public synchronized boolean close(int code, String reason, boolean drop) {
        if (!closes.isEmpty()) {
            return false;
        }
        closes.add(code);
        return true;
    }

    @Override
    public synchronized boolean closing() {
        return !closes.isEmpty();
    }

    synchronized List<JsonNode> received() {
        return frames.stream().map(Json::tree).toList();
    }

    /** The only frame received since the last call, parsed. */
    synchronized JsonNode only() {
        if (frames.size() != 1) {
            throw new AssertionError("expected one frame, got " + frames);
        }
        JsonNode f = Json.tree(frames.getFirst());
        frames.clear();
        return f;
    }

    @Override
    public void close() {
        metrics.close();
    }
}
