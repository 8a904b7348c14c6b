package dev.huddle.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.json.Json;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code join}: a connection joins a fresh room, waits for the reply, leaves, and again, one at a time. The
 * join reply latency is the cost of creating a room: gateway, Kafka, rooms-service (which publishes the room's
 * members and waits for the broker's ack before replying), Kafka, gateway. A connection does as many joins as
 * its rate limit's burst allows (two frames each), then the next one takes over, as separate users would:
 * one connection joining as fast as it can would measure the rate limiter, not the join.
 */
final class JoinScenario {
    private final Options options;
    private final HttpClient http;
    private final Duration timeout;
    private final ErrorCounts errors = new ErrorCounts();
    private final Latency joins = new Latency();
    private final Latency leaves = new Latency();
    private final Client.Handler pushes = new Client.Handler() {
        @Override
        public void push(Client client, JsonNode frame) {
            if (frame.path("type").asText().equals("error")) {
                errors.add(frame.path("data").path("code").asText("error_without_code"));
            }
        }

        @Override
        public void closed(Client client, int code) {
            // Seen by the loop as connection_lost before the next join.
        }
    };

    JoinScenario(Options options, HttpClient http) {
        this.options = options;
        this.http = http;
        this.timeout = Duration.ofSeconds(options.timeout());
    }

    Report run() throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(options.seconds());
        String runId = UUID.randomUUID().toString().substring(0, 8);
        Client client = null;
        int done = 0;
        int failures = 0; // connections lost or refused
        int onThisConnection = 0;
        while (done < options.joins() && System.nanoTime() < deadline) {
            if (client != null && client.isOpen() && onThisConnection >= joinsPerConnection(client)) {
                client.close();
                client = null;
            }
            if (client == null || !client.isOpen()) {
                if (client != null) {
                    errors.add("connection_lost");
                    failures++;
                }
                onThisConnection = 0;
                client = connect();
                if (client == null) {
                    failures++;
                }
                if (failures > 10) {
                    errors.add("gave_up");
                    break;
                }
                if (client == null) {
                    continue;
                }
            }
            String room = "lg-" + runId + "-j" + done;
            done++;
            onThisConnection++;
            if (timed(client, "join", room, joins)) {
                timed(client, "leave", room, leaves);
            }
        }
        if (client != null) {
            client.close();
        }
        return new Report()
                .put("scenario", "join")
                .put("joins", done)
                .put("join_ms", joins.summary())
                .put("leave_ms", leaves.summary())
                .put("errors", errors.snapshot())
                .put("elapsed_s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    /** Join+leave pairs that fit in the connection's burst, with room to spare for the hello's own frames. */
    private static int joinsPerConnection(Client client) {
        int burst = client.hello() == null ? 200 : client.hello().path("limits").path("burst").asInt(200);
        return Math.max(1, burst / 2 - 10);
    }

    private Client connect() throws InterruptedException {
        try {
            return Client.connect(http, options.gateways().getFirst(), pushes, timeout).get();
        } catch (ExecutionException e) {
            errors.addFailure(e);
            Thread.sleep(500);
            return null;
        }
    }

    /** Sends one request and records its reply time if it succeeded; false if it failed. */
    private boolean timed(Client client, String type, String room, Latency into) throws InterruptedException {
        var data = Json.object().put("room", room);
        if (type.equals("join")) {
            data.put("nickname", "lg-join");
        }
        long t = System.nanoTime();
        try {
            JsonNode reply = client.request(type, data, timeout).get();
            if (reply.path("ok").asBoolean()) {
                into.recordNanos(System.nanoTime() - t);
                return true;
            }
            errors.add(reply.path("error").path("code").asText("reply_without_code"));
        } catch (ExecutionException e) {
            errors.addFailure(e);
        }
        return false;
    }
}
