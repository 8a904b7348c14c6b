package dev.huddle.gateway;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;

import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything sent to one client goes through here: a queue bounded in frames and in bytes drained by a virtual thread of its own, so
 * no other thread (the delivery loop above all) ever waits for a slow client, and the socket has a single
 * writer. The writer exists only while there is something to write: an idle connection holds no thread and no
 * preallocated queue, which is most of what 20,000 idle sockets would otherwise cost. A queue that overflows
 * means the client cannot keep up: its socket is cut (the writer may be stuck on a full TCP buffer, so a close
 * frame would never go out), and it can reconnect and resume.
 */
final class Outbound implements ClientChannel {
    private static final System.Logger LOG = System.getLogger(Outbound.class.getName());
    private static final Thread.Builder WRITERS = Thread.ofVirtual().name("ws-out");

    /** Told of each text frame written, with its UTF-8 bytes (metrics, the socket's counters). */
    @FunctionalInterface
    interface Sent {
        void sent(String frame, long bytes);
    }

    private sealed interface Item permits Text, Ping, Pong, Close {
    }

    private record Text(String frame, long bytes) implements Item {
    }

    private record Ping() implements Item {
    }

    private record Pong(byte[] payload) implements Item {
    }

    private record Close(int code, String reason, boolean drop) implements Item {
    }

    private final WsSession session;
    private final int capacity;
    private final long maxBytes;
    /** UTF-8 bytes of the text frames waiting: frames alone do not bound the heap (a frame can be 64 KiB). */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Queue<Item> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Set while a writer runs (or for good once the close frame went out): at most one writer at a time. */
    private final AtomicBoolean writing = new AtomicBoolean();
    private final Sent sent;
    private final Runnable gone;
    private volatile boolean closing;
    /** A close that cuts the connection was asked for: however the writer ends, the socket must go. */
    private volatile boolean cut;
    private volatile Thread writer;

    /**
     * @param capacity most frames waiting
     * @param maxBytes most UTF-8 bytes of text frames waiting
     * @param sent     called with each frame written (metrics)
     * @param gone called once when the socket turned out to be dead or was closed from here
     */
    Outbound(WsSession session, int capacity, long maxBytes, Sent sent, Runnable gone) {
        this.session = session;
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.sent = sent;
        this.gone = gone;
    }

    @Override
    public void send(String frame) {
        offer(new Text(frame, Unicode.utf8Length(frame)));
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
    @Override
    public boolean close(int code, String reason, boolean drop) {
        if (closing) {
            return false;
        }
        closing = true;
        cut = drop;
        if (queued.get() >= capacity || queuedBytes.get() >= maxBytes) {
            discardQueued(); // the client is not reading: the close frame matters more than its backlog
        }
        queued.incrementAndGet();
        queue.add(new Close(code, reason, drop));
        startWriter();
        return true;
    }

    @Override
    public boolean closing() {
        return closing;
    }

    /** Stops the writer without sending anything more (the socket is gone, or is to be cut). */
    void stop() {
        closing = true;
        writing.set(true); // no new writer
        Thread w = writer;
        if (w != null) {
            w.interrupt();
        }
        if (cut) {
            drop(session); // the writer may not have got to the close frame: cut without it
        }
    }

    private void offer(Item item) {
        if (closing) {
            return;
        }
        long bytes = item instanceof Text t ? t.bytes : 0;
        if (queued.incrementAndGet() > capacity || queuedBytes.addAndGet(bytes) > maxBytes) {
            LOG.log(Level.INFO, "Client too slow, " + queued.get() + " frames (" + queuedBytes.get()
                    + " bytes) waiting: dropping its connection");
            stop();
            discardQueued();
            drop(session);
            gone.run();
            return;
        }
        queue.add(item);
        startWriter();
    }

    private void discardQueued() {
        queue.clear();
        queued.set(0);
        queuedBytes.set(0);
    }

    private void startWriter() {
        if (writing.compareAndSet(false, true)) {
            writer = WRITERS.start(this::drain);
        }
    }

    private void drain() {
        try {
            while (true) {
                Item item = queue.poll();
                if (item == null) {
                    writer = null;
                    writing.set(false);
                    // An item added after the poll but before the flag was cleared found a writer running:
                    // take it over unless another writer has started meanwhile.
                    if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
                        return;
                    }
                    writer = Thread.currentThread();
                    continue;
                }
                queued.decrementAndGet();
                if (item instanceof Text t) {
                    queuedBytes.addAndGet(-t.bytes);
                }
                if (Thread.currentThread().isInterrupted()) {
                    return; // stopped
                }
                switch (item) {
                    case Text t -> {
                        session.send(t.frame, true);
                        sent.sent(t.frame, t.bytes);
                    }
                    case Ping p -> session.ping(BufferData.empty());
                    case Pong p -> session.pong(BufferData.create(p.payload));
                    case Close c -> {
                        session.close(c.code, c.reason);
                        if (c.drop) {
                            drop(session);
                            gone.run();
                        }
                        return; // writing stays set: nothing goes out after the close frame
                    }
                }
            }
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
