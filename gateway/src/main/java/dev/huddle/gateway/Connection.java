package dev.huddle.gateway;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;
import dev.huddle.events.Origin;
import dev.huddle.events.ResumeAccepted;
import dev.huddle.events.commands.Connected;
import dev.huddle.events.commands.Disconnected;
import dev.huddle.events.commands.Resume;
import dev.huddle.json.Json;
import dev.huddle.kafka.Partitions;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RoomLog;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's WebSocket connection (Helidon makes one listener per connection): reads and checks its frames
 * (protocol.md "Frames", "Validation", limits), answers {@code ping} and {@code list_rooms} itself, turns the other
 * requests into commands, and sends it what deliveries carry for it, through its {@link Outbound}.
 *
 * <p>Threads: frames arrive on the connection's reading thread; deliveries on the delivery loop's; timeouts and
 * keep-alive on the gateway timer. State that more than one of them touches is guarded by {@code this}.
 */
final class Connection implements WsListener {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    static final Set<String> REQUESTS = Set.of("list_rooms", "join", "leave", "signal", "chat", "media", "rename",
            "hand", "react", "resume", "ping");
    static final int REF_MAX = 32;
    /** Requests of one room that may wait for earlier ones of the other service (RequestOrder) */
    static final int ORDER_QUEUE = 64;
    /** How long they wait at most for a service that does not answer (then order gives way to progress) */
    static final long ORDER_CAP_MS = 30_000;
    static final int GOING_AWAY = 1001;
    static final int INVALID_PAYLOAD = 1007;
    static final int POLICY_VIOLATION = 1008;
    static final int TOO_BIG = 1009;

    private final Gateway gateway;
    private final GatewaySettings settings;
    final String connId = Ids.connId();
    private final String freshPeer = Ids.peerId();
    private volatile String peerId = freshPeer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private String userAgent = "";
    private String forwardedFor;
    private String address; // the client address whose slot in AddressLimits this connection holds
    private WsSession session;
    private Outbound out;
    private RateLimiter limiter;
    private PendingRequests pending;
    private RequestOrder order;
    private String remote = "";

    // reading thread only
    private final StringBuilder partial = new StringBuilder();
    private final ReactionLimiter reactions = new ReactionLimiter();
    private long partialBytes;
    private long frames;

    private volatile long lastInbound = System.currentTimeMillis();
    private volatile long lastPing;

    // guarded by this
    private ResumeAttempt resume;
    private final Set<String> joined = new HashSet<>(); // rooms this connection is in, as its replies told it
    private final PasswordGuesses guesses = new PasswordGuesses(); // locks itself
    private final Map<Integer, String> touched = new LinkedHashMap<>(); // directory partition -> a room on it

    Connection(Gateway gateway) {
        this.gateway = gateway;
        this.settings = gateway.settings();
    }

    String peerId() {
        return peerId;
    }

    /** Every peerId this connection may be addressed as: its own, and the one it is resuming. */
    synchronized List<String> peerIds() {
        List<String> ids = new ArrayList<>(List.of(peerId));
        if (!freshPeer.equals(peerId)) {
            ids.add(freshPeer);
        }
        if (resume != null && !ids.contains(resume.claimedPeer)) {
            ids.add(resume.claimedPeer);
        }
        return ids;
    }

    // ---- WebSocket events ----

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        // The Origin allow-list is checked before this, by GatewayRoutes (here a refusal could only be a 400).
        String ua = headers.first(HeaderNames.USER_AGENT).orElse("");
        userAgent = ua.length() > 256 ? ua.substring(0, 256) : ua;
        forwardedFor = headers.first(GatewayRoutes.FORWARDED_FOR).orElse(null);
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        long now = System.currentTimeMillis();
        this.session = session;
        this.remote = remoteHost(session);
        try {
            // the same address GatewayRoutes took the slot for (same peer, same header)
            this.address = settings.clientAddress().resolve(session.socketContext().remotePeer().address(),
                    forwardedFor);
        } catch (RuntimeException e) {
            this.address = null;
        }
        this.limiter = new RateLimiter(settings.ratePerSecond(), settings.rateBurst(), now);
        this.pending = new PendingRequests(gateway.timer(), settings.requestTimeoutMs());
        this.order = new RequestOrder(new OrderedSender(), ORDER_QUEUE, ORDER_CAP_MS);
        this.out = new Outbound(session, settings.outboundQueue(), settings.outboundBytes(),
                frame -> gateway.metrics().frameOut(GatewayMetrics.typeOf(frame)), this::closed);
        lastInbound = now;
        gateway.connections().add(this);
        String token = Ids.resumeToken(freshPeer);
        push(Frames.push("hello", hello(token, now)));
        gateway.publisher().send(Topics.PRESENCE, freshPeer,
                Command.of(origin(), null, freshPeer, new Connected(Ids.sha256Hex(token), remote, userAgent), now))
                .exceptionally(e -> {
                    LOG.log(Level.WARNING, "Could not announce a connection to presence: " + e.getMessage());
                    return null;
                });
    }

    private Map<String, Object> hello(String token, long now) {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("maxFrameBytes", settings.maxFrameBytes());
        limits.put("messagesPerSecond", settings.ratePerSecond());
        limits.put("burst", settings.rateBurst());
        limits.put("roomCapacity", settings.roomCapacity());
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("protocol", 1);
        hello.put("peerId", freshPeer);
        hello.put("resumeToken", token);
        hello.put("gateway", gateway.instance().id());
        hello.put("serverTime", now);
        hello.put("iceServers", settings.iceServers().forPeer(freshPeer, now));
        hello.put("limits", limits);
        return hello;
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        lastInbound = System.currentTimeMillis();
        if (out.closing()) {
            return;
        }
        partial.append(text);
        partialBytes += utf8Length(text);
        if (partialBytes > settings.maxFrameBytes()) {
            long size = partialBytes;
            partial.setLength(0);
            partialBytes = 0;
            reject(ErrorCode.TOO_LARGE);
            push(Frames.error(ErrorCode.TOO_LARGE, "A frame of " + size + (last ? "" : "+") + " bytes is over the limit"
                    + " of " + settings.maxFrameBytes() + " bytes (limits.maxFrameBytes)", null));
            out.close(TOO_BIG, "Frame too large", false);
            return;
        }
        if (last) {
            String frame = partial.toString();
            partial.setLength(0);
            partialBytes = 0;
            onFrame(frame);
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        lastInbound = System.currentTimeMillis();
        if (!last || out.closing()) {
            return;
        }
        frames++;
        gateway.metrics().frameIn("binary");
        if (admit(null)) {
            fail(null, null, ErrorCode.BAD_FRAME, "Binary frames are not part of the protocol: send UTF-8 JSON text"
                    + " frames");
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        lastInbound = System.currentTimeMillis();
        out.pong(buffer);
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        lastInbound = System.currentTimeMillis();
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        closed();
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(Level.DEBUG, "WebSocket error: " + t);
        closed();
    }

    // ---- client frames ----

    private void onFrame(String text) {
        frames++;
        if (text.indexOf('\uFFFD') >= 0) {
            // Helidon decodes text frames leniently, so bytes that were not UTF-8 arrive as U+FFFD. A client that
            // means the character sends it escaped in JSON ("\ufffd"), which stays intact here.
            reject(ErrorCode.BAD_FRAME);
            out.close(INVALID_PAYLOAD, "Invalid UTF-8", false);
            return;
        }
        JsonNode frame = parse(text);
        if (!admit(frame)) {
            return;
        }
        if (frame == null || !frame.isObject()) {
            gateway.metrics().frameIn(null);
            fail(null, null, ErrorCode.BAD_FRAME, frame == null
                    ? "Not JSON: every frame is one JSON object {type, ref?, data?}"
                    : "Not a JSON object: every frame is one JSON object {type, ref?, data?}");
            return;
        }
        JsonNode typeNode = frame.get("type");
        String type = typeNode != null && typeNode.isTextual() ? typeNode.asText() : null;
        gateway.metrics().frameIn(type);
        String ref = null;
        JsonNode refNode = Validation.field(frame, "ref");
        if (refNode != null && isUsableRef(refNode)) {
            ref = refNode.asText();
        }
        if (type == null) {
            // With a usable ref it is answered by a reply (protocol.md: exactly one reply per usable ref).
            String inUse = ref != null && pending.contains(ref) ? ref : null;
            fail(inUse == null ? ref : null, null, ErrorCode.BAD_FRAME, "The frame has no string 'type'; requests are "
                    + String.join(", ", REQUESTS.stream().sorted().toList()));
            return;
        }
        if (refNode != null) {
            if (ref == null) {
                fail(null, type, ErrorCode.INVALID_FIELD, "ref must be a string of 1 to " + REF_MAX
                        + " characters; the frame was not processed");
                return;
            }
            if (pending.contains(ref)) {
                fail(ref, type, ErrorCode.INVALID_FIELD, "ref '" + ref + "' belongs to a request still waiting for"
                        + " its reply: use a new ref for each request");
                return;
            }
        }
        if (!REQUESTS.contains(type)) {
            fail(ref, type, ErrorCode.UNKNOWN_TYPE, "Unknown type '" + shorten(type) + "'; requests are "
                    + String.join(", ", REQUESTS.stream().sorted().toList()));
            return;
        }
        JsonNode data = Validation.field(frame, "data");
        if (data == null) {
            data = Json.object();
        } else if (!data.isObject()) {
            fail(ref, type, ErrorCode.INVALID_FIELD, "data must be a JSON object (or absent)");
            return;
        }
        try {
            request(type, ref, data);
        } catch (Validation.Invalid e) {
            fail(ref, type, ErrorCode.INVALID_FIELD, e.getMessage());
        } catch (RuntimeException e) {
            JsonNode room = data.get("room");
            RoomLog.log(LOG, Level.WARNING, room != null && room.isTextual() ? room.asText() : null, peerId,
                    "Failed to handle a " + type + " request of peer " + peerId, e);
            fail(ref, type, ErrorCode.INTERNAL, "Internal error; the request was not processed");
        }
    }

    /**
     * Takes a token from the bucket. Without one the frame is dropped: a {@code rate_limited} reply if it has a
     * usable ref, else at most one error push a second; a client that keeps flooding is closed.
     */
    private boolean admit(JsonNode frame) {
        long now = System.currentTimeMillis();
        switch (limiter.onFrame(now)) {
            case ACCEPT -> {
                return true;
            }
            case CLOSE -> {
                reject(ErrorCode.RATE_LIMITED);
                out.close(POLICY_VIOLATION, "Rate limit exceeded", false);
                return false;
            }
            default -> {
                String message = "Too many frames: at most " + settings.ratePerSecond() + " a second, bursts of "
                        + settings.rateBurst() + "; this one was dropped";
                // Any JSON object with a usable ref gets its one reply, this one (protocol.md, Frames).
                String ref = frame == null ? null : usableRef(frame);
                String type = frame == null ? null : textOrNull(frame.get("type"));
                if (ref != null && !pending.contains(ref)) {
                    fail(ref, type, ErrorCode.RATE_LIMITED, message);
                } else if (limiter.shouldNotify(now)) {
                    fail(null, type, ErrorCode.RATE_LIMITED, message);
                } else {
                    reject(ErrorCode.RATE_LIMITED);
                }
                return false;
            }
        }
    }

    private void request(String type, String ref, JsonNode data) throws Validation.Invalid {
        long now = System.currentTimeMillis();
        switch (type) {
            case "ping" -> ping(ref, data, now);
            case "list_rooms" -> listRooms(ref, Validation.listRooms(data));
            case "resume" -> resume(ref, data, now);
            case "join" -> join(ref, data, now);
            case "leave" -> command(Topics.ROOM_COMMANDS, type, ref, Validation.leave(data), now);
            case "rename" -> command(Topics.ROOM_COMMANDS, type, ref, Validation.rename(data), now);
            case "media" -> command(Topics.ROOM_COMMANDS, type, ref, Validation.media(data), now);
            case "hand" -> command(Topics.ROOM_COMMANDS, type, ref, Validation.hand(data), now);
            case "react" -> react(ref, Validation.react(data), now);
            case "signal" -> command(Topics.SIGNALS, type, ref, Validation.signal(data), now);
            case "chat" -> command(Topics.SIGNALS, type, ref, Validation.chat(data), now);
            default -> throw new IllegalStateException("unrouted type " + type);
        }
    }

    /**
     * A join, unless this connection guessed the room's password wrong too often: then {@code rate_limited}, and
     * before the password's key is derived, so a blocked guesser costs no hash.
     */
    private void join(String ref, JsonNode data, long now) throws Validation.Invalid {
        String room = Validation.room(data);
        if (guesses.blocked(room, now)) {
            fail(ref, "join", ErrorCode.RATE_LIMITED, "Too many wrong passwords for room '" + room + "': at most "
                    + PasswordGuesses.MAX_WRONG + " a minute; try again in a minute");
            return;
        }
        ObjectNode join = Validation.join(data);
        if (join.has("passwordKey")) {
            guesses.sent(room, ref, now);
        }
        command(Topics.ROOM_COMMANDS, "join", ref, join, now);
    }

    /** A reaction, at most two a second: refused here, so a flood of them never reaches Kafka. */
    private void react(String ref, ObjectNode data, long now) {
        if (!reactions.tryAcquire(now)) {
            fail(ref, "react", ErrorCode.RATE_LIMITED, "Too many reactions: at most " + ReactionLimiter.PER_SECOND
                    + " a second; this one was dropped");
            return;
        }
        command(Topics.SIGNALS, "react", ref, data, now);
    }

    private void ping(String ref, JsonNode data, long now) {
        ObjectNode answer = Json.object();
        JsonNode t = Validation.field(data, "t");
        if (t != null) {
            answer.set("t", t);
        }
        answer.put("serverTime", now);
        push(ref != null ? Frames.reply(ref, answer) : Frames.push("pong", answer));
    }

    /**
     * A client request for a service: a command keyed by the room, answered by a delivery. It goes out in the
     * order sent among this connection's requests in the room ({@link RequestOrder}); a rooms request without a
     * ref gets an internal one, so that it is known when it is done.
     */
    private void command(TopicSpec topic, String type, String ref, ObjectNode data, long now) {
        String room = data.get("room").asText();
        if (ref != null) {
            pending.add(ref, type, room, this::expired);
        }
        boolean rooms = topic.equals(Topics.ROOM_COMMANDS);
        RequestOrder.Kind kind = rooms ? RequestOrder.Kind.ROOMS : RequestOrder.Kind.SIGNALING;
        String sentRef = ref == null && rooms ? order.internalRef() : ref;
        if (!order.submit(new RequestOrder.Request(kind, type, room, sentRef, new Queued(topic, ref, data, now)),
                now)) {
            if (ref == null || pending.take(ref) != null) {
                fail(ref, type, ErrorCode.RATE_LIMITED, "Too many requests waiting for earlier ones in room '"
                        + room + "' (at most " + ORDER_QUEUE + "); this one was dropped");
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
            gateway.publisher().send(q.topic(), r.room(), Command.of(origin(), r.type(), r.ref(), r.room(), q.data(),
                            q.ts()))
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
            gateway.publisher().send(Topics.SIGNALS, room, Command.of(origin(), RequestOrder.FENCE, ref, room, data,
                            System.currentTimeMillis()))
                    .whenComplete((md, e) -> {
                        if (e != null) {
                            order.finished(ref, System.currentTimeMillis()); // the next request meets the error
                        }
                    });
        }
    }

    private void listRooms(String ref, Validation.ListRooms request) {
        if (ref != null) {
            pending.add(ref, "list_rooms", null, this::expired);
        }
        List<String> rooms;
        synchronized (this) {
            rooms = List.copyOf(touched.values());
        }
        RoomDirectory directory = gateway.directory();
        directory.caughtUp(rooms).whenComplete((ok, e) -> {
            if (e != null) {
                LOG.log(Level.DEBUG, "Room list not caught up: " + e);
                return; // the timeout answers unavailable
            }
            directory.list(this, request.limit(), request.watch(), listing -> {
                if (ref != null) {
                    answer(ref, Frames.reply(ref, listing));
                }
            });
        });
    }

    private void resume(String ref, JsonNode data, long now) throws Validation.Invalid {
        if (frames != 1) {
            throw new Validation.Invalid("resume must be the first frame of a connection: open a new connection and"
                    + " send resume first");
        }
        if (ref == null) {
            throw new Validation.Invalid("resume needs a ref: its reply carries the peerId and the new resumeToken");
        }
        String token = Validation.resumeToken(data);
        if (!Validation.wellFormedToken(token)) {
            // Like an unknown token: the connection goes on as the fresh session its hello announced.
            fail(ref, CommandTypes.RESUME, ErrorCode.RESUME_FAILED, "That is not a resume token (expected"
                    + " <peerId>.<secret>, as hello gave it): this connection goes on as the peer its hello announced");
            return;
        }
        String claimed = Validation.tokenPeer(token);
        ResumeAttempt attempt = new ResumeAttempt(ref, claimed, Ids.resumeToken(claimed), settings.outboundQueue());
        synchronized (this) {
            resume = attempt;
        }
        gateway.connections().index(claimed, this); // deliveries for the claimed peer now reach here, held
        pending.add(ref, CommandTypes.RESUME, null, this::expired);
        gateway.publisher().send(Topics.PRESENCE, claimed, Command.of(origin(), ref, claimed, new Resume(claimed,
                        Ids.sha256Hex(token), Ids.sha256Hex(attempt.newToken), freshPeer), now))
                .whenComplete((md, e) -> {
                    if (e != null) {
                        LOG.log(Level.WARNING, "Could not send a resume command: " + e.getMessage());
                        produceFailed(ref, CommandTypes.RESUME);
                    }
                });
    }

    // ---- deliveries ----

    /**
     * A frame a delivery carries for this connection. {@code addressed}: the peerId it was sent to ({@code null}:
     * everyone); {@code direct}: addressed to this very connection (replies). Replies pass only while their ref is
     * pending; frames for a peer this connection is resuming wait until the resume reply has gone.
     */
    synchronized void deliver(String frame, String addressed, boolean direct) {
        if (holdsFor(addressed, direct)) {
            resume.hold(frame);
            return;
        }
        String type = GatewayMetrics.typeOf(frame);
        if ("kicked".equals(type) || "room_closed".equals(type)) {
            joined.remove(Json.tree(frame).path("data").path("room").asText());
        }
        if (direct && (type == null || type.equals("reply"))) { // null: not built by Frames, look inside
            JsonNode reply;
            try {
                reply = Json.tree(frame);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Dropping an unreadable delivery");
                return;
            }
            if (!"reply".equals(reply.path("type").asText())) {
                push(frame);
                return;
            }
            String ref = reply.path("ref").asText();
            RequestOrder.Request done = order.finished(ref, System.currentTimeMillis());
            if (RequestOrder.isInternal(ref)) {
                // The client sent no ref: no reply, but a failure is still told, as an error push.
                if (done != null && !reply.path("ok").asBoolean(false)) {
                    ObjectNode data = Json.object();
                    data.setAll((ObjectNode) reply.path("error"));
                    data.put("about", done.type());
                    ObjectNode error = Json.object();
                    error.put("type", "error");
                    error.set("data", data);
                    push(Json.write(error));
                }
                return;
            }
            PendingRequests.Pending p = pending.take(ref);
            if (p == null) {
                return; // answered already (timeout, or a redelivered duplicate)
            }
            replied(p, reply);
        }
        push(frame);
    }

    /** A {@code CLOSE} delivery: the frame, if any, then the close. */
    synchronized void closeBy(String frame, int code, String addressed, boolean direct) {
        if (holdsFor(addressed, direct)) {
            return; // meant for the claimed peer's old connection (presence closes it by conn anyway)
        }
        if (frame != null) {
            push(frame);
        }
        out.close(code, code == 4000 ? "Session resumed elsewhere" : "Closed by the server", false);
    }

    private boolean holdsFor(String addressed, boolean direct) {
        return resume != null && !direct && addressed != null && addressed.equals(resume.claimedPeer);
    }

    private void replied(PendingRequests.Pending p, JsonNode reply) {
        boolean ok = reply.path("ok").asBoolean(false);
        switch (p.type()) {
            case "join" -> {
                guesses.answered(p.ref(), ErrorCode.WRONG_PASSWORD.wire().equals(reply.path("error").path("code")
                        .asText()), System.currentTimeMillis());
                if (ok) {
                    if (joined.add(p.room())) {
                        gateway.directory().unwatch(this); // joining a room it was not in ends the list watch
                    }
                    touch(p.room());
                }
            }
            case "leave" -> {
                if (ok) {
                    joined.remove(p.room());
                    touch(p.room());
                }
            }
            case CommandTypes.RESUME -> abandonResume(); // presence's resume_failed: go on as the fresh peer
            default -> {
            }
        }
    }

    /** Presence accepted the resume: from now on this connection is the claimed peer. */
    synchronized void resumeAccepted(String frame) {
        if (resume == null || resume.isAccepted()) {
            return;
        }
        resume.accepted(Json.read(frame, ResumeAccepted.class));
        String before = peerId;
        peerId = resume.peerId();
        gateway.connections().index(peerId, this);
        gateway.connections().unindex(before, this);
        finishResume();
    }

    /** rooms-service restored one of the resumed peer's rooms. */
    synchronized void resumeRoom(String frame) {
        if (resume == null) {
            return;
        }
        JsonNode state = Json.tree(frame);
        if (state.has("data") && state.get("data").isObject() && state.has("type")) {
            state = state.get("data"); // tolerate a push-shaped frame
        }
        resume.room(state);
        finishResume();
    }

    private void finishResume() {
        if (!resume.complete()) {
            return;
        }
        ResumeAttempt done = resume;
        resume = null;
        if (pending.take(done.ref) == null) {
            return; // timed out meanwhile: the client was told unavailable
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("peerId", peerId);
        data.put("resumeToken", done.newToken);
        data.put("rooms", done.roomStates());
        push(Frames.reply(done.ref, data));
        done.roomNames().forEach(this::touch);
        joined.addAll(done.roomNames());
        done.held().forEach(this::push);
    }

    /** The resume failed or timed out: the connection goes on as the fresh peer its hello announced. */
    private synchronized void abandonResume() {
        if (resume == null) {
            return;
        }
        ResumeAttempt failed = resume;
        resume = null;
        if (!peerId.equals(freshPeer)) { // accepted, but a room never came: back to the announced identity
            gateway.connections().unindex(peerId, this);
            peerId = freshPeer;
            gateway.connections().index(freshPeer, this);
        }
        if (!failed.claimedPeer.equals(freshPeer)) {
            gateway.connections().unindex(failed.claimedPeer, this);
        }
    }

    // ---- answers ----

    /**
     * The gateway's own reply to a pending request (list_rooms), unless it timed out meanwhile. Not synchronized:
     * it runs under the directory's lock, and deliveries take the two locks the other way round.
     */
    private void answer(String ref, String frame) {
        if (pending.take(ref) != null) {
            push(frame);
        }
    }

    private void expired(PendingRequests.Pending p) {
        guesses.answered(p.ref(), false, System.currentTimeMillis());
        if (CommandTypes.RESUME.equals(p.type())) {
            abandonResume();
        }
        reject(ErrorCode.UNAVAILABLE);
        push(Frames.failure(p.ref(), ErrorCode.UNAVAILABLE, "No answer from the " + service(p.type()) + " within "
                + settings.requestTimeoutMs() + " ms; retrying may work"));
    }

    /** The command never reached Kafka: answered at once. */
    private void produceFailed(String ref, String type) {
        if (CommandTypes.RESUME.equals(type)) {
            abandonResume();
        }
        if (ref != null && pending.take(ref) == null) {
            return;
        }
        reject(ErrorCode.UNAVAILABLE);
        push(Frames.failed(ref, type, ErrorCode.UNAVAILABLE, "The " + service(type) + " cannot be reached right now;"
                + " retrying may work"));
    }

    private static String service(String type) {
        return switch (type) {
            case "signal", "chat", "react" -> "signaling service";
            case "resume" -> "presence service";
            case "list_rooms" -> "room list";
            default -> "rooms service";
        };
    }

    private void fail(String ref, String type, ErrorCode code, String message) {
        reject(code);
        push(Frames.failed(ref, type, code, message));
    }

    private void reject(ErrorCode code) {
        gateway.metrics().rejected(code);
    }

    /** Queues a frame for the client. */
    void push(String frame) {
        out.send(escapeLoneSurrogates(frame));
    }

    // ---- lifecycle ----

    /** Remembers a room whose directory entry this client changed, so its next list waits to include that. */
    private synchronized void touch(String room) {
        if (room != null) {
            touched.put(Partitions.forKey(room, Topics.ROOM_DIRECTORY.partitions()), room);
        }
    }

    /** Keep-alive and dead-socket check (timer thread). */
    void check(long now, long pingIntervalMs) {
        if (order != null) {
            order.expire(now);
        }
        if (!Outbound.connected(session)) {
            closed();
            return;
        }
        long idle = now - lastInbound;
        if (idle >= 3 * pingIntervalMs) { // pinged, then two intervals without a pong
            if (!out.close(GOING_AWAY, "Keep-alive timeout", true)) {
                Outbound.drop(session); // a close was sent before and never answered
            }
            closed();
        } else if (idle >= pingIntervalMs && now - lastPing >= pingIntervalMs) {
            lastPing = now;
            out.ping();
        }
    }

    /** Closes from the server side (drain, shutdown). */
    void close(int code, String reason) {
        out.close(code, reason, false);
    }

    /** Cuts the socket with no close frame and no goodbye (kill). */
    void drop() {
        out.stop();
        Outbound.drop(session);
    }

    /** The connection is gone, however it went: forget it and tell presence (once). */
    void closed() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (out != null) {
            out.stop();
        }
        gateway.connections().remove(this);
        gateway.directory().unwatch(this);
        if (address != null) {
            gateway.addressLimits().closed(address);
        }
        if (pending != null) {
            pending.clear();
        }
        String peer;
        synchronized (this) {
            if (resume != null && !resume.isAccepted()) {
                resume = null;
            }
            peer = peerId;
        }
        if (!gateway.killed() && session != null) {
            RoomLog.log(LOG, Level.INFO, null, peer, "Peer " + peer + " disconnected");
            gateway.publisher().send(Topics.PRESENCE, peer, Command.of(new Origin(gateway.instance().id(), connId,
                            peer), peer, new Disconnected()))
                    .exceptionally(e -> {
                        LOG.log(Level.WARNING, "Could not tell presence about a closed connection: " + e.getMessage());
                        return null;
                    });
        }
    }

    private Origin origin() {
        return new Origin(gateway.instance().id(), connId, peerId);
    }

    // ---- helpers ----

    private static JsonNode parse(String text) {
        try {
            JsonNode node = STRICT.readTree(text);
            return node == null || node.isMissingNode() ? null : node;
        } catch (JacksonException e) {
            return null;
        }
    }

    private static String usableRef(JsonNode frame) {
        if (!frame.isObject()) {
            return null;
        }
        JsonNode ref = frame.get("ref");
        return ref != null && isUsableRef(ref) ? ref.asText() : null;
    }

    /**
     * A string of 1 to 32 characters. Half a surrogate pair (JSON can escape one) is no character, and no UTF-8
     * reply could carry it back for the client to match.
     */
    private static boolean isUsableRef(JsonNode ref) {
        return ref.isTextual() && !ref.asText().isEmpty() && Validation.codePoints(ref.asText()) <= REF_MAX
                && Validation.wellFormed(ref.asText());
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private static String shorten(String s) {
        if (s.length() <= 40) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(39)) ? 39 : 40; // never half a pair
        return s.substring(0, end) + "...";
    }

    private static String remoteHost(WsSession session) {
        try {
            return session.socketContext().remotePeer().host();
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * A frame that echoes client text (a ping's {@code t}, an error's {@code about}) can hold half a surrogate pair
     * that the client escaped in its JSON. Written raw, UTF-8 has no bytes for it and it would reach the client as
     * '?'; escaped again ({@code \ud800}) the client gets back what it sent, in valid UTF-8. Surrogates only occur
     * inside JSON strings, so the escape is always in a string.
     */
    static String escapeLoneSurrogates(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (!Character.isSurrogate(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
                if (out != null) {
                    out.append(c).append(json.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(json.length() + 16).append(json, 0, i);
            }
            out.append(String.format("\\u%04x", (int) c));
        }
        return out == null ? json : out.toString();
    }

    static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
