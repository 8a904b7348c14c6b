package dev.huddle.gateway;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.huddle.events.ErrorCode;
import dev.huddle.events.Frames;
import dev.huddle.json.Json;

import java.util.function.Predicate;

/**
 * A connection's incoming frames up to the request (protocol.md, "Frames", "Transport", limits): fragments put
 * together and held to the frame limit, invalid UTF-8, the frame budget, then the checks every frame gets (JSON
 * object, string {@code type} of the table, usable {@code ref} not in use, {@code data} an object) with the answers
 * the protocol prescribes. What passes goes to the {@link Sink} as a request. Reading thread only.
 */
final class FrameIntake {
    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    static final int REF_MAX = 32;
    static final int INVALID_PAYLOAD = 1007;
    static final int POLICY_VIOLATION = 1008;
    static final int TOO_BIG = 1009;
    private static final JsonNode OVER_LIMITS = Json.object();

    /** Where a frame that passed goes. {@code firstFrame}: it is the connection's first frame (resume must be). */
    @FunctionalInterface
    interface Sink {
        void request(RequestType type, String ref, JsonNode data, boolean firstFrame);
    }

    private final int maxFrameBytes;
    private final RateLimiter limiter;
    private final String rateMessage;
    private final Answers answers;
    private final Predicate<String> refInUse;
    private final GatewayMetrics metrics;
    private final SocketTraffic traffic;
    private final Sink sink;

    private final StringBuilder partial = new StringBuilder();
    private long partialBytes;
    private long binaryBytes; // of the binary frame in progress (its fragments so far)
    private long frames;

    /**
     * @param refInUse whether a ref belongs to a request still waiting for its reply
     */
    FrameIntake(GatewaySettings limits, long now, Answers answers, Predicate<String> refInUse, GatewayMetrics metrics,
                SocketTraffic traffic, Sink sink) {
        this.maxFrameBytes = limits.maxFrameBytes();
        this.limiter = new RateLimiter(limits.ratePerSecond(), limits.rateBurst(), now);
        this.rateMessage = "Too many frames: at most " + limits.ratePerSecond() + " a second, bursts of "
                + limits.rateBurst() + "; this one was dropped";
        this.answers = answers;
        this.refInUse = refInUse;
        this.metrics = metrics;
        this.traffic = traffic;
        this.sink = sink;
    }

    /** A text frame, or a fragment of one ({@code last}: the frame ends here). */
    void text(String text, boolean last) {
        if (answers.closing()) {
            return;
        }
        long bytes = Unicode.utf8Length(text);
        traffic.bytesIn(bytes);
        partial.append(text);
        partialBytes += bytes;
        if (partialBytes > maxFrameBytes) {
            long size = partialBytes;
            partial.setLength(0);
            partialBytes = 0;
            tooLarge(size, last);
            return;
        }
        if (last) {
            String frame = partial.toString();
            partial.setLength(0);
            partialBytes = 0;
            frame(frame);
        }
    }

    /** A binary frame, or a fragment of one: never part of the protocol. */
    void binary(int bytes, boolean last) {
        if (answers.closing()) {
            return;
        }
        traffic.bytesIn(bytes);
        binaryBytes += bytes;
        if (binaryBytes > maxFrameBytes) {
            // Over the limit is too_large and 1009 whatever the frame's kind (protocol.md, close codes).
            long size = binaryBytes;
            binaryBytes = 0;
            tooLarge(size, last);
            return;
        }
        if (!last) {
            return;
        }
        binaryBytes = 0;
        frames++;
        traffic.frameIn();
        metrics.frameIn("binary");
        if (admit(null)) {
            answers.fail(null, null, ErrorCode.BAD_FRAME, "Binary frames are not part of the protocol: send UTF-8"
                    + " JSON text frames");
        }
    }

    private void tooLarge(long size, boolean whole) {
        traffic.frameIn();
        answers.reject(ErrorCode.TOO_LARGE);
        answers.push(Frames.error(ErrorCode.TOO_LARGE, "A frame of " + size + (whole ? "" : "+") + " bytes is over"
                + " the limit of " + maxFrameBytes + " bytes (limits.maxFrameBytes)", null));
        answers.close(TOO_BIG, "Frame too large");
    }

    private void frame(String text) {
        frames++;
        traffic.frameIn();
        if (text.indexOf('\uFFFD') >= 0) {
            // Helidon decodes text frames leniently, so bytes that were not UTF-8 arrive as U+FFFD. A client that
            // means the character sends it escaped in JSON ("\ufffd"), which stays intact here.
            answers.reject(ErrorCode.BAD_FRAME);
            answers.close(INVALID_PAYLOAD, "Invalid UTF-8");
            return;
        }
        JsonNode frame = parse(text);
        String overLimits = null; // well-formed, but over a limit of the tree reader: read its top level only
        if (frame == OVER_LIMITS) {
            ShallowFrame.Read shallow = ShallowFrame.read(text);
            frame = shallow.top();
            overLimits = shallow.problem();
        }
        if (!admit(frame)) {
            return;
        }
        if (frame == null || !frame.isObject()) {
            metrics.frameIn(null);
            answers.fail(null, null, ErrorCode.BAD_FRAME, frame == null
                    ? "Not JSON: every frame is one JSON object {type, ref?, data?}"
                    : "Not a JSON object: every frame is one JSON object {type, ref?, data?}");
            return;
        }
        JsonNode typeNode = frame.get("type");
        String type = typeNode != null && typeNode.isTextual() ? typeNode.asText() : null;
        metrics.frameIn(type);
        String ref = null;
        JsonNode refNode = Validation.field(frame, "ref");
        if (refNode != null && isUsableRef(refNode)) {
            ref = refNode.asText();
        }
        // An unusable ref first, whatever else the frame lacks: it is not processed (protocol.md, "Frames").
        if (refNode != null && ref == null) {
            answers.fail(null, type, ErrorCode.INVALID_FIELD, "ref must be a string of 1 to " + REF_MAX
                    + " characters; the frame was not processed");
            return;
        }
        if (type == null) {
            // With a usable ref it is answered by a reply (protocol.md: exactly one reply per usable ref).
            String inUse = ref != null && refInUse.test(ref) ? ref : null;
            answers.fail(inUse == null ? ref : null, null, ErrorCode.BAD_FRAME, "The frame has no string 'type';"
                    + " requests are " + RequestType.NAMES);
            return;
        }
        if (ref != null) {
            if (refInUse.test(ref)) {
                answers.fail(ref, type, ErrorCode.INVALID_FIELD, "ref '" + ref + "' belongs to a request still"
                        + " waiting for its reply: use a new ref for each request");
                return;
            }
        }
        RequestType request = RequestType.of(type);
        if (request == null) {
            answers.fail(ref, type, ErrorCode.UNKNOWN_TYPE, "Unknown type '" + Unicode.shorten(type) + "'; requests"
                    + " are " + RequestType.NAMES);
            return;
        }
        if (overLimits != null) {
            answers.fail(ref, type, ErrorCode.INVALID_FIELD, overLimits);
            return;
        }
        JsonNode data = Validation.field(frame, "data");
        if (data == null) {
            data = Json.object();
        } else if (!data.isObject()) {
            answers.fail(ref, type, ErrorCode.INVALID_FIELD, "data must be a JSON object (or absent)");
            return;
        }
        sink.request(request, ref, data, frames == 1);
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
                answers.reject(ErrorCode.RATE_LIMITED);
                answers.close(POLICY_VIOLATION, "Rate limit exceeded");
                return false;
            }
            default -> {
                // Any JSON object with a usable ref gets its one reply, this one (protocol.md, Frames).
                String ref = frame == null ? null : usableRef(frame);
                String type = frame == null ? null : textOrNull(frame.get("type"));
                if (ref != null && !refInUse.test(ref)) {
                    answers.fail(ref, type, ErrorCode.RATE_LIMITED, rateMessage);
                } else if (limiter.shouldNotify(now)) {
                    answers.fail(null, type, ErrorCode.RATE_LIMITED, rateMessage);
                } else {
                    answers.reject(ErrorCode.RATE_LIMITED);
                }
                return false;
            }
        }
    }

    /** The frame as a tree; null if it is not one JSON value; {@link #OVER_LIMITS} if it is over the reader's. */
    private static JsonNode parse(String text) {
        try {
            JsonNode node = STRICT.readTree(text);
            return node == null || node.isMissingNode() ? null : node;
        } catch (StreamConstraintsException e) {
            // nesting, a number's or a field name's length (ShallowFrame says which)
            return OVER_LIMITS;
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
        return ref.isTextual() && !ref.asText().isEmpty() && Unicode.codePoints(ref.asText()) <= REF_MAX
                && Unicode.wellFormed(ref.asText());
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
