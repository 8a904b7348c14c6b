package dev.huddle.signaling;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of the last few thousand commands whose effects Kafka acknowledged, so a redelivered batch (a retry
 * after one send failed, a commit lost) does not push a second copy of an offer to a peer.
 * Thread-safe: marked from producer callbacks, read from the relay thread.
 */
final class RecentIds {
    private final Map<String, Boolean> ids;

    RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(capacity * 4 / 3 + 1) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized boolean contains(String id) {
        return id != null && ids.containsKey(id);
    }

    synchronized void add(String id) {
        if (id != null) {
            ids.put(id, Boolean.TRUE);
        }
    }
}
