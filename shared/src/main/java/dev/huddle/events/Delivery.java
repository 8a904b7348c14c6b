package dev.huddle.events;

import java.util.List;

/**
 * Something a service wants a gateway to do for some peers' connections: send a frame, or close them.
 * Every gateway reads every delivery and acts on the peers it holds, so a peer can be reached
 * whichever gateway it is on (and after it resumed on another one).
 *
 * @param v         schema version
 * @param id        unique id
 * @param ts        when the delivery was made
 * @param to        peerIds, or {@link #EVERYONE}
 * @param conn      only this connection of the peer (replies go to the connection that asked), or {@code null}
 * @param frame     the client frame, already serialised, or {@code null} for a pure control delivery
 * @param control   {@code null} for a plain frame, else one of {@link Control}
 * @param code      close code for {@link Control#CLOSE}
 * @param ingressTs when the gateway received the request that caused this (0 if none)
 */
public record Delivery(int v, String id, long ts, List<String> to, String conn, String frame,
                       Control control, Integer code, long ingressTs) {
    public static final String EVERYONE = "*";

    /** What a gateway does besides sending {@link #frame()}. */
    public enum Control {
        /** close the connection with {@link #code()} after sending the frame, if any */
        CLOSE,
        /** internal: presence accepted a resume; the frame is a {@link ResumeAccepted} */
        RESUME_ACCEPTED,
        /** internal: rooms-service restored one room of a resumed peer; the frame is the room's state */
        RESUME_ROOM,
        /** internal, gateway to gateway: a socket counters query (admin API); the frame says which socket */
        COUNTERS_QUERY,
        /** internal, gateway to gateway: the answer to a {@link #COUNTERS_QUERY} */
        COUNTERS_ANSWER
    }

    public static Delivery frame(List<String> to, String frame, long ingressTs) {
        return frame(RecordIds.random(), to, frame, ingressTs);
    }

    /**
     * With an id of its own choosing ({@link Command#derivedId}): a service that makes the delivery again for a
     * redelivered command uses the same id, so gateways drop the copy and the client gets the frame once.
     */
    public static Delivery frame(String id, List<String> to, String frame, long ingressTs) {
        return new Delivery(Command.VERSION, id, System.currentTimeMillis(), to, null, frame, null, null, ingressTs);
    }

    public static Delivery frame(String to, String frame, long ingressTs) {
        return frame(List.of(to), frame, ingressTs);
    }

    /** A reply, or anything else that only the connection that asked may see. */
    public static Delivery toConnection(Origin origin, String frame, long ingressTs) {
        return toConnection(RecordIds.random(), origin, frame, ingressTs);
    }

    /** The same with an id of its own choosing, as {@link #frame(String, List, String, long)}. */
    public static Delivery toConnection(String id, Origin origin, String frame, long ingressTs) {
        return new Delivery(Command.VERSION, id, System.currentTimeMillis(), List.of(origin.peer()), origin.conn(),
                frame, null, null, ingressTs);
    }

    public static Delivery control(Origin origin, Control control, String frame, Integer code) {
        return new Delivery(Command.VERSION, RecordIds.random(), System.currentTimeMillis(),
                List.of(origin.peer()), origin.conn(), frame, control, code, 0);
    }

    /**
     * The close code of an operator's disconnect: 1008 (policy violation), the code a server uses to end a session
     * it refuses to keep. The gateway tells presence the session ends with it (no grace period), and the web
     * client does not resume it.
     */
    public static final int CLOSE_ENDS_SESSION = 1008;

    /** Close every connection of these peers (or just {@code conn}) with {@code code}, after sending {@code frame}. */
    public static Delivery close(List<String> to, String conn, String frame, int code) {
        return new Delivery(Command.VERSION, RecordIds.random(), System.currentTimeMillis(),
                to, conn, frame, Control.CLOSE, code, 0);
    }
}
