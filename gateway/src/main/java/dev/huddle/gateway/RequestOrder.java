package dev.huddle.gateway;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps one connection's requests in one room in the order sent, although they go to two services on two
 * topics (architecture.md, "Order of a sender's requests"). A request goes out at once when every earlier unfinished
 * request of its (connection, room) went to the same service; otherwise it waits here until they finish.
 *
 * <ul>
 *   <li>rooms requests (join, leave, rename, media, ...) always finish: rooms-service answers each (the connection
 *   gives one without a {@code ref} an internal ref), and answers only after the request's pushes are in the
 *   inboxes;</li>
 *   <li>signaling requests (signal, chat, ...) are not waited for one by one: before a rooms request that follows
 *   some, the connection sends a {@code fence} on the signals topic, behind them in their partition, and
 *   signaling answers it once everything before it is pushed;</li>
 *   <li>a signaling request that follows a rooms request is marked {@code sync}, so signaling reads the room's
 *   members up to date first (the chat after a rename carries the new nickname).</li>
 * </ul>
 * A chain stays blocked after the client was told {@code unavailable} (order holds while a service restarts), but
 * not longer than {@code capMs}; at most {@code maxQueued} requests wait per room (more: {@code rate_limited}).
 * Thread-safe; what it forwards is sent while holding its lock, so sends leave in order.
 */
final class RequestOrder {
    /** Which service a request goes to. */
    enum Kind { ROOMS, SIGNALING }

    /** What the connection does to send a request (and to send a fence). */
    interface Sender {
        /** Sends the request; {@code sync}: signaling reads the room's members up to date first. */
        void send(Request request, boolean sync);

        /** Sends a fence for {@code room} with {@code ref} on the signals topic. */
        void fence(String room, String ref);
    }

    /** One request as the connection will send it. {@code ref}: the client's, or an internal one (rooms kind). */
    record Request(Kind kind, String type, String room, String ref, Object payload) {
    }

    private static final class Chain {
        final ArrayDeque<Request> waiting = new ArrayDeque<>();
        /** refs of rooms requests sent and not answered */
        final Set<String> rooms = new HashSet<>();
        /** the fence sent and not answered, or null */
        String fence;
        /** signaling requests sent since the last fence */
        boolean unfenced;
        /** a rooms request was sent since the last signaling one */
        boolean roomsSinceSignal;
        /** since when it waits for something (0: it does not) */
        long blockedSince;

        boolean idle() {
            return waiting.isEmpty() && rooms.isEmpty() && fence == null && !unfenced;
        }
    }

    private final Sender sender;
    private final int maxQueued;
    private final long capMs;
    private final Map<String, Chain> chains = new HashMap<>();
    /** every outstanding ref (rooms requests and fences) -> the request (a fence as one of type "fence") */
    private final Map<String, Request> rooms = new HashMap<>();
    private long internalRefs;

    RequestOrder(Sender sender, int maxQueued, long capMs) {
        this.sender = sender;
        this.maxQueued = maxQueued;
        this.capMs = capMs;
    }

    /**
     * Sends the request now, or queues it behind unfinished requests for the other service.
     *
     * @return false when the room's queue is full: the request is dropped
     */
    synchronized boolean submit(Request request, long now) {
        Chain chain = chains.computeIfAbsent(request.room(), r -> new Chain());
        if (!chain.waiting.isEmpty() || !tryForward(chain, request, now)) {
            if (chain.waiting.size() >= maxQueued) {
                return false;
            }
            chain.waiting.add(request);
        }
        return true;
    }

    /**
     * A reply (or a send failure) for {@code ref} arrived: what waited behind it may go.
     *
     * @return the request it finished, or {@code null} if none was waiting for it
     */
    synchronized Request finished(String ref, long now) {
        Request request = ref == null ? null : rooms.remove(ref);
        if (request == null) {
            return null;
        }
        Chain chain = chains.get(request.room());
        if (chain != null) {
            if (ref.equals(chain.fence)) {
                chain.fence = null;
            } else {
                chain.rooms.remove(ref);
            }
            drain(request.room(), chain, now);
        }
        return request;
    }

    /** An internal ref for a rooms request sent without one. */
    synchronized String internalRef() {
        return "gateway-order-" + (++internalRefs) + INTERNAL_SUFFIX;
    }

    /** Gives up waiting for chains blocked longer than the cap (a service that never answers). */
    synchronized void expire(long now) {
        for (var it = chains.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Chain chain = e.getValue();
            if (chain.blockedSince > 0 && now - chain.blockedSince >= capMs) {
                chain.rooms.forEach(rooms::remove);
                chain.rooms.clear();
                if (chain.fence != null) {
                    rooms.remove(chain.fence);
                    chain.fence = null;
                }
                chain.unfenced = false;
                drain(e.getKey(), chain, now);
            }
            if (chain.idle()) {
                it.remove();
            }
        }
    }

    synchronized int queued() {
        return chains.values().stream().mapToInt(c -> c.waiting.size()).sum();
    }

    private void drain(String room, Chain chain, long now) {
        chain.blockedSince = 0;
        while (!chain.waiting.isEmpty()) {
            if (!tryForward(chain, chain.waiting.peek(), now)) {
                return;
            }
            chain.waiting.poll();
        }
        if (chain.idle()) {
            chains.remove(room);
        }
    }

    /** Sends {@code r} if nothing of the other kind is unfinished before it; may send a fence first. */
    private boolean tryForward(Chain chain, Request r, long now) {
        if (r.kind() == Kind.ROOMS) {
            if (chain.fence != null) {
                chain.blockedSince = chain.blockedSince == 0 ? now : chain.blockedSince;
                return false;
            }
            if (chain.unfenced) {
                chain.fence = "gateway-fence-" + (++internalRefs) + INTERNAL_SUFFIX;
                chain.unfenced = false;
                rooms.put(chain.fence, new Request(Kind.SIGNALING, FENCE, r.room(), chain.fence, null));
                chain.blockedSince = now;
                sender.fence(r.room(), chain.fence);
                return false;
            }
            chain.rooms.add(r.ref());
            rooms.put(r.ref(), r);
            chain.roomsSinceSignal = true;
            sender.send(r, false);
            return true;
        }
        if (!chain.rooms.isEmpty()) {
            chain.blockedSince = chain.blockedSince == 0 ? now : chain.blockedSince;
            return false;
        }
        boolean sync = chain.roomsSinceSignal;
        chain.roomsSinceSignal = false;
        chain.unfenced = true;
        sender.send(r, sync);
        return true;
    }

    /**
     * Internal refs are longer than a client's may be (32 characters), so they can never be taken for one.
     */
    static final String INTERNAL_SUFFIX = "-internal-never-a-client-ref";
    /** The internal command on the signals topic that signaling answers once everything before it is pushed. */
    static final String FENCE = "fence";

    static boolean isInternal(String ref) {
        return ref != null && ref.endsWith(INTERNAL_SUFFIX);
    }
}
