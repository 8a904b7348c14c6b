package dev.huddle.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latest ids seen (at most {@code capacity}), to recognise a record that Kafka's at-least-once delivery
 * brought a second time: a redelivered batch after a retry or a crash. Thread-safe.
 */
public final class RecentIds {
    private final Map<String, Boolean> ids;

    public RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(capacity * 4 / 3 + 1) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized boolean contains(String id) {
        return id != null && ids.containsKey(id);
    }

    public synchronized void add(String id) {
        if (id != null) {
            ids.put(id, Boolean.TRUE);
        }
    }

    /** Adds {@code id}; @return false if it was there already (a copy). */
    public synchronized boolean firstTime(String id) {
        return id == null || ids.put(id, Boolean.TRUE) == null;
    }
}
