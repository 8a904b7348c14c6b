package dev.huddle.gateway;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections this gateway holds, by connection id and by the peerIds they may be addressed as (a peer has
 * one connection, two while a resume moves it from an old one to a new one on this same gateway).
 */
final class Connections {
    private final Map<String, Connection> byConn = new ConcurrentHashMap<>();
    private final Map<String, Set<Connection>> byPeer = new ConcurrentHashMap<>();

    void add(Connection c) {
        byConn.put(c.connId, c);
        index(c.peerId(), c);
    }

    void remove(Connection c) {
        byConn.remove(c.connId);
        for (String peer : c.peerIds()) {
            unindex(peer, c);
        }
    }

    void index(String peerId, Connection c) {
        byPeer.computeIfAbsent(peerId, p -> ConcurrentHashMap.newKeySet()).add(c);
    }

    void unindex(String peerId, Connection c) {
        byPeer.computeIfPresent(peerId, (p, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
    }

    Connection byConn(String connId) {
        return byConn.get(connId);
    }

    Set<Connection> byPeer(String peerId) {
        Set<Connection> set = byPeer.get(peerId);
        return set == null ? Set.of() : set;
    }

    Collection<Connection> all() {
        return List.copyOf(byConn.values());
    }

    int size() {
        return byConn.size();
    }
}
