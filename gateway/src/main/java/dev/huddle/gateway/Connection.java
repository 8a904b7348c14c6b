package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.Command;
import dev.huddle.events.CommandTypes;
import dev.huddle.events.Delivery;
import dev.huddle.events.Frames;
import dev.huddle.events.Origin;
import dev.huddle.events.ResumeAccepted;
import dev.huddle.events.commands.Connected;
import dev.huddle.events.commands.Disconnected;
import dev.huddle.events.commands.Resume;
import dev.huddle.gateway.admin.SocketCounters;
import dev.huddle.json.Json;
import dev.huddle.kafka.Topics;
import dev.huddle.service.RoomLog;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's WebSocket connection (Helidon makes one listener per connection): its socket's events and life
 * (hello, keep-alive, close, and telling presence it came and went), put together from its parts:
 * {@link FrameIntake} (frames and limits) hands requests to {@link Requests} (dispatch by {@link RequestType},
 * order, replies), {@link ResumeFlow} (who it is, and a resume), deliveries of the inbox come in here, and all that
 * goes to the client goes through {@link Answers} and its {@link Outbound}.
 *
 * <p>Threads: frames arrive on the connection's reading thread; deliveries on the delivery loop's; timeouts and
 * keep-alive on the gateway timer. Each part that more than one of them touches locks itself. None of them waits for
 * Kafka: commands leave through the connection's {@link CommandOutbox}.
 */
final class Connection implements WsListener, RoomDirectory.Watcher {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    static final int GOING_AWAY = 1001;

    private final Gateway gateway;
    private final GatewaySettings settings;
    final String connId = Ids.connId();
    private final String freshPeer = Ids.peerId();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** An operator closed it: the session ends with it, without a grace period. */
    private volatile boolean endsSession;
    private final SocketTraffic traffic = new SocketTraffic();
    private final ConnectionRooms rooms = new ConnectionRooms();

    private String userAgent = "";
    private String forwardedFor;
    private String address; // the client address whose slot in AddressLimits this connection holds
    private WsSession session;
    private Outbound out;
    private Answers answers;
    private PendingRequests pending;
    private CommandOutbox commands;
    private ResumeFlow resume;
    private Requests requests;
    private FrameIntake intake;
    private String remote = "";

    private volatile long lastInbound = System.currentTimeMillis();
    private volatile long lastPing;

    Connection(Gateway gateway) {
        this.gateway = gateway;
        this.settings = gateway.settings();
    }

    String peerId() {
        ResumeFlow r = resume;
        return r == null ? freshPeer : r.peerId();
    }

    /** Every peerId this connection may be addressed as: its own, and the one it is resuming. */
    List<String> peerIds() {
        ResumeFlow r = resume;
        return r == null ? List.of(freshPeer) : r.peerIds();
    }

    /** Its frames and bytes so far, for the admin API. */
    SocketCounters counters() {
        return traffic.snapshot();
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
        GatewayMetrics metrics = gateway.metrics();
        out = new Outbound(session, settings.outboundQueue(), settings.outboundBytes(), (frame, bytes) -> {
            metrics.frameOut(GatewayMetrics.typeOf(frame));
            traffic.sent(bytes);
        }, this::closed);
        answers = new Answers(out, metrics, traffic);
        pending = new PendingRequests(gateway.timer(), settings.requestTimeoutMs());
        Connections connections = gateway.connections();
        resume = new ResumeFlow(freshPeer, settings.outboundQueue(), new ResumeFlow.PeerIndex() {
            @Override
            public void index(String peerId) {
                connections.index(peerId, Connection.this);
            }

            @Override
            public void unindex(String peerId) {
                connections.unindex(peerId, Connection.this);
            }
        }, pending, rooms, answers::push);
        commands = new CommandOutbox(gateway.publisher()::send, gateway.unsentCommands());
        requests = new Requests(answers, pending, commands, this::origin, resume, rooms,
                gateway.directory(), this, settings.requestTimeoutMs());
        intake = new FrameIntake(settings, now, answers, pending::contains, metrics, traffic, requests::handle);
        lastInbound = now;
        connections.add(this);
        String token = Ids.resumeToken(freshPeer);
        push(Frames.push("hello", hello(token, now)));
        commands.send(Topics.PRESENCE, freshPeer,
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
        intake.text(text, last);
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        lastInbound = System.currentTimeMillis();
        intake.binary(buffer.available(), last);
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

    // ---- deliveries (the delivery loop's thread) ----

    /**
     * A frame a delivery carries for this connection. {@code addressed}: the peerId it was sent to ({@code null}:
     * everyone); {@code direct}: addressed to this very connection (replies). Replies pass only while their ref is
     * pending; frames for a peer this connection is resuming wait until the resume reply has gone.
     */
    void deliver(String frame, String addressed, boolean direct) {
        if (resume.hold(frame, addressed, direct)) {
            return;
        }
        String type = GatewayMetrics.typeOf(frame);
        if ("kicked".equals(type) || "room_closed".equals(type)) {
            rooms.left(Json.tree(frame).path("data").path("room").asText());
        }
        if (direct && (type == null || type.equals("reply"))) { // null: not built by Frames, look inside
            JsonNode reply;
            try {
                reply = Json.tree(frame);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Dropping an unreadable delivery");
                return;
            }
            if ("reply".equals(reply.path("type").asText())) {
                requests.replied(reply, frame);
                return;
            }
        }
        push(frame);
    }

    /** A {@code CLOSE} delivery: the frame, if any, then the close. */
    void closeBy(String frame, int code, String addressed, boolean direct) {
        if (resume.holdsFor(addressed, direct)) {
            return; // meant for the claimed peer's old connection (presence closes it by conn anyway)
        }
        if (frame != null) {
            push(frame);
        }
        if (code == Delivery.CLOSE_ENDS_SESSION) {
            endsSession = true;
            out.close(code, "Disconnected by an operator", false);
            return;
        }
        out.close(code, code == 4000 ? "Session resumed elsewhere" : "Closed by the server", false);
    }

    /** Presence accepted the resume: from now on this connection is the claimed peer. */
    void resumeAccepted(String frame) {
        resume.accepted(frame);
    }

    /** rooms-service restored one of the resumed peer's rooms. */
    void resumeRoom(String frame) {
        resume.room(frame);
    }

    /** Queues a frame for the client. */
    @Override
    public void push(String frame) {
        answers.push(frame);
    }

    // ---- lifecycle ----

    /** Keep-alive and dead-socket check (timer thread). */
    void check(long now, long pingIntervalMs) {
        if (requests != null) {
            requests.order().expire(now);
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
        String peer = resume == null ? freshPeer : resume.closed();
        if (!gateway.killed() && commands != null) {
            RoomLog.log(LOG, Level.INFO, null, peer, "Peer " + peer + " disconnected");
            commands.send(Topics.PRESENCE, peer, Command.of(new Origin(gateway.instance().id(), connId, peer), peer,
                            new Disconnected(endsSession)))
                    .exceptionally(e -> {
                        LOG.log(Level.WARNING, "Could not tell presence about a closed connection: " + e.getMessage());
                        return null;
                    });
        }
    }

    private Origin origin() {
        return new Origin(gateway.instance().id(), connId, peerId());
    }

    private static String remoteHost(WsSession session) {
        try {
            return session.socketContext().remotePeer().host();
        } catch (RuntimeException e) {
            return "";
        }
    }
}
