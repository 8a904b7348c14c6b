package dev.huddle.gateway;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;

import java.lang.System.Logger.Level;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Everything sent to one client goes through here: a bounded queue drained by the connection's own virtual
 * thread, so no other thread (the delivery loop above all) ever waits for a slow client, and the socket has a
 * single writer. A queue that overflows means the client cannot keep up: its socket is cut (the writer may be
 * stuck on a full TCP buffer, so a close frame would never go out), and it can reconnect and resume.
 */
final class Outbound {
    private static final System.Logger LOG = System.getLogger(Outbound.class.getName());

    private sealed interface Item permits Text, Ping, Pong, Close {
    }

    private record Text(String frame) implements Item {
    }

    private record Ping() implements Item {
    }

    private record Pong(byte[] payload) implements Item {
    }

    private record Close(int code, String reason, boolean drop) implements Item {
    }

    private final WsSession session;
    private final BlockingQueue<Item> queue;
    private final Consumer<String> sent;
    private final Runnable gone;
    private volatile boolean closing;
    private final Thread thread;

    /**
     * @param sent called with each frame written (metrics)
     * @param gone called once when the socket turned out to be dead or was closed from here
     */
    Outbound(WsSession session, String name, int capacity, Consumer<String> sent, Runnable gone) {
        this.session = session;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sent = sent;
        this.gone = gone;
        this.thread = Thread.ofVirtual().name("ws-out-" + name).start(this::drain);
    }

    void send(String frame) {
        offer(new Text(frame));
    }

    void ping() {
        offer(new Ping());
    }

    void pong(BufferData payload) {
        byte[] bytes = new byte[payload.available()];
        payload.read(bytes);
        offer(new Pong(bytes));
    }

    /**
     * Sends what is queued, then a close frame. {@code drop}: then also cuts the TCP connection, for a client that
     * is not expected to answer the close (dead, or misbehaving).
     *
     * @return false if the connection was closing already
     */
    boolean close(int code, String reason, boolean drop) {
        if (closing) {
            return false;
        }
        Item close = new Close(code, reason, drop);
        closing = true;
        if (!queue.offer(close)) {
            queue.clear();
            queue.offer(close);
        }
        return true;
    }

    boolean closing() {
        return closing;
    }

    /** Stops the writer without sending anything more (the socket is gone). */
    void stop() {
        closing = true;
        thread.interrupt();
    }

    private void offer(Item item) {
        if (closing) {
            return;
        }
        if (!queue.offer(item)) {
            LOG.log(Level.INFO, "Client too slow, " + queue.size() + " frames waiting: dropping its connection");
            closing = true;
            queue.clear();
            thread.interrupt();
            drop(session);
            gone.run();
        }
    }

    private void drain() {
        try {
            while (true) {
                Item item = queue.take();
                switch (item) {
                    case Text t -> {
                        session.send(t.frame, true);
                        sent.accept(t.frame);
                    }
                    case Ping p -> session.ping(BufferData.empty());
                    case Pong p -> session.pong(BufferData.create(p.payload));
                    case Close c -> {
                        session.close(c.code, c.reason);
                        if (c.drop) {
                            drop(session);
                            gone.run();
                        }
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Write failed, connection gone: " + e);
            closing = true;
            drop(session);
            gone.run();
        }
    }

    /** Cuts the TCP connection under a WebSocket session, without a close handshake. */
    static void drop(WsSession session) {
        try {
            if (session.socketContext() instanceof ConnectionContext ctx) {
                ctx.serverSocket().close();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Dropping socket failed: " + e);
        }
    }

    /** Whether the TCP connection is still there (false once either side closed it). */
    static boolean connected(WsSession session) {
        try {
            return !(session.socketContext() instanceof ConnectionContext ctx) || ctx.serverSocket().isConnected();
        } catch (RuntimeException e) {
            return true; // cannot tell: the keep-alive will
        }
    }
}
