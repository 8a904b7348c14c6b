package dev.huddle.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.events.Frames;
import dev.huddle.events.ResumeAccepted;
import dev.huddle.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Who one connection is, and its {@code resume} (architecture.md, "Sessions, drops and resume"): it starts as the
 * fresh peer its {@code hello} announced; a resume claims an old peer, whose deliveries reach this connection and
 * are held from then on; once presence accepted and rooms-service restored every room, the resume reply goes
 * out, then what was held, and the connection is the claimed peer. A failed or timed-out resume leaves it the
 * fresh peer. Locks itself; while locked it only queues frames and updates the connection index.
 */
final class ResumeFlow {
    /** Where the gateway finds a connection by peerId (deliveries): this connection under another name. */
    interface PeerIndex {
        void index(String peerId);

        void unindex(String peerId);
    }

    private final String freshPeer;
    private final int maxHeld;
    private final PeerIndex index;
    private final PendingRequests pending;
    private final ConnectionRooms rooms;
    private final Consumer<String> push;
    private volatile String peerId; // written under the lock
    private ResumeAttempt attempt;

    /** @param maxHeld most deliveries held for the claimed peer (the oldest go) */
    ResumeFlow(String freshPeer, int maxHeld, PeerIndex index, PendingRequests pending, ConnectionRooms rooms,
               Consumer<String> push) {
        this.freshPeer = freshPeer;
        this.peerId = freshPeer;
        this.maxHeld = maxHeld;
        this.index = index;
        this.pending = pending;
        this.rooms = rooms;
        this.push = push;
    }

    String freshPeer() {
        return freshPeer;
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
        if (attempt != null && !ids.contains(attempt.claimedPeer)) {
            ids.add(attempt.claimedPeer);
        }
        return ids;
    }

    /** A resume of {@code claimedPeer} begins: from now on its deliveries reach here and are held. */
    ResumeAttempt begin(String ref, String claimedPeer) {
        ResumeAttempt a = new ResumeAttempt(ref, claimedPeer, Ids.resumeToken(claimedPeer), maxHeld);
        synchronized (this) {
            attempt = a;
        }
        index.index(claimedPeer);
        return a;
    }

    /**
     * Holds a frame meant for the claimed peer until the resume reply has gone. {@code addressed}: the peerId it
     * was sent to; {@code direct}: sent to this very connection (replies), which is never held.
     *
     * @return whether it was held
     */
    synchronized boolean hold(String frame, String addressed, boolean direct) {
        if (!holdsFor(addressed, direct)) {
            return false;
        }
        attempt.hold(frame);
        return true;
    }

    /** Whether what is addressed so is meant for the claimed peer's old connection, not (yet) for this one. */
    synchronized boolean holdsFor(String addressed, boolean direct) {
        return attempt != null && !direct && addressed != null && addressed.equals(attempt.claimedPeer);
    }

    /** Presence accepted the resume: from now on this connection is the claimed peer. */
    synchronized void accepted(String frame) {
        if (attempt == null || attempt.isAccepted()) {
            return;
        }
        attempt.accepted(Json.read(frame, ResumeAccepted.class));
        String before = peerId;
        peerId = attempt.peerId();
        index.index(peerId);
        index.unindex(before);
        finish();
    }

    /** rooms-service restored one of the resumed peer's rooms. */
    synchronized void room(String frame) {
        if (attempt == null) {
            return;
        }
        JsonNode state = Json.tree(frame);
        if (state.has("data") && state.get("data").isObject() && state.has("type")) {
            state = state.get("data"); // tolerate a push-shaped frame
        }
        attempt.room(state);
        finish();
    }

    private void finish() {
        if (!attempt.complete()) {
            return;
        }
        ResumeAttempt done = attempt;
        attempt = null;
        if (pending.take(done.ref) == null) {
            return; // timed out meanwhile: the client was told unavailable
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("peerId", peerId);
        data.put("resumeToken", done.newToken);
        data.put("rooms", done.roomStates());
        push.accept(Frames.reply(done.ref, data));
        done.roomNames().forEach(rooms::touch);
        rooms.joinedAll(done.roomNames());
        done.held().forEach(push);
    }

    /** The resume failed or timed out: the connection goes on as the fresh peer its hello announced. */
    synchronized void abandon() {
        if (attempt == null) {
            return;
        }
        ResumeAttempt failed = attempt;
        attempt = null;
        if (!peerId.equals(freshPeer)) { // accepted, but a room never came: back to the announced identity
            index.unindex(peerId);
            peerId = freshPeer;
            index.index(freshPeer);
        }
        if (!failed.claimedPeer.equals(freshPeer)) {
            index.unindex(failed.claimedPeer);
        }
    }

    /** The connection closed: a resume not accepted yet is dropped. @return the peer the connection was */
    synchronized String closed() {
        if (attempt != null && !attempt.isAccepted()) {
            attempt = null;
        }
        return peerId;
    }
}
