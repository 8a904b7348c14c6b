package dev.huddle.signaling;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Frames waiting for peers whose connection dropped (grace period running), the latest {@code max} per peer,
 * in the order they came. Not thread-safe: {@link Courier} guards it.
 */
final class HeldMessages {
    /** One held push for {@code peer}, about {@code room}. */
    record Held(String room, String frame, long ingressTs) {
    }

    private final int max;
    private final Map<String, ArrayDeque<Held>> byPeer = new HashMap<>();
    private int size;

    HeldMessages(int max) {
        this.max = max;
    }

    /** Holds {@code held} for {@code peer}; @return true when the oldest one had to be dropped to make room. */
    boolean hold(String peer, Held held) {
        ArrayDeque<Held> queue = byPeer.computeIfAbsent(peer, p -> new ArrayDeque<>());
        queue.addLast(held);
        size++;
        if (queue.size() > max) {
            queue.removeFirst();
            size--;
            return true;
        }
        return false;
    }

    /** Removes and returns, oldest first, what is held for {@code peer} about {@code room}. */
    List<Held> take(String peer, String room) {
        ArrayDeque<Held> queue = byPeer.get(peer);
        if (queue == null) {
            return List.of();
        }
        List<Held> taken = new ArrayList<>();
        for (Iterator<Held> it = queue.iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (h.room().equals(room)) {
                taken.add(h);
                it.remove();
            }
        }
        size -= taken.size();
        if (queue.isEmpty()) {
            byPeer.remove(peer);
        }
        return taken;
    }

    /** Peers with something held (a copy, safe to iterate while taking). */
    Set<String> peers() {
        return Set.copyOf(byPeer.keySet());
    }

    /** Messages held for all peers together. */
    int size() {
        return size;
    }
}
