package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.Command;
import dev.huddle.events.commands.Resume;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;
import dev.huddle.events.Origin;
import dev.huddle.events.RequestTypes;
import dev.huddle.json.Json;
import dev.huddle.service.RoomLog;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One connection's requests, from a checked frame to its answer: dispatched by {@link RequestType} (ping and
 * list_rooms answered here, resume through {@link ResumeFlow}, the others made commands for a service, in order per
 * room through {@link RequestOrder}), each with a {@code ref} waiting in {@link PendingRequests} until its reply
 * (or the timeout's {@code unavailable}); and what the replies mean to the connection (rooms joined and left,
 * wrong passwords counted by {@link PasswordGuesses}).
 */
final class Requests {
    private static final System.Logger LOG = System.getLogger(Requests.class.getName());
    /** Requests of one room that may wait for earlier ones of the other service (RequestOrder) */
    static final int ORDER_QUEUE = 64;
    /** How long they wait at most for a service that does not answer (then order gives way to progress) */
    static final long ORDER_CAP_MS = 30_000;

    /** Puts a command on a topic (the gateway's publisher). */
    @FunctionalInterface
    interface Commands {
        CompletableFuture<?> send(TopicSpec topic, String key, Command command);
    }

    /** One request type's handler; every row of the table has one (see {@link #handler}). */
    @FunctionalInterface
    private interface Handler {
        void handle(RequestType type, String ref, JsonNode data, boolean firstFrame, long now)
                throws Validation.Invalid;
    }

    private final Answers answers;
    private final PendingRequests pending;
    private final RequestOrder order;
    private final Commands commands;
    private final Supplier<Origin> origin;
    private final ResumeFlow resume;
    private final ConnectionRooms rooms;
    private final RoomDirectory directory;
    private final RoomDirectory.Watcher watcher;
    private final long timeoutMs;
    private final PasswordGuesses guesses = new PasswordGuesses(); // locks itself
    private final Map<RequestType, TypeLimiter> limits = new EnumMap<>(RequestType.class); // reading thread only

    /**
     * @param origin    the connection as the origin of its commands (its peerId changes with a resume)
     * @param watcher   the connection as a watcher of the room list
     * @param timeoutMs how long a request waits for its reply (for the {@code unavailable} message)
     */
    Requests(Answers answers, PendingRequests pending, Commands commands, Supplier<Origin> origin, ResumeFlow resume,
             ConnectionRooms rooms, RoomDirectory directory, RoomDirectory.Watcher watcher, long timeoutMs) {
        this.answers = answers;
        this.pending = pending;
        this.commands = commands;
        this.origin = origin;
        this.resume = resume;
        this.rooms = rooms;
        this.directory = directory;
        this.watcher = watcher;
        this.timeoutMs = timeoutMs;
        this.order = new RequestOrder(new OrderedSender(), ORDER_QUEUE, ORDER_CAP_MS);
        for (RequestType t : RequestType.values()) {
            if (t.limit != null) {
                limits.put(t, new TypeLimiter(t.limit.perSecond()));
            }
        }
    }

    RequestOrder order() {
        return order;
    }

    /** A request that passed the frame checks ({@link FrameIntake}). */
    void handle(RequestType type, String ref, JsonNode data, boolean firstFrame) {
        try {
            handler(type).handle(type, ref, data, firstFrame, System.currentTimeMillis());
        } catch (Validation.Invalid e) {
            answers.fail(ref, type.wire, ErrorCode.INVALID_FIELD, e.getMessage());
        } catch (RuntimeException e) {
            JsonNode room = data.get("room");
            RoomLog.log(LOG, Level.WARNING, room != null && room.isTextual() ? room.asText() : null, null,
                    "Failed to handle a " + type.wire + " request", e);
            answers.fail(ref, type.wire, ErrorCode.INTERNAL, "Internal error; the request was not processed");
        }
    }

    /** No default: a row without a handler does not compile. */
    private Handler handler(RequestType type) {
        return switch (type) {
            case PING -> this::ping;
            case LIST_ROOMS -> this::listRooms;
            case RESUME -> this::resume;
            case JOIN -> this::join;
            case LEAVE, RENAME, MEDIA, HAND, SIGNAL, CHAT, REACT -> this::forward;
        };
    }

    private void ping(RequestType type, String ref, JsonNode data, boolean firstFrame, long now) {
        ObjectNode answer = Json.object();
        JsonNode t = Validation.field(data, "t");
        if (t != null) {
            answer.set("t", t);
        }
        answer.put("serverTime", now);
        answers.push(ref != null ? Frames.reply(ref, answer) : Frames.push("pong", answer));
    }

    private void listRooms(RequestType type, String ref, JsonNode data, boolean firstFrame, long now)
            throws Validation.Invalid {
        Validation.ListRooms request = Validation.listRooms(data);
        if (ref != null) {
            pending.add(ref, type.wire, null, this::expired);
        }
        directory.caughtUp(rooms.touched()).whenComplete((ok, e) -> {
            if (e != null) {
                LOG.log(Level.DEBUG, "Room list not caught up: " + e);
                return; // the timeout answers unavailable
            }
            directory.list(watcher, request.limit(), request.watch(), listing -> {
                if (ref != null) {
                    answer(ref, Frames.reply(ref, listing));
                }
            });
        });
    }

    /**
     * The gateway's own reply to a pending request (list_rooms), unless it timed out meanwhile. It runs under the
     * directory's lock, and deliveries take the connection's locks first: it takes only the pending requests' own.
     */
    private void answer(String ref, String frame) {
        if (pending.take(ref) != null) {
            answers.push(frame);
        }
    }

    private void resume(RequestType type, String ref, JsonNode data, boolean firstFrame, long now)
            throws Validation.Invalid {
        if (!firstFrame) {
            throw new Validation.Invalid("resume must be the first frame of a connection: open a new connection and"
                    + " send resume first");
        }
        if (ref == null) { // RequestType.Reply.REF_REQUIRED
            throw new Validation.Invalid("resume needs a ref: its reply carries the peerId and the new resumeToken");
        }
        String token = Validation.resumeToken(data);
        if (!Validation.wellFormedToken(token)) {
            // Like an unknown token: the connection goes on as the fresh session its hello announced.
            answers.fail(ref, type.wire, ErrorCode.RESUME_FAILED, "That is not a resume token (expected"
                    + " <peerId>.<secret>, as hello gave it): this connection goes on as the peer its hello announced");
            return;
        }
        String claimed = Validation.tokenPeer(token);
        ResumeAttempt attempt = resume.begin(ref, claimed);
        pending.add(ref, type.wire, null, this::expired);
        commands.send(type.route.topic, claimed, Command.of(origin.get(), ref, claimed, new Resume(claimed,
                        Ids.sha256Hex(token), Ids.sha256Hex(attempt.newToken), resume.freshPeer()), now))
                .whenComplete((md, e) -> {
                    if (e != null) {
                        LOG.log(Level.WARNING, "Could not send a resume command: " + e.getMessage());
                        produceFailed(ref, type.wire);
                    }
                });
    }

    /**
     * A join, unless this connection guessed the room's password wrong too often: then {@code rate_limited}, and
     * before the password's key is derived, so a blocked guesser costs no hash.
     */
    private void join(RequestType type, String ref, JsonNode data, boolean firstFrame, long now)
            throws Validation.Invalid {
        String room = Validation.room(data);
        if (guesses.blocked(room, now)) {
            answers.fail(ref, type.wire, ErrorCode.RATE_LIMITED, "Too many wrong passwords for room '" + room
                    + "': at most " + PasswordGuesses.MAX_WRONG + " a minute; try again in a minute");
            return;
        }
        ObjectNode join = type.validator.check(data);
        if (join.has("passwordKey")) {
            guesses.sent(room, ref, now);
        }
        command(type, ref, join, now);
    }

    /** A request for a service, checked by its row's validator and held to its row's limit. */
    private void forward(RequestType type, String ref, JsonNode data, boolean firstFrame, long now)
            throws Validation.Invalid {
        ObjectNode checked = type.validator.check(data);
        TypeLimiter limiter = limits.get(type);
        if (limiter != null && !limiter.tryAcquire(now)) {
            answers.fail(ref, type.wire, ErrorCode.RATE_LIMITED, "Too many " + type.limit.what() + ": at most "
                    + type.limit.perSecond() + " a second; this one was dropped");
            return;
        }
        command(type, ref, checked, now);
    }

    /**
     * A client request for a service: a command keyed by the room, answered by a delivery. It goes out in the
     * order sent among this connection's requests in the room ({@link RequestOrder}); a rooms request without a
     * ref gets an internal one, so that it is known when it is done.
     */
    private void command(RequestType type, String ref, ObjectNode data, long now) {
        String room = data.get("room").asText();
        if (ref != null) {
            pending.add(ref, type.wire, room, this::expired);
        }
        boolean toRooms = type.route == RequestType.Route.ROOMS;
        RequestOrder.Kind kind = toRooms ? RequestOrder.Kind.ROOMS : RequestOrder.Kind.SIGNALING;
        String sentRef = ref == null && toRooms ? order.internalRef() : ref;
        if (!order.submit(new RequestOrder.Request(kind, type.wire, room, sentRef,
                new Queued(type.route.topic, ref, data, now)), now)) {
            if (ref == null || pending.take(ref) != null) {
                answers.fail(ref, type.wire, ErrorCode.RATE_LIMITED, "Too many requests waiting for earlier ones in"
                        + " room '" + room + "' (at most " + ORDER_QUEUE + "); this one was dropped");
            }
        }
    }

    /** What a request needs to be sent once its turn comes. {@code ref}: the client's own, or null. */
    private record Queued(TopicSpec topic, String ref, ObjectNode data, long ts) {
    }

    /** Sends what {@link RequestOrder} lets go, on its lock: in order. */
    private final class OrderedSender implements RequestOrder.Sender {
        @Override
        public void send(RequestOrder.Request r, boolean sync) {
            Queued q = (Queued) r.payload();
            if (sync) {
                q.data().put("sync", true);
            }
            commands.send(q.topic(), r.room(), Command.of(origin.get(), r.type(), r.ref(), r.room(), q.data(), q.ts()))
                    .whenComplete((md, e) -> {
                        if (e != null) {
                            LOG.log(Level.WARNING, "Could not send a " + r.type() + " command: " + e.getMessage());
                            order.finished(r.ref(), System.currentTimeMillis());
                            produceFailed(q.ref(), r.type());
                        }
                    });
        }

        @Override
        public void fence(String room, String ref) {
            ObjectNode data = Json.object();
            data.put("room", room);
            commands.send(Topics.SIGNALS, room, Command.of(origin.get(), RequestOrder.FENCE, ref, room, data,
                            System.currentTimeMillis()))
                    .whenComplete((md, e) -> {
                        if (e != null) {
                            order.finished(ref, System.currentTimeMillis()); // the next request meets the error
                        }
                    });
        }
    }

    // ---- answers from the services ----

    /**
     * A request a service answered ok, with or without the client's ref: a join or leave changes the rooms this
     * connection is in, and a join of a room it was not in ends the list watch; other types change nothing here.
     */
    private void roomsDone(String type, String room) {
        switch (type) {
            case RequestTypes.JOIN -> {
                if (rooms.joined(room)) {
                    directory.unwatch(watcher); // joining a room it was not in ends the list watch
                }
                rooms.touch(room);
            }
            case RequestTypes.LEAVE -> {
                rooms.left(room);
                rooms.touch(room);
            }
            default -> {
            }
        }
    }

    /**
     * A reply delivered to this connection: it lets the requests after it in its room go, reaches the client while
     * its ref is pending (once), and an internal ref's failure becomes the error push a request without ref gets.
     */
    void replied(JsonNode reply, String frame) {
        String ref = reply.path("ref").asText();
        RequestOrder.Request done = order.finished(ref, System.currentTimeMillis());
        if (RequestOrder.isInternal(ref)) {
            // The client sent no ref: no reply, but what the request did still counts (a join ends the list
            // watch, protocol.md), and a failure is still told, as an error push.
            if (done != null && reply.path("ok").asBoolean(false)) {
                roomsDone(done.type(), done.room());
            } else if (done != null) {
                ObjectNode data = Json.object();
                data.setAll((ObjectNode) reply.path("error"));
                data.put("about", done.type());
                ObjectNode error = Json.object();
                error.put("type", "error");
                error.set("data", data);
                answers.push(Json.write(error));
            }
            return;
        }
        PendingRequests.Pending p = pending.take(ref);
        if (p == null) {
            return; // answered already (timeout, or a redelivered duplicate)
        }
        if (reply.path("ok").asBoolean(false)) {
            roomsDone(p.type(), p.room());
        }
        switch (p.type()) {
            case RequestTypes.JOIN -> guesses.answered(p.ref(), ErrorCode.WRONG_PASSWORD.wire()
                    .equals(reply.path("error").path("code").asText()), System.currentTimeMillis());
            case RequestTypes.RESUME -> resume.abandon(); // presence's resume_failed: go on as the fresh peer
            default -> {
            }
        }
        answers.push(frame);
    }

    private void expired(PendingRequests.Pending p) {
        guesses.answered(p.ref(), false, System.currentTimeMillis());
        if (RequestTypes.RESUME.equals(p.type())) {
            resume.abandon();
        }
        answers.reject(ErrorCode.UNAVAILABLE);
        answers.push(Frames.failure(p.ref(), ErrorCode.UNAVAILABLE, "No answer from the " + answeredBy(p.type())
                + " within " + timeoutMs + " ms; retrying may work"));
    }

    /** The command never reached Kafka: answered at once. */
    private void produceFailed(String ref, String type) {
        if (RequestTypes.RESUME.equals(type)) {
            resume.abandon();
        }
        if (ref != null && pending.take(ref) == null) {
            return;
        }
        answers.reject(ErrorCode.UNAVAILABLE);
        answers.push(Frames.failed(ref, type, ErrorCode.UNAVAILABLE, "The " + answeredBy(type) + " cannot be reached"
                + " right now; retrying may work"));
    }

    private static String answeredBy(String type) {
        RequestType row = RequestType.of(type);
        return row == null ? RequestType.Route.ROOMS.answeredBy : row.route.answeredBy;
    }
}
