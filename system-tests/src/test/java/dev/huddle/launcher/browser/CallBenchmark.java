package dev.huddle.launcher.browser;

import dev.huddle.launcher.LocalCluster;
import dev.huddle.launcher.MetricsText;
import dev.huddle.testing.KafkaExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Benchmark, not part of the test suite (its name does not match Surefire's test patterns). Times taken inside
 * the pages (one clock for all: {@code performance.timeOrigin + performance.now()}), for calls of 2, 4 and 6
 * people whose pages are windows of one Chromium, split over two gateways, all clicking {@code join} together:
 * <ul>
 * <li>join click to the first decoded frame of every remote peer ({@code requestVideoFrameCallback});
 * <li>join click to steady decoding: every remote video has shown 15 frames in a row less than 250 ms apart;
 * <li>frames per second each remote video decodes, over 3 s after that;
 * <li>chat lines, 3 from every page in turn (as the course app's harness sends them), each until its frame reaches
 * each other page's client, and until it shows there;
 * <li>a mute clicked on one page until each other page's {@code participants} shows it.
 * </ul>
 * Run: {@code mvn -B -o -q -pl system-tests -am verify -Dtest=CallBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcalls=3 -Dpeople=2,4,6} and read the {@code BENCH} lines in
 * {@code system-tests/target/surefire-reports/dev.huddle.launcher.browser.CallBenchmark-output.txt}.
 * {@code -Dbench.browsers=separate} gives each page a Chromium of its own instead; {@code -Dbench.console=true}
 * prints each page's console warnings after each call; {@code -Dbench.timeline=true} each page's steps (camera,
 * join sent and answered, descriptions sent and received, frames that held the page's thread over 50 ms) and each
 * connection's; {@code -Dbench.profile=true} the functions and browser calls that took most of each page's thread
 * from the join click to the first frames (V8's sampling profiler, which slows the pages: times are not comparable
 * then). {@code -Dhuddle.chromium=$PWD/scripts/nice-chromium.sh} runs the
 * browsers below the servers' CPU priority (as on separate machines; the course app's script takes the same
 * wrapper); {@code -Dbench.gateways=http://localhost:18080,http://localhost:18081} measures a system started apart
 * ({@code ./run.sh --gateways 2 --port 18080}) instead of one in this JVM: {@code scripts/call-bench.sh} starts one,
 * warmed up, and runs this against it, as the course app's harness runs against its own server. After each size, {@code server-relay} (a request read by one
 * gateway to its delivery by another) and {@code signaling-read-to-delivery-acked} (the gateway's read to the broker's
 * ack of signaling's delivery) give the servers' own share of a relay, from their latency histograms. Before the
 * timed calls of each size, {@code -Dbench.warmup=N} calls (default 1) warm the servers' code up; their first frame is
 * printed apart ({@code warm-up-join-to-first-frame}).
 */
class CallBenchmark {
    private static final String PROBE = """
            const now = () => performance.timeOrigin + performance.now();
            if (!window.__bench) {
              document.addEventListener('click', (e) => {
                if (e.target.closest && e.target.closest('[data-testid=join]')) window.__bench.t0 = now();
              }, true);
              const watch = (v) => {
                if (v.__benchWatched || !v.requestVideoFrameCallback) return;
                v.__benchWatched = true;
                const id = v.dataset.peerId;
                let last = null, streak = 0;
                const onFrame = () => {
                  const b = window.__bench, t = now();
                  if (v.videoWidth > 0) {
                    if (!b.first[id]) b.first[id] = t;
                    streak = last !== null && t - last < 250 ? streak + 1 : 0;
                    last = t;
                    if (streak >= 15 && !b.steady[id]) b.steady[id] = t;
                  }
                  if (!b.steady[id]) v.requestVideoFrameCallback(onFrame);
                };
                v.requestVideoFrameCallback(onFrame);
              };
              setInterval(() => document.querySelectorAll('[data-testid=remote-video]').forEach(watch), 10);
              // When a chat line reaches the page's script (parsed by the client), apart from when it shows: the
              // server's frame and the copy straight from the sender's page (its data channel) each.
              // The page's own steps before any connection (timeline): camera and microphone asked and given, the
              // join sent and its reply parsed.
              const pageMark = (what) => window.__bench.page.push(Math.round(now() - (window.__bench.t0 ?? now())) + ' ' + what);
              // Frames that kept the page's thread over 50 ms: when, how long, how much was layout forced by a
              // script, and which scripts ran (Long Animation Frames).
              new PerformanceObserver((list) => {
                for (const e of list.getEntries()) {
                  const scripts = e.scripts.map((s) => (s.invoker || s.name) + ':' + Math.round(s.duration)
                    + (s.forcedStyleAndLayoutDuration ? '/forced-layout:' + Math.round(s.forcedStyleAndLayoutDuration) : ''));
                  const start = Math.round(performance.timeOrigin + e.startTime - (window.__bench.t0 ?? now()));
                  pageMark('long-frame from ' + start + ' ' + Math.round(e.duration) + ' ms [' + scripts.join(' ') + ']');
                }
              }).observe({type: 'long-animation-frame'});
              const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
              navigator.mediaDevices.getUserMedia = async (c) => { pageMark('gum>'); const s = await gum(c); pageMark('gum<'); return s; };
              const wsSend = WebSocket.prototype.send;
              WebSocket.prototype.send = function (data) {
                if (typeof data === 'string' && data.includes('"description"')) pageMark('description>');
                if (typeof data === 'string' && data.includes('"type":"join"')) {
                  window.__bench.joinRef = (data.match(/"ref":"([^"]+)"/) || [])[1];
                  pageMark('join>');
                }
                return wsSend.call(this, data);
              };
              const parse = JSON.parse;
              JSON.parse = function (text, reviver) {
                if (typeof text === 'string' && text.includes('chatline-')) {
                  const token = (text.match(/chatline-[a-z0-9]+/) || [])[0];
                  const seen = text.startsWith('{"type":"chat"') ? window.__bench.chatFrame : window.__bench.chatDirect;
                  if (token && !(token in seen)) seen[token] = now();
                }
                if (typeof text === 'string' && text.includes('"description"')) pageMark('description<');
                if (typeof text === 'string' && text.startsWith('{"type":"peer_joined"')) pageMark('peer_joined<');
                const ref = window.__bench.joinRef;
                if (ref && typeof text === 'string' && text.startsWith('{"type":"reply"') && text.includes('"ref":"' + ref + '"')) {
                  pageMark('join<');
                }
                return parse.call(this, text, reviver);
              };
              // A timeline per connection (-Dbench.timeline=true): when it was made, each signaling, ICE and
              // connection state, each description set, relative to the join click.
              const Orig = window.RTCPeerConnection;
              window.RTCPeerConnection = class extends Orig {
                constructor(...args) {
                  super(...args);
                  const b = window.__bench, log = [];
                  b.pcs.push(log);
                  const mark = (what) => log.push(Math.round(now() - (window.__bench.t0 ?? now())) + ' ' + what);
                  mark('created');
                  this.addEventListener('signalingstatechange', () => mark('sig:' + this.signalingState));
                  this.addEventListener('iceconnectionstatechange', () => mark('ice:' + this.iceConnectionState));
                  this.addEventListener('connectionstatechange', () => mark('conn:' + this.connectionState));
                  this.addEventListener('icegatheringstatechange', () => mark('gather:' + this.iceGatheringState));
                  this.addEventListener('track', (e) => mark('track:' + e.track.kind));
                  const setLocal = this.setLocalDescription.bind(this), setRemote = this.setRemoteDescription.bind(this);
                  this.setLocalDescription = async (...a) => { mark('setLocal>'); const r = await setLocal(...a);
                    mark('setLocal<' + this.localDescription?.type); return r; };
                  this.setRemoteDescription = async (d) => { mark('setRemote>' + d?.type); const r = await setRemote(d);
                    mark('setRemote<'); return r; };
                }
              };
              const check = () => {
                const b = window.__bench, t = now();
                for (const m of document.querySelectorAll('[data-testid=chat-message]')) {
                  const token = (m.textContent.match(/chatline-[a-z0-9]+/) || [])[0];
                  if (token && !(token in b.chat)) b.chat[token] = t;
                }
                for (const p of document.querySelectorAll('[data-testid=participants] [data-audio=off]')) {
                  if (!(p.dataset.peerId in b.audioOff)) b.audioOff[p.dataset.peerId] = t;
                }
              };
              new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true,
                  attributes: true, attributeFilter: ['data-audio']});
            }
            window.__bench = {t0: null, first: {}, steady: {}, chat: {}, chatFrame: {}, chatDirect: {}, audioOff: {},
                pcs: [], page: [], lag: []};
            // How late the page's thread runs a 20 ms timer: whether a page is too busy to take a message at once.
            if (!window.__lagProbe) {
              window.__lagProbe = true;
              let due = performance.now() + 20;
              setInterval(() => { const t = performance.now(); window.__bench.lag.push(t - due); due = t + 20; }, 20);
            }
            """;

    @Test
    void joinToVideoChatAndMute() throws Exception {
        int calls = Integer.getInteger("calls", 3);
        int warmUpCalls = Integer.getInteger("bench.warmup", 1);
        int[] sizes = Arrays.stream(System.getProperty("people", "2,4,6").split(",")).mapToInt(Integer::parseInt).toArray();
        boolean shared = !"separate".equals(System.getProperty("bench.browsers"));
        // -Dbench.gateways=http://localhost:18080,http://localhost:18081: a system started apart (./run.sh), not one
        // in this JVM beside the test's broker and browsers' driver
        String external = System.getProperty("bench.gateways", "");
        try (LocalCluster cluster = external.isBlank() ? LocalCluster.start(new LocalCluster.Options(2, 0,
                KafkaExtension.bootstrapServers(), Files.createTempDirectory("unused"),
                Map.of("kafka.topic.prefix", "bench" + UUID.randomUUID().toString().substring(0, 6) + "."))) : null) {
            List<String> urls = cluster != null
                    ? cluster.gateways().stream().map(g -> "http://localhost:" + g.port()).toList()
                    : List.of(external.split(","));
            for (int people : sizes) {
                List<Double> first = new ArrayList<>();
                List<Double> steady = new ArrayList<>();
                List<Double> fps = new ArrayList<>();
                List<Double> chat = new ArrayList<>();
                List<Double> chatFrame = new ArrayList<>();
                List<Double> chatDirect = new ArrayList<>();
                List<Double> lag = new ArrayList<>();
                List<Double> mute = new ArrayList<>();
                ChromeDriver browser = shared ? Browsers.start() : null;
                List<CallPage> pages = new ArrayList<>();
                List<String> signalingUrl = cluster != null ? List.of("http://localhost:" + cluster.signaling().port())
                        : List.of();
                RelayHistogram relayBefore;
                RelayHistogram signalingBefore;
                try {
                    for (int i = 0; i < people; i++) {
                        String url = urls.get(i % 2);
                        pages.add(shared ? new CallPage(browser, url, "P" + i) : new CallPage(url, "P" + i));
                    }
                    // Servers run for weeks: the first calls after a start meet code the JIT has not compiled yet
                    // (joins took 300 ms in the first call, 40 ms by the fourth). Those are timed apart.
                    List<Double> cold = new ArrayList<>();
                    for (int c = 0; c < warmUpCalls; c++) {
                        runCall(pages, cold, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                                new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                    }
                    if (warmUpCalls > 0) {
                        report("warm-up-join-to-first-frame", people, warmUpCalls, cold);
                    }
                    relayBefore = RelayHistogram.read(urls, GATEWAY_RELAY);
                    signalingBefore = RelayHistogram.read(signalingUrl, SIGNALING_RELAY);
                    for (int c = 0; c < calls; c++) {
                        runCall(pages, first, steady, fps, chat, chatFrame, chatDirect, lag, mute);
                        if (Boolean.getBoolean("bench.console")) {
                            pages.forEach(CallPage::printConsole);
                        }
                    }
                } finally {
                    pages.forEach(CallPage::close);
                    if (browser != null) {
                        browser.quit();
                    }
                }
                report("join-to-first-frame", people, calls, first);
                report("join-to-steady-decoding", people, calls, steady);
                reportRate("remote-video-fps", people, calls, fps);
                report("chat-frame-reached-others", people, calls, chatFrame);
                report("chat-direct-reached-others", people, calls, chatDirect);
                report("page-timer-late-while-chatting", people, calls, lag);
                report("chat-shown-on-others", people, calls, chat);
                report("mute-shown-on-others", people, calls, mute);
                // The servers' own share of each relay (gateway that read a request to the gateway that delivered
                // what it caused), to tell it from the pages' share in the times above.
                RelayHistogram.read(urls, GATEWAY_RELAY).minus(relayBefore).print("server-relay", people);
                if (!signalingUrl.isEmpty()) { // not known of a system started apart
                    RelayHistogram.read(signalingUrl, SIGNALING_RELAY).minus(signalingBefore)
                            .print("signaling-read-to-delivery-acked", people);
                }
            }
        }
    }

    private static void runCall(List<CallPage> pages, List<Double> first, List<Double> steady, List<Double> fps,
            List<Double> chat, List<Double> chatFrame, List<Double> chatDirect, List<Double> lag, List<Double> mute) {
        int people = pages.size();
        String room = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        for (CallPage p : pages) {
            p.js(PROBE);
        }
        // Every page clicks at one moment (a meeting's start), each by a timer in the page: driving the clicks
        // one window after another took the driver seconds per page on a loaded box, and the first page then
        // timed the others' late arrival.
        for (CallPage p : pages) {
            p.fill(room, null);
        }
        if (Boolean.getBoolean("bench.profile")) {
            for (CallPage p : pages) {
                p.driver().executeCdpCommand("Profiler.enable", Map.of());
                p.driver().executeCdpCommand("Profiler.setSamplingInterval", Map.of("interval", 200));
                p.driver().executeCdpCommand("Profiler.start", Map.of());
            }
        }
        long at = System.currentTimeMillis() + 500L + 300L * people;
        for (CallPage p : pages) {
            p.clickJoinAt(at);
        }
        if (System.currentTimeMillis() > at) {
            System.out.printf("BENCH late-arming people=%d by=%d ms%n", people, System.currentTimeMillis() - at);
        }
        List<String> ids = new ArrayList<>();
        for (CallPage p : pages) {
            ids.add(p.awaitJoined());
        }
        try {
            for (CallPage p : pages) {
                p.awaitInPage("Object.keys(window.__bench.first).length >= " + (people - 1), Duration.ofSeconds(180));
                first.add(number(p.js("const b = window.__bench; return Math.max(...Object.values(b.first)) - b.t0")));
            }
        } catch (org.openqa.selenium.TimeoutException e) {
            printTimelines(pages);
            pages.forEach(CallPage::printConsole);
            throw e;
        }
        if (Boolean.getBoolean("bench.timeline")) {
            printTimelines(pages);
        }
        if (Boolean.getBoolean("bench.profile")) {
            pages.forEach(CallBenchmark::printProfile);
        }
        long steadyBy = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // one minute for all pages
        for (CallPage p : pages) {
            try {
                p.awaitInPage("Object.keys(window.__bench.steady).length >= " + (people - 1),
                        Duration.ofNanos(Math.max(1, steadyBy - System.nanoTime())));
                steady.add(number(p.js("const b = window.__bench; return Math.max(...Object.values(b.steady)) - b.t0")));
            } catch (org.openqa.selenium.TimeoutException e) {
                // every video shows frames, but not 15 in a row at 4 fps or more: the box is saturated
                System.out.printf("BENCH not-steady people=%d page=%s decoding=%d of %d%n", people, p.nickname(),
                        p.decodingRemoteVideos(), people - 1);
            }
        }
        for (CallPage p : pages) {
            // frames each remote video decodes per second, over 3 s, once every video shows frames
            Object rates = p.driver().executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    const vids = [...document.querySelectorAll('[data-testid="remote-video"]')];
                    const frames = v => v.getVideoPlaybackQuality().totalVideoFrames;
                    const before = vids.map(frames);
                    setTimeout(() => done(vids.map((v, i) => (frames(v) - before[i]) / 3)), 3000);
                    """);
            for (Object r : (List<?>) rates) {
                fps.add(number(r));
            }
        }
        for (CallPage p : pages) {
            p.js("window.__bench.lag = []");
        }
        // As the course app's harness does: 3 lines from every page in turn, each awaited on all the others.
        for (int m = 0; m < CHATS_PER_PAGE; m++) {
            for (CallPage sender : pages) {
                chatLine(pages, sender, chat, chatFrame, chatDirect);
            }
        }
        for (CallPage p : pages) {
            for (Object late : (List<?>) p.js("return window.__bench.lag")) {
                lag.add(number(late));
            }
        }
        CallPage speaker = pages.getFirst();
        for (CallPage p : pages.subList(1, people)) {
            p.js("window.__bench.audioOff = {}");
        }
        double muted = number(speaker.js("""
                const t = performance.timeOrigin + performance.now();
                document.querySelector('[data-testid=mute]').click();
                return t;
                """));
        String speakerId = ids.getFirst();
        for (CallPage p : pages.subList(1, people)) {
            p.awaitInPage("'" + speakerId + "' in window.__bench.audioOff", Duration.ofSeconds(60));
            mute.add(number(p.js("return window.__bench.audioOff['" + speakerId + "']")) - muted);
        }
        for (CallPage p : pages) {
            p.click("leave");
        }
        for (CallPage p : pages) {
            try {
                p.awaitHome(Duration.ofSeconds(30));
            } catch (org.openqa.selenium.TimeoutException e) {
                System.out.printf("BENCH not-home page=%s error=%s state=%s%n", p.nickname(),
                        p.js("return document.querySelector('[data-testid=error]')?.innerText"),
                        p.js("""
                            const l = document.querySelector('[data-testid=leave]'), r = l.getBoundingClientRect();
                            const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                            return 'room-view hidden=' + document.getElementById('room-view').hidden
                              + ' leave=' + JSON.stringify(r) + ' at=' + (at && (at.id || at.className || at.tagName))
                              + ' join=' + JSON.stringify(document.querySelector('[data-testid=join]').getBoundingClientRect())
                              + ' window=' + innerWidth + 'x' + innerHeight + ' scrollY=' + scrollY;
                            """));
                p.printConsole();
                p.click("leave"); // once more, so that one lost click does not end the sitting; the line above says so
                p.awaitHome(Duration.ofSeconds(30));
            }
        }
    }

    private static final int CHATS_PER_PAGE = 3;

    /**
     * One chat line from {@code sender}: until the server's frame and the sender's page's own copy reach each other
     * page, and until it shows there.
     */
    private static void chatLine(List<CallPage> pages, CallPage sender, List<Double> chat, List<Double> chatFrame,
            List<Double> chatDirect) {
        String token = "chatline-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase();
        double sent = number(sender.js("""
                document.querySelector('[data-testid=chat-input]').value = arguments[0];
                const t = performance.timeOrigin + performance.now();
                document.querySelector('[data-testid=chat-send]').click();
                return t;
                """.replace("arguments[0]", "'" + token + "'")));
        for (CallPage p : pages) {
            if (p == sender) {
                continue;
            }
            try {
                p.awaitInPage("'" + token + "' in window.__bench.chat", Duration.ofSeconds(60));
            } catch (org.openqa.selenium.TimeoutException e) {
                for (CallPage q : pages) {
                    System.out.printf("BENCH chat-missing page=%s log=%s error=%s%n", q.nickname(),
                            q.js("return document.querySelector('[data-testid=chat-log]').innerText"),
                            q.js("return document.querySelector('[data-testid=error]')?.innerText"));
                    q.printConsole();
                }
                throw e;
            }
            chat.add(number(p.js("return window.__bench.chat['" + token + "']")) - sent);
            // the server's copy too, when the page's copy came first (so that the slower path is not left out)
            p.awaitInPage("'" + token + "' in window.__bench.chatFrame", Duration.ofSeconds(10));
            chatFrame.add(number(p.js("return window.__bench.chatFrame['" + token + "']")) - sent);
            Object direct = p.js("return window.__bench.chatDirect['" + token + "'] ?? null");
            if (direct != null) {
                chatDirect.add(number(direct) - sent);
            }
        }
    }

    /** The JavaScript functions (and browser APIs) that took most of this page's thread, from join to first frames. */
    private static void printProfile(CallPage page) {
        Map<?, ?> profile = (Map<?, ?>) page.driver().executeCdpCommand("Profiler.stop", Map.of()).get("profile");
        Map<Long, String> names = new java.util.HashMap<>();
        for (Object o : (List<?>) profile.get("nodes")) {
            Map<?, ?> node = (Map<?, ?>) o;
            Map<?, ?> frame = (Map<?, ?>) node.get("callFrame");
            String url = String.valueOf(frame.get("url"));
            names.put(((Number) node.get("id")).longValue(), frame.get("functionName") + " "
                    + url.substring(url.lastIndexOf('/') + 1) + ":" + frame.get("lineNumber"));
        }
        List<?> samples = (List<?>) profile.get("samples");
        List<?> deltas = (List<?>) profile.get("timeDeltas");
        Map<String, Double> selfMs = new java.util.HashMap<>();
        for (int i = 1; i < samples.size(); i++) { // a sample's time is the delta to the next one
            selfMs.merge(names.get(((Number) samples.get(i - 1)).longValue()),
                    ((Number) deltas.get(i)).doubleValue() / 1000, Double::sum);
        }
        System.out.println("BENCH profile page=" + page.nickname() + " self-ms=" + selfMs.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(14)
                .map(e -> e.getKey().trim() + "=" + Math.round(e.getValue())).toList());
    }

    private static final String GATEWAY_RELAY = "huddle_gateway_relay_latency_seconds";
    private static final String SIGNALING_RELAY = "huddle_signaling_relay_latency_seconds";

    /** A latency histogram of the servers' metrics, summed over the instances. */
    private record RelayHistogram(TreeMap<Double, Double> buckets, double sum, double count) {
        static RelayHistogram read(List<String> urls, String name) throws Exception {
            TreeMap<Double, Double> buckets = new TreeMap<>();
            double sum = 0;
            double count = 0;
            for (String url : urls) {
                String text = MetricsText.scrape(url);
                for (MetricsText.Sample b : MetricsText.samples(text, name + "_bucket")) {
                    String le = b.label("le");
                    buckets.merge("+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le), b.value(),
                            Double::sum);
                }
                sum += MetricsText.samples(text, name + "_sum").stream().mapToDouble(MetricsText.Sample::value).sum();
                count += MetricsText.samples(text, name + "_count").stream().mapToDouble(MetricsText.Sample::value).sum();
            }
            return new RelayHistogram(buckets, sum, count);
        }

        RelayHistogram minus(RelayHistogram before) {
            TreeMap<Double, Double> diff = new TreeMap<>();
            buckets.forEach((le, n) -> diff.put(le, n - before.buckets.getOrDefault(le, 0.0)));
            return new RelayHistogram(diff, sum - before.sum, count - before.count);
        }

        /** The upper bound of the bucket that holds the {@code q} quantile, in ms. */
        double upTo(double q) {
            for (var e : buckets.entrySet()) {
                if (e.getValue() >= q * count) {
                    return e.getKey() * 1000;
                }
            }
            return Double.NaN;
        }

        void print(String what, int people) {
            System.out.printf("BENCH %s people=%d relays=%.0f mean=%.1f ms p50<=%.1f ms p95<=%.1f ms%n",
                    what, people, count, count > 0 ? sum / count * 1000 : Double.NaN, upTo(0.5), upTo(0.95));
        }
    }

    private static void printTimelines(List<CallPage> pages) {
        for (CallPage p : pages) {
            System.out.printf("BENCH timeline page=%s t0=%s first=%s videos=%s%n  %s%n", p.nickname(),
                    p.js("return window.__bench.t0"),
                    p.js("const b = window.__bench; return JSON.stringify(Object.fromEntries("
                            + "Object.entries(b.first).map(([k, v]) => [k, Math.round(v - b.t0)])))"),
                    p.js("return [...document.querySelectorAll('[data-testid=remote-video]')].map(v => v.dataset.peerId"
                            + " + ' ' + v.videoWidth + ' ' + v.readyState + ' ' + v.getVideoPlaybackQuality().totalVideoFrames"
                            + " + ' ' + v.getBoundingClientRect().width).join('; ')"),
                    p.js("return ['page: ' + window.__bench.page.join(', ')].concat("
                            + "window.__bench.pcs.map((l, i) => 'pc' + i + ': ' + l.join(', '))).join('\\n  ')"));
        }
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    private static void reportRate(String what, int people, int calls, List<Double> samples) {
        double[] v = sorted(samples);
        System.out.printf("BENCH %s people=%d calls=%d samples=%d p5=%.1f p50=%.1f max=%.1f%n", what, people, calls,
                v.length, at(v, 0.05), at(v, 0.5), at(v, 1));
    }

    private static void report(String what, int people, int calls, List<Double> samples) {
        double[] ms = sorted(samples);
        System.out.printf("BENCH %s people=%d calls=%d samples=%d p50=%.0f ms p95=%.0f ms max=%.0f ms%n",
                what, people, calls, ms.length, at(ms, 0.5), at(ms, 0.95), at(ms, 1));
    }

    private static double[] sorted(List<Double> samples) {
        return samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /** The value at rank {@code n * q} of sorted values (q = 1: the largest); 0 when there are none. */
    private static double at(double[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))];
    }
}
