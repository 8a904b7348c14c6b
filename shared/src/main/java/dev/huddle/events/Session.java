package dev.huddle.events;

import java.util.List;

/**
 * A peer's session as presence-service keeps it on the compacted {@link dev.huddle.kafka.Topics#SESSIONS} topic
 * (keyed by peerId; a tombstone when the session ends). Presence rebuilds its state from it; the gateways'
 * admin API reads it to list connections. {@code tokenHash} is the SHA-256 of the resume token (never the
 * token): an admin view should not show it.
 *
 * @param peerId         the peer this session speaks for
 * @param tokenHash      hash of the current resume token
 * @param gateway        instance id of the gateway holding (or last holding) the connection
 * @param conn           that connection's id on the gateway
 * @param state          {@link #CONNECTED} or {@link #AWAY}
 * @param connectedSince when the current connection opened (the gateway's clock), ms since epoch
 * @param awaySince      when the connection dropped (presence's clock), 0 while connected
 * @param remote         the client's address as the gateway saw it
 * @param userAgent      the client's User-Agent
 * @param nickname       the latest nickname seen in the peer's rooms, or {@code null}
 * @param rooms          the rooms the peer is a member of
 */
public record Session(String peerId, String tokenHash, String gateway, String conn, String state,
                      long connectedSince, long awaySince, String remote, String userAgent, String nickname,
                      List<String> rooms) {
    public static final String CONNECTED = "connected";
    public static final String AWAY = "away";

    public Session {
        rooms = rooms == null ? List.of() : List.copyOf(rooms);
    }

    public boolean away() {
        return AWAY.equals(state);
    }

    /** The connection this session was last on, as the origin of commands sent on the peer's behalf. */
    public Origin origin() {
        return new Origin(gateway, conn, peerId);
    }

    public Session awayAt(long since) {
        return new Session(peerId, tokenHash, gateway, conn, AWAY, connectedSince, since, remote, userAgent,
                nickname, rooms);
    }

    /** After a resume: the new connection (its address and agent, when known) and the new token's hash. */
    public Session movedTo(String newGateway, String newConn, String newTokenHash, long since, String newRemote,
                           String newUserAgent) {
        return new Session(peerId, newTokenHash, newGateway, newConn, CONNECTED, since, 0,
                newRemote == null ? remote : newRemote, newUserAgent == null ? userAgent : newUserAgent,
                nickname, rooms);
    }

    public Session withMembership(String newNickname, List<String> newRooms) {
        return new Session(peerId, tokenHash, gateway, conn, state, connectedSince, awaySince, remote, userAgent,
                newNickname, newRooms);
    }
}
