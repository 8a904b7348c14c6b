package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.RequestTypes;
import dev.huddle.kafka.TopicSpec;
import dev.huddle.kafka.Topics;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The client requests of protocol.md, one row each: its name on the wire, what checks its {@code data}, where it
 * goes, how it is answered, any limit of its own and its metric label. {@link Requests} dispatches on this table
 * with a switch that has no default, so a new row that nobody handles does not compile; the metrics, the
 * {@code unknown_type} message and the fuzz test take their lists from here.
 *
 * <p>Adding a request: a row here (and its name in {@link RequestTypes}), its rule in {@link Validation}, its case
 * in {@link Requests} (a service's request usually joins the forwarded ones), its handler in the service, protocol.md,
 * and tests ({@code RequestTypeTest} fails until protocol.md and the web client agree with the table).
 */
enum RequestType {
    LIST_ROOMS(RequestTypes.LIST_ROOMS, Route.DIRECTORY, Reply.WITH_REF, null, null),
    JOIN(RequestTypes.JOIN, Route.ROOMS, Reply.WITH_REF, Validation::join, null),
    LEAVE(RequestTypes.LEAVE, Route.ROOMS, Reply.WITH_REF, Validation::leave, null),
    SIGNAL(RequestTypes.SIGNAL, Route.SIGNALING, Reply.WITH_REF, Validation::signal, null),
    CHAT(RequestTypes.CHAT, Route.SIGNALING, Reply.WITH_REF, Validation::chat, null),
    MEDIA(RequestTypes.MEDIA, Route.ROOMS, Reply.WITH_REF, Validation::media, null),
    RENAME(RequestTypes.RENAME, Route.ROOMS, Reply.WITH_REF, Validation::rename, null),
    HAND(RequestTypes.HAND, Route.ROOMS, Reply.WITH_REF, Validation::hand, null),
    /** At most 2 a second per connection, refused here so a flood of them never reaches Kafka. */
    REACT(RequestTypes.REACT, Route.SIGNALING, Reply.WITH_REF, Validation::react, new Limit(2, "reactions")),
    RESUME(RequestTypes.RESUME, Route.PRESENCE, Reply.REF_REQUIRED, null, null),
    PING(RequestTypes.PING, Route.GATEWAY, Reply.REF_OR_PONG, null, null);

    /**
     * Where a request goes. {@code topic}: the Kafka topic of the command made of it (keyed by the room, or the
     * claimed peer for resume), or null when the gateway answers it itself; {@code answeredBy}: who a timeout or
     * a send failure names.
     */
    enum Route {
        ROOMS(Topics.ROOM_COMMANDS, "rooms service"),
        SIGNALING(Topics.SIGNALS, "signaling service"),
        PRESENCE(Topics.PRESENCE, "presence service"),
        /** The gateway's replica of room-directory. */
        DIRECTORY(null, "room list"),
        GATEWAY(null, "gateway");

        final TopicSpec topic;
        final String answeredBy;

        Route(TopicSpec topic, String answeredBy) {
            this.topic = topic;
            this.answeredBy = answeredBy;
        }
    }

    /** How a request is answered (protocol.md, "Frames"). */
    enum Reply {
        /** A reply when it has a ref; without one no reply, a failure as an {@code error} push. */
        WITH_REF,
        /** Must have a ref (its reply carries what the client needs). */
        REF_REQUIRED,
        /** A reply with a ref, else a {@code pong} push. */
        REF_OR_PONG
    }

    /** A limit of the type's own, on top of the connection's frame budget: {@code perSecond} {@code what}. */
    record Limit(int perSecond, String what) {
    }

    /** Checks and normalises a forwarded request's data. */
    @FunctionalInterface
    interface Validator {
        ObjectNode check(JsonNode data) throws Validation.Invalid;
    }

    private static final Map<String, RequestType> BY_WIRE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(t -> t.wire, Function.identity()));
    /** For messages: "requests are chat, hand, ..." */
    static final String NAMES = Arrays.stream(values()).map(t -> t.wire).sorted().collect(Collectors.joining(", "));

    final String wire;
    final Route route;
    final Reply reply;
    /** For the requests a service handles ({@link Route#topic} set); the gateway's own check theirs in place. */
    final Validator validator;
    /** null: only the connection's frame budget */
    final Limit limit;

    RequestType(String wire, Route route, Reply reply, Validator validator, Limit limit) {
        this.wire = wire;
        this.route = route;
        this.reply = reply;
        this.validator = validator;
        this.limit = limit;
    }

    /** The row of a wire name, or null for a type the protocol does not define. */
    static RequestType of(String wire) {
        return wire == null ? null : BY_WIRE.get(wire);
    }

    /** The {@code type} tag of its frames in {@code huddle_gateway_frames_in} (and of replies it causes). */
    String metricLabel() {
        return wire;
    }
}
