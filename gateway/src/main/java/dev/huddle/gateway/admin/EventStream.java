package dev.huddle.gateway.admin;

import dev.huddle.json.Json;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /admin/api/events}: Server-Sent Events written by hand on the response's output stream (the
 * registry here has no helidon-webserver-sse). Every second an {@code overview} event; {@code sockets} and
 * {@code rooms} when they changed; {@code feed} with the events feed's new items (newest first); {@code servers} every second (health depends on the clock). The stream ends
 * when the client goes, the sign-in expires or the API closes.
 */
final class EventStream {
    static final long INTERVAL_MS = 1000;
    private static final int MAX_STREAMS = 32;
    static final int FEED_START = 200;

    private final ClusterView view;
    private final TrafficMeter traffic;
    private final EventsFeed feed;
    private final AtomicInteger open = new AtomicInteger();
    private final Object wake = new Object();
    private volatile boolean closed;

    EventStream(ClusterView view, TrafficMeter traffic, EventsFeed feed) {
        this.view = view;
        this.traffic = traffic;
        this.feed = feed;
    }

    /** Runs on the request's (virtual) thread for as long as the stream lasts. */
    void serve(ServerResponse res, BooleanSupplier signedIn) {
        if (open.incrementAndGet() > MAX_STREAMS) {
            open.decrementAndGet();
            throw new ApiError(Status.SERVICE_UNAVAILABLE_503, "unavailable",
                    "Too many open event streams on this gateway; poll /admin/api/overview instead");
        }
        try {
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.header("X-Accel-Buffering", "no"); // tell nginx-style proxies not to buffer the stream
            try (OutputStream out = res.outputStream()) {
                out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                long sentSessions = -1;
                long sentRooms = -1;
                long sentFeed = 0;
                while (!closed && signedIn.getAsBoolean()) {
                    long now = System.currentTimeMillis();
                    StringBuilder events = new StringBuilder();
                    event(events, "overview", view.overview(now, traffic.latest()));
                    long sessions = view.sessionsVersion();
                    if (sessions != sentSessions) {
                        event(events, "sockets", view.sockets());
                        sentSessions = sessions;
                    }
                    long rooms = view.roomsVersion();
                    if (rooms != sentRooms) {
                        event(events, "rooms", view.rooms());
                        sentRooms = rooms;
                    }
                    event(events, "servers", view.servers(now));
                    long lastFeed = feed.lastSeq();
                    if (lastFeed != sentFeed) {
                        // newest first; the first event of a stream brings the latest FEED_START of them
                        event(events, "feed", feed.since(sentFeed, Set.of(), FEED_START));
                        sentFeed = lastFeed;
                    }
                    out.write(events.toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    if (!pause()) {
                        break;
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // The client went away: nothing to do.
        } finally {
            open.decrementAndGet();
        }
    }

    private static void event(StringBuilder out, String name, Object data) {
        // JSON has no raw newlines, so the payload fits one data: line.
        out.append("event: ").append(name).append('\n').append("data: ").append(Json.write(data)).append("\n\n");
    }

    /** @return false when this stream's thread was interrupted (the server is stopping) */
    private boolean pause() {
        synchronized (wake) {
            if (!closed) {
                try {
                    wake.wait(INTERVAL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** Ends every stream within a moment (the server's stop would otherwise wait for them). */
    void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }
}
