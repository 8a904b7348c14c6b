package dev.huddle.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code relay}: clients spread over rooms (a room's peers alternate gateways, so signals cross nodes) send ICE
 * candidates to random peers of their room at a fixed rate. The candidate string carries the send time, so the
 * receiver (this same process) measures the relay latency end to end: client, gateway, Kafka, signaling, Kafka,
 * gateway, client.
 */
final class RelayScenario {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final Options options;
    private final HttpClient http;
    private final Duration timeout;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    // Send times travel as nanoseconds since this origin: positive, and comparable because sender and receiver
    // are the same JVM.
    private final long origin = System.nanoTime();
    private final ErrorCounts errors = new ErrorCounts();
    private final Latency relay = new Latency();
    private final Latency connectJoin = new Latency();
    private final LongAdder sent = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    // A gateway that dies mid-run: its clients' sockets drop, and the survivors in their rooms must be told.
    private final LongAdder peerLeft = new LongAdder();
    private final AtomicLong firstDrop = new AtomicLong(-1);
    private final AtomicLong lastPeerLeft = new AtomicLong(-1);
    /** Signals sent at or after this (nanoseconds since origin) count in the latency figures: warm-up is over. */
    private volatile long measureFrom = Long.MAX_VALUE;
    /** How far the sender fell behind its schedule at worst: if large, this process (not the system) limited the rate. */
    private long senderBehindNanos;
    private final List<Member> members = new ArrayList<>();
    /** With --window: latencies by the send time's window from the start of sending. */
    private final Latency[] windows;
    /** Start of sending, nanoseconds since origin (valid once sending started). */
    private volatile long sendFrom;
    private final BrokerRequests broker;

    RelayScenario(Options options, HttpClient http) {
        this.options = options;
        this.http = http;
        this.timeout = Duration.ofSeconds(options.timeout());
        this.broker = new BrokerRequests(http, options.broker());
        int n = options.window() == 0 ? 0 : (options.seconds() + options.window() - 1) / options.window();
        this.windows = new Latency[n];
        for (int i = 0; i < n; i++) {
            windows[i] = new Latency();
        }
        List<URI> gateways = options.gateways();
        for (int i = 0; i < options.clients(); i++) {
            int room = i % options.rooms();
            members.add(new Member(i, "lg-" + runId + "-" + room,
                    gateways.get(gatewayOf(i, options.clients(), options.rooms(), gateways.size()))));
        }
    }

    /**
     * Which gateway client {@code i} uses: consecutive seats of a room on consecutive gateways, each room starting
     * further on, so that with two gateways every room spans both, and with more every gateway gets its share while
     * a room's peers still sit apart.
     */
    static int gatewayOf(int i, int clients, int rooms, int gateways) {
        int room = i % rooms;
        int seat = i / rooms;
        int perRoom = (clients + rooms - 1) / rooms;
        return (room * perRoom + seat) % gateways;
    }

    Report run() throws InterruptedException {
        long started = System.nanoTime();
        GatewayMemory memory = new GatewayMemory(http, options.metrics(), options.gatewayPid());
        GatewayMemory.Sample before = memory.sample(3, 200);

        connectAll();
        List<Member> joined = members.stream().filter(m -> m.joined).toList();

        long sendStart = System.nanoTime();
        long sendEnd = sendStart + TimeUnit.SECONDS.toNanos(options.seconds());
        sendFrom = sendStart - origin;
        measureFrom = sendStart + TimeUnit.SECONDS.toNanos(options.warmup()) - origin;
        BrokerWindow brokerWindow = broker.enabled() ? new BrokerWindow(measureFrom + origin, sendEnd) : null;
        send(joined, sendStart, sendEnd);

        GatewayMemory.Sample loaded = memory.sample(3, 200);
        long drainStart = System.nanoTime();
        long drainEnd = drainStart + TimeUnit.SECONDS.toNanos(options.drain());
        while (delivered.sum() < sent.sum() && System.nanoTime() < drainEnd) {
            Thread.sleep(20);
        }
        long drainNanos = System.nanoTime() - drainStart;
        long peersLeft = peerLeft.sum(); // before our own goodbyes add theirs
        Long dropToLastPeerLeft = firstDrop.get() < 0 || lastPeerLeft.get() < firstDrop.get() ? null
                : TimeUnit.NANOSECONDS.toMillis(lastPeerLeft.get() - firstDrop.get());
        closeAll();

        double measuredSeconds = options.seconds() - options.warmup();
        Map<String, Object> limits = limits();
        Member sample = joined.isEmpty() ? null : joined.getFirst();
        Integer frameBytes = sample == null ? null : signal(sample, sample.client.peerId(), sendEnd - origin).length();
        Report r = new Report()
                .put("scenario", "relay")
                .put("gateways", options.gateways().size())
                .put("clients", options.clients())
                .put("rooms", options.rooms())
                .put("rate_per_client", options.rate())
                .put("seconds", options.seconds())
                .put("warmup", options.warmup())
                .put("connected", members.stream().filter(m -> m.client != null).count())
                .put("joined", (long) joined.size())
                .put("connect_join_ms", connectJoin.summary())
                .put("limits", limits)
                .put("warning", warning(limits))
                .put("signal_frame_bytes", frameBytes)
                .put("sent", sent.sum())
                .put("delivered", delivered.sum())
                .put("skipped_alone", skipped.sum())
                .put("unexpected", unexpected.sum())
                .put("peer_left", peersLeft)
                .put("drop_to_last_peer_left_ms", dropToLastPeerLeft)
                .put("sender_behind_ms_max", TimeUnit.NANOSECONDS.toMillis(senderBehindNanos))
                .put("measured_signals_per_s", Math.round(relay.count() / measuredSeconds))
                .put("relay_latency_ms", relay.summary())
                .put("relay_windows_ms", windowSummaries())
                .put("drain_ms", TimeUnit.NANOSECONDS.toMillis(drainNanos))
                .put("errors", errors.snapshot());
        if (brokerWindow != null) {
            Map<String, Object> b = brokerWindow.figures();
            if (b != null) {
                r.put("broker_requests_per_relayed_signal", b.remove("requests_per_relayed_signal"));
                r.put("broker", b);
            }
        }
        if (memory.enabled()) {
            Map<String, Object> gw = new LinkedHashMap<>(before.mb("_before"));
            gw.putAll(loaded.mb("_loaded"));
            r.put("gateway", gw);
        }
        return r.put("elapsed_s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    /** One entry per window: {from_s, count, p50, p99, ...}. */
    private List<Map<String, Object>> windowSummaries() {
        if (windows.length == 0) {
            return null;
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < windows.length; i++) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("from_s", i * options.window());
            w.putAll(windows[i].summary());
            list.add(w);
        }
        return list;
    }

    /**
     * Reads the broker's counters and the delivered count when the measured window opens and when sending
     * ends, on a thread of its own so that the sending loop keeps its pace.
     */
    private final class BrokerWindow {
        private final Thread reader;
        private volatile BrokerRequests.Snapshot before;
        private volatile BrokerRequests.Snapshot after;
        private volatile long deliveredBefore;
        private volatile long deliveredAfter;
        private volatile long openedAt;
        private volatile long closedAt;

        BrokerWindow(long open, long close) {
            reader = Thread.ofVirtual().name("loadgen-broker").start(() -> {
                parkUntil(open);
                deliveredBefore = delivered.sum();
                openedAt = System.nanoTime();
                before = broker.read(errors);
                parkUntil(close);
                deliveredAfter = delivered.sum();
                closedAt = System.nanoTime();
                after = broker.read(errors);
            });
        }

        /** The window's figures, or {@code null} if a reading failed (counted in errors). */
        Map<String, Object> figures() throws InterruptedException {
            reader.join();
            if (before == null || after == null) {
                return null;
            }
            return BrokerRequests.figures(before, after, (closedAt - openedAt) / 1e9, deliveredAfter - deliveredBefore);
        }

        private static void parkUntil(long nanoTime) {
            for (long wait; (wait = nanoTime - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    /** Opens every connection and joins its room, spreading the starts evenly over the ramp. */
    private void connectAll() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(members.size());
        ScheduledExecutorService ramp = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadgen-ramp");
            t.setDaemon(true);
            return t;
        });
        try {
            long rampNanos = TimeUnit.SECONDS.toNanos(options.ramp());
            for (Member m : members) {
                long delay = rampNanos * m.index / members.size();
                ramp.schedule(() -> m.connect(done), delay, TimeUnit.NANOSECONDS);
            }
            // Every attempt ends by its timeouts; the bound is only a safety net.
            if (!done.await(options.ramp() + 3 * timeout.toSeconds(), TimeUnit.SECONDS)) {
                errors.add("connect_pending");
            }
        } finally {
            ramp.shutdownNow();
        }
    }

    /**
     * Sends at the configured rate on this thread: the clients are dealt into slots of one period, and every
     * 2 ms tick the next slot's clients send once. A late tick is caught up at once, so the rate holds on average.
     */
    private void send(List<Member> senders, long start, long end) {
        if (senders.isEmpty()) {
            return;
        }
        long period = (long) (1e9 / options.rate());
        int slots = (int) Math.max(1, Math.min(senders.size(), period / TICK_NANOS));
        long tick = period / slots;
        for (long n = 0; ; n++) {
            long due = start + n * tick;
            if (due >= end) {
                return;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else {
                senderBehindNanos = Math.max(senderBehindNanos, -wait);
            }
            for (int i = (int) (n % slots); i < senders.size(); i += slots) {
                senders.get(i).sendSignal();
            }
        }
    }

    private void closeAll() {
        List<CompletableFuture<Integer>> closing = members.stream().filter(m -> m.client != null)
                .map(m -> m.client.close()).toList();
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Close is best effort: each client drops its socket after a second anyway.
        }
    }

    /** What in the options makes the gateway refuse part of the load, if anything. */
    private String warning(Map<String, Object> limits) {
        if (limits == null) {
            return null;
        }
        List<String> w = new ArrayList<>();
        double rate = ((Number) limits.get("messagesPerSecond")).doubleValue();
        if (rate > 0 && options.rate() > rate) {
            w.add("--rate is above the gateway's messagesPerSecond: expect rate_limited");
        }
        int perRoom = (options.clients() + options.rooms() - 1) / options.rooms();
        int capacity = ((Number) limits.get("roomCapacity")).intValue();
        if (capacity > 0 && perRoom > capacity) {
            w.add(perRoom + " clients per room exceed roomCapacity " + capacity + ": expect room_full");
        }
        return w.isEmpty() ? null : String.join("; ", w);
    }

    private Map<String, Object> limits() {
        for (Member m : members) {
            if (m.client != null && m.client.hello() != null) {
                JsonNode limits = m.client.hello().path("limits");
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("messagesPerSecond", limits.path("messagesPerSecond").asDouble());
                l.put("burst", limits.path("burst").asDouble());
                l.put("roomCapacity", limits.path("roomCapacity").asInt());
                return l;
            }
        }
        return null;
    }

    /** A signal frame of about 300 bytes: an ICE candidate like a browser's, its foundation the send time. */
    private static String signal(Member from, String to, long sentAt) {
        ObjectNode data = Json.object();
        data.put("room", from.room);
        data.put("to", to);
        ObjectNode c = data.putObject("candidate");
        c.put("candidate", "candidate:" + sentAt + " 1 udp 2122260223 " + from.host + " " + from.port
                + " typ host generation 0 ufrag " + from.ufrag + " network-id 1 network-cost 10");
        c.put("sdpMid", "0");
        c.put("sdpMLineIndex", 0);
        c.put("usernameFragment", from.ufrag);
        ObjectNode f = Json.object();
        f.put("type", "signal");
        f.set("data", data);
        return Json.write(f);
    }

    /** The send time a received candidate carries, or -1 if it is not one of ours. */
    private static long sentAt(JsonNode data) {
        String s = data.path("candidate").path("candidate").asText("");
        int space = s.indexOf(' ');
        if (!s.startsWith("candidate:") || space < 0) {
            return -1;
        }
        try {
            return Long.parseLong(s, "candidate:".length(), space, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One simulated participant: its connection, its room and the peers it knows there. */
    private final class Member implements Client.Handler {
        final int index;
        final String room;
        final URI gateway;
        // Like a browser's mDNS host candidate; fixed per member.
        final String host = UUID.randomUUID() + ".local";
        final int port = 49152 + ThreadLocalRandom.current().nextInt(16000);
        final String ufrag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        final Set<String> peers = ConcurrentHashMap.newKeySet();
        volatile String[] peerArray = new String[0];
        volatile Client client;
        volatile boolean joined;

        Member(int index, String room, URI gateway) {
            this.index = index;
            this.room = room;
            this.gateway = gateway;
        }

        void connect(CountDownLatch done) {
            long t = System.nanoTime();
            ObjectNode join = Json.object().put("room", room).put("nickname", "lg" + index);
            Client.connect(http, gateway, this, timeout)
                    .thenCompose(c -> {
                        client = c;
                        return c.request("join", join, timeout);
                    })
                    .whenComplete((reply, e) -> {
                        if (e != null) {
                            errors.addFailure(e);
                        } else if (reply.path("ok").asBoolean()) {
                            for (JsonNode p : reply.path("data").path("peers")) {
                                addPeer(p.path("peerId").asText());
                            }
                            joined = true;
                            connectJoin.recordNanos(System.nanoTime() - t);
                        } else {
                            errors.add(reply.path("error").path("code").asText("reply_without_code"));
                        }
                        done.countDown();
                    });
        }

        void sendSignal() {
            String[] known = peerArray;
            if (known.length == 0) {
                skipped.increment();
                return;
            }
            String to = known[ThreadLocalRandom.current().nextInt(known.length)];
            client.sendText(signal(this, to, System.nanoTime() - origin)).whenComplete((r, e) -> {
                if (e != null) {
                    errors.addFailure(e);
                }
            });
            sent.increment();
        }

        @Override
        public void push(Client c, JsonNode frame) {
            JsonNode data = frame.path("data");
            switch (frame.path("type").asText()) {
                case "signal" -> {
                    long at = sentAt(data);
                    if (at < 0) {
                        unexpected.increment();
                        return;
                    }
                    delivered.increment();
                    long latency = System.nanoTime() - origin - at;
                    if (at >= measureFrom) {
                        relay.recordNanos(latency);
                    }
                    if (windows.length > 0) {
                        int w = (int) ((at - sendFrom) / TimeUnit.SECONDS.toNanos(options.window()));
                        windows[Math.clamp(w, 0, windows.length - 1)].recordNanos(latency);
                    }
                }
                case "peer_joined" -> addPeer(data.path("peer").path("peerId").asText());
                case "peer_left" -> {
                    peerLeft.increment();
                    lastPeerLeft.set(System.nanoTime());
                    removePeer(data.path("peerId").asText());
                }
                case "error" -> errors.add(data.path("code").asText("error_without_code"));
                // Anything that takes the peer out of its room or asks it to move spoils the run: count it.
                case "reconnect", "kicked", "room_closed", "unparsable" -> errors.add(frame.path("type").asText());
                default -> {
                    // Other pushes (peer_media, chat, notice, ...) are not part of this scenario.
                }
            }
        }

        @Override
        public void closed(Client c, int code) {
            if (!c.isClosing()) {
                firstDrop.compareAndSet(-1, System.nanoTime());
                errors.add("closed_" + code);
            }
        }

        private synchronized void addPeer(String peerId) {
            if (!peerId.isEmpty() && peers.add(peerId)) {
                peerArray = peers.toArray(String[]::new);
            }
        }

        private synchronized void removePeer(String peerId) {
            if (peers.remove(peerId)) {
                peerArray = peers.toArray(String[]::new);
            }
        }
    }
}
