package dev.huddle.launcher.browser;

import dev.huddle.events.Delivery;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.launcher.LocalCluster;
import dev.huddle.testing.KafkaExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Video calls in real headless Chromium with fake camera and microphone, against the whole system with two
 * gateways. A call counts as working only when every remote video decodes frames.
 */
class BrowserCallTest {
    private static final Duration VIDEO = Duration.ofSeconds(60);
    private static LocalCluster cluster;
    private static String prefix;
    private static String gw1;
    private static String gw2;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Browsers.available(), "Debian's chromium and chromium-driver are needed (.ci/run installs them)");
        prefix = "web" + UUID.randomUUID().toString().substring(0, 6) + ".";
        cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of("kafka.topic.prefix", prefix)));
        gw1 = "http://localhost:" + cluster.gateways().get(0).port();
        gw2 = "http://localhost:" + cluster.gateways().get(1).port();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String room() {
        return "call-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void twoPeopleOnTwoGatewaysSeeEachOtherChatAndSeeMediaState() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            String annId = ann.join(room, null).awaitJoined();
            String bobId = bob.join(room, null).awaitJoined();
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);
            assertThat(ann.remotePeerIds(), containsInAnyOrder(bobId));
            assertThat(ann.remoteNickname(bobId), is("Bob"));
            assertThat(bob.remoteNickname(annId), is("Ann"));
            assertThat(ann.text("peer-count").trim(), is("2"));

            ann.click("mute");
            assertThat(ann.el("mute").getAttribute("aria-pressed"), is("true"));
            bob.waitFor(Duration.ofSeconds(10), () -> "off".equals(bob.participant(annId).get("audio")));
            // the server turns the camera change away once (`unavailable`): the page sends it again
            ann.js(REFUSE_FIRST_MEDIA);
            ann.click("camera");
            assertThat(ann.el("camera").getAttribute("aria-pressed"), is("true"));
            bob.waitFor(Duration.ofSeconds(10), () -> "off".equals(bob.participant(annId).get("video")));
            assertThat(((Number) ann.js("return window.mediaRefused")).intValue(), is(1));
            // Bob heard it from Ann's page as well; the server has it too: someone who comes now sees it
            try (CallPage cat = new CallPage(gw1, "Cat")) {
                cat.join(room, null).awaitJoined();
                cat.waitFor(Duration.ofSeconds(10), () -> "off".equals(cat.participant(annId).get("video")));
                assertThat(cat.participant(annId).get("audio"), is("off"));
            }

            ann.chat("hello <b>Bob</b>");
            bob.waitFor(Duration.ofSeconds(10), () -> bob.chatTexts().stream().anyMatch(t -> t.contains("hello <b>Bob</b>")));
            bob.chat("hi Ann");
            ann.waitFor(Duration.ofSeconds(10), () -> ann.chatTexts().stream().anyMatch(t -> t.contains("hi Ann")));
            // rendered as text, never as HTML
            assertThat(((Number) bob.js("return document.querySelectorAll('[data-testid=chat-log] b').length")).intValue(), is(0));
            // a web address is a link that opens in a new tab; a javascript: one stays text
            String line = "minutes: https://example.com/notes?id=7&p=(2). see javascript:alert(1)";
            ann.chat(line);
            bob.waitFor(Duration.ofSeconds(10), () -> bob.chatTexts().stream().anyMatch(t -> t.contains(line)));
            assertThat(bob.js("""
                    return [...document.querySelectorAll('[data-testid=chat-log] a')]
                      .map((a) => a.href + ' ' + a.textContent + ' ' + a.target + ' ' + a.rel).join('; ')"""),
                    is("https://example.com/notes?id=7&p=(2) https://example.com/notes?id=7&p=(2) _blank noopener noreferrer nofollow"));
        }
    }

    @Test
    void chatAndMuteComeStraightFromThePeerAndTheServerKeepsTheLastWord() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            bob.js(DELAY_SERVER_CHAT_AND_MEDIA);
            String annId = ann.join(room, null).awaitJoined();
            bob.join(room, null).awaitJoined();
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);

            // the server's copies reach Bob's page 3 s late: what he sees sooner came from Ann's page
            ann.chat("straight from Ann");
            bob.awaitInPage("[...document.querySelectorAll('[data-testid=chat-message]')]"
                    + ".some((m) => m.dataset.from === '" + annId + "' && m.textContent.includes('straight from Ann'))",
                    Duration.ofMillis(2000));
            ann.click("mute");
            bob.awaitInPage("document.querySelector('[data-testid=participants] [data-peer-id=\"" + annId
                    + "\"]')?.dataset.audio === 'off'", Duration.ofMillis(2000));
            // the server's copy confirms the line: one line, under the id the server gave it (as on Ann's page)
            bob.awaitInPage("window.delayedFrames >= 2 && window.pendingFrames === 0", Duration.ofSeconds(10));
            assertThat(bob.js(CHAT_LOG), is(ann.js(CHAT_LOG)));
            assertThat(bob.participant(annId).get("audio"), is("off"));

            // a line the server refuses is withdrawn from Bob's page, whose log stays the room's history
            ann.js(refuseFirst("chatRefused", "f.type === 'chat'"));
            ann.chat("refused line");
            ann.awaitScript("return document.querySelector('[data-testid=chat-input]').value", "refused line",
                    Duration.ofSeconds(5));
            ann.js("document.querySelector('[data-testid=chat-input]').value = ''");
            ann.chat("after the refusal");
            bob.awaitInPage("window.pendingFrames === 0 && [...document.querySelectorAll('[data-testid=chat-message]')]"
                    + ".some((m) => m.textContent.includes('after the refusal') && !m.dataset.id.startsWith('preview:'))",
                    Duration.ofSeconds(10));
            assertThat(((Number) ann.js("return window.chatRefused")).intValue(), is(1));
            assertThat(bob.js(CHAT_LOG), is(ann.js(CHAT_LOG)));
            assertThat(bob.chatTexts().stream().noneMatch(t -> t.contains("refused line")), is(true));

            // the other way round: the server's copy first, Ann's page's copy 1 s later, which must not show again
            bob.js("window.delayServer = false; window.directDelayMs = 1000; window.directLate = 0");
            ann.chat("server first");
            bob.awaitInPage("window.directLate >= 1", Duration.ofSeconds(10));
            assertThat(bob.js(CHAT_LOG), is(ann.js(CHAT_LOG)));
            assertThat(bob.chatTexts().stream().filter(t -> t.contains("server first")).count(), is(1L));
        }
    }

    /** The chat log as its lines' ids, authors and texts (the time left out), one line each. */
    private static final String CHAT_LOG = """
            return [...document.querySelectorAll('[data-testid=chat-message]')]
              .map((m) => m.dataset.id + ' ' + m.dataset.from + ' ' + m.querySelector('.text').textContent).join('\\n')""";

    /**
     * The server's `chat` and `peer_media` pushes reach this page 3 s late (in their order) while
     * {@code window.delayServer}; others at once. Messages on the call's data channel come {@code window.directDelayMs}
     * late ({@code window.directLate} counts those delivered late).
     */
    private static final String DELAY_SERVER_CHAT_AND_MEDIA = """
            window.delayedFrames = 0;
            window.pendingFrames = 0;
            window.delayServer = true;
            window.directDelayMs = 0;
            window.directLate = 0;
            const create = RTCPeerConnection.prototype.createDataChannel;
            const onmessage = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage');
            RTCPeerConnection.prototype.createDataChannel = function (...args) {
              const channel = create.apply(this, args);
              Object.defineProperty(channel, 'onmessage', {
                get: () => onmessage.get.call(channel),
                set: (handler) => onmessage.set.call(channel, (ev) => {
                  if (!window.directDelayMs) return handler.call(channel, ev);
                  setTimeout(() => { handler.call(channel, ev); window.directLate++; }, window.directDelayMs);
                }),
              });
              return channel;
            };
            const send = WebSocket.prototype.send;
            WebSocket.prototype.send = function (data) {
              if (!this.__delayed) {
                this.__delayed = true;
                const ws = this, deliver = ws.onmessage;
                ws.onmessage = (ev) => {
                  const type = JSON.parse(ev.data).type;
                  if ((type !== 'chat' && type !== 'peer_media') || !window.delayServer) return deliver.call(ws, ev);
                  window.delayedFrames++;
                  window.pendingFrames++;
                  setTimeout(() => { window.pendingFrames--; deliver.call(ws, ev); }, 3000);
                };
              }
              return send.call(this, data);
            };
            """;

    @Test
    void threeThenFourPeopleAcrossGatewaysLayoutsAndLeaveRemovesTheTile() {
        String room = room();
        List<CallPage> pages = new ArrayList<>();
        // four people as windows of one Chromium: four whole browsers beside the cluster overload two cores
        ChromeDriver browser = Browsers.start();
        try {
            for (String nick : List.of("P1", "P2", "P3")) {
                CallPage p = new CallPage(browser, pages.size() % 2 == 0 ? gw1 : gw2, nick);
                pages.add(p);
                p.join(room, null).awaitJoined();
            }
            for (CallPage p : pages) {
                p.awaitRemoteVideos(2, VIDEO);
                assertThat(maxRemoteWidth(p), lessThanOrEqualTo(640)); // captured at 640x360
            }
            CallPage fourth = new CallPage(browser, gw2, "P4");
            pages.add(fourth);
            String fourthId = fourth.join(room, null).awaitJoined();
            for (CallPage p : pages) {
                p.awaitRemoteVideos(3, Duration.ofSeconds(90));
            }
            assertThat(pages.getFirst().remotePeerIds(), hasItem(fourthId));
            // on a laptop's screen every tile, the controls below them and the chat's Send show without scrolling
            CallPage first = pages.getFirst();
            String inView = """
                    // the middle of each one's lower edge is on screen and not under anything else
                    const out = [...document.querySelectorAll(
                        '[data-testid=tile], [data-testid=leave], [data-testid=chat-send]')]
                      .filter((e) => {
                        const r = e.getBoundingClientRect();
                        return !e.contains(document.elementFromPoint(r.left + r.width / 2, r.bottom - 3));
                      })
                      .map((e) => (e.dataset.peerId ?? e.dataset.testid) + ' at ' + JSON.stringify(e.getBoundingClientRect()));
                    return out.length === 0 ? 'all in view' : out.join('; ') + ' in ' + innerWidth + 'x' + innerHeight;
                    """;
            for (Dimension size : List.of(new Dimension(1024, 700),
                    new Dimension(1280, 800))) {
                first.driver().manage().window().setSize(size);
                first.awaitScript(inView, "all in view", Duration.ofSeconds(5));
            }
            // in a shorter window the people card still shows two of them (it once shrank to its title)
            first.driver().manage().window().setSize(new Dimension(1024, 600));
            first.awaitScript("""
                    const list = document.querySelector('[data-testid=participants]').getBoundingClientRect();
                    const shown = [...document.querySelectorAll('[data-testid=participants] > li')]
                      .map((li) => li.getBoundingClientRect()).filter((r) => r.top >= list.top - 1 && r.bottom <= list.bottom + 1);
                    return shown.length >= 2 ? 'two shown' : shown.length + ' shown in ' + Math.round(list.height) + ' pixels';
                    """, "two shown", Duration.ofSeconds(5));
            first.driver().manage().window().setSize(new Dimension(1280, 800));
            // P4 shares a screen. On P1's page, in a landscape window, it takes the grid's height with the people in
            // a column beside it, and everything still shows with the controls; in a portrait one it takes the
            // grid's width, above the people. When P4 stops, its tile goes back among the others.
            fourth.click("screen"); // pressed once the browser has given the screen (asynchronous)
            fourth.awaitScript("return document.querySelector('[data-testid=screen]').getAttribute('aria-pressed')",
                    "true", Duration.ofSeconds(10));
            String spotlightOf = """
                    const box = (e) => e.getBoundingClientRect();
                    const screen = document.querySelector('[data-testid=tile][data-peer-id="%s"]');
                    const s = box(screen), g = box(document.getElementById('grid'));
                    const others = [...document.querySelectorAll('[data-testid=tile]')].filter((t) => t !== screen).map(box);
                    const near = (a, b) => Math.abs(a - b) < 2;
                    if (near(s.top, g.top) && near(s.left, g.left) && near(s.height, g.height) && s.width > 3 * others[0].width
                        && others.every((o) => o.left >= s.right && o.bottom <= g.bottom + 1)) return 'beside';
                    if (near(s.top, g.top) && near(s.width, g.width) && others.every((o) => o.top >= s.bottom)) return 'above';
                    return 'tile ' + Math.round(s.width) + 'x' + Math.round(s.height) + ' at ' + Math.round(s.left - g.left) + ','
                      + Math.round(s.top - g.top) + ' in ' + Math.round(g.width) + 'x' + Math.round(g.height) + ', others '
                      + others.map((o) => Math.round(o.left - g.left) + ',' + Math.round(o.top - g.top)).join(' ');
                    """;
            String spotlight = spotlightOf.formatted(fourthId);
            first.awaitScript(spotlight, "beside", Duration.ofSeconds(20));
            first.awaitScript(inView, "all in view", Duration.ofSeconds(5));
            // a double-click shows the shared screen full screen, another one comes back
            WebElement screenTile = first.driver().findElement(
                    By.cssSelector("[data-testid=tile][data-peer-id='" + fourthId + "']"));
            String fullScreen = "return document.fullscreenElement?.dataset.peerId ?? 'none'";
            new Actions(first.driver()).doubleClick(screenTile).perform();
            first.awaitScript(fullScreen, fourthId, Duration.ofSeconds(5));
            new Actions(first.driver()).doubleClick(screenTile).perform();
            first.awaitScript(fullScreen, "none", Duration.ofSeconds(5));
            first.driver().manage().window().setSize(new Dimension(900, 1100));
            first.awaitScript(spotlight, "above", Duration.ofSeconds(5));
            fourth.click("screen");
            assertThat(fourth.el("screen").getAttribute("aria-pressed"), is("false"));
            first.waitFor(Duration.ofSeconds(20), () -> ((String) first.js(spotlight)).startsWith("tile "));
            // P1 pins P2: P2's tile is shown as large as a shared screen (above, then beside in a landscape window)
            // until unpinned
            String secondId = pages.get(1).el("local-video").getAttribute("data-peer-id");
            WebElement secondTile = first.driver().findElement(
                    By.cssSelector("[data-testid=tile][data-peer-id='" + secondId + "']"));
            new Actions(first.driver()).moveToElement(secondTile).perform();
            WebElement pin = secondTile.findElement(By.className("pin"));
            pin.click();
            assertThat(pin.getAttribute("aria-pressed"), is("true"));
            first.awaitScript(spotlightOf.formatted(secondId), "above", Duration.ofSeconds(5));
            first.driver().manage().window().setSize(new Dimension(1280, 800));
            first.awaitScript(spotlightOf.formatted(secondId), "beside", Duration.ofSeconds(5));
            first.awaitScript(inView, "all in view", Duration.ofSeconds(5));
            pin.click();
            first.waitFor(Duration.ofSeconds(5), () -> ((String) first.js(spotlightOf.formatted(secondId))).startsWith("tile "));

            // four people: each sender scales its copies down (426x240)
            for (CallPage p : pages) {
                p.waitFor(Duration.ofSeconds(30), () -> maxRemoteWidth(p) <= 430);
            }

            // a pinned person who leaves takes the pin along: the others go back to the grid
            first.js("document.querySelector('[data-testid=tile][data-peer-id=\"" + fourthId + "\"] .pin').click()");
            first.awaitScript(spotlight, "beside", Duration.ofSeconds(5));
            fourth.click("leave");
            fourth.awaitHome(Duration.ofSeconds(15));
            for (CallPage p : pages.subList(0, 3)) {
                try {
                    p.waitFor(Duration.ofSeconds(15), () -> p.all("remote-video").size() == 2);
                } catch (RuntimeException e) {
                    fourth.printConsole(); // a leave that was not confirmed says so there
                    throw new AssertionError(p.nickname() + " still shows " + fourthId + " after it left; participants "
                            + p.participantOrder() + ", videos " + p.remotePeerIds(), e);
                }
                assertThat(p.remotePeerIds().contains(fourthId), is(false));
            }
            assertThat(first.js("return document.querySelectorAll('.tile.spotlit').length"), is(0L));

            // Speaker view on P1's page shows whoever speaks large: P2 and P3 muted, then each alone unmuted. The
            // choice is still on after a reload.
            CallPage second = pages.get(1), third = pages.get(2);
            String thirdId = third.el("local-video").getAttribute("data-peer-id");
            String largest = """
                    const tiles = [...document.querySelectorAll('[data-testid=tile]')];
                    const width = (t) => t.getBoundingClientRect().width;
                    const big = tiles.reduce((a, b) => width(b) > width(a) ? b : a);
                    return tiles.every((t) => t === big || 2 * width(t) < width(big)) ? big.dataset.peerId : 'none large';
                    """;
            assertThat(first.js(largest), is("none large"));
            second.click("mute");
            third.click("mute");
            first.driver().findElement(By.id("layout")).click();
            third.click("mute");
            first.awaitScript(largest, thirdId, Duration.ofSeconds(15));
            third.click("mute");
            second.click("mute");
            first.awaitScript(largest, secondId, Duration.ofSeconds(15));
            first.driver().findElement(By.id("layout")).click();
            first.awaitScript(largest, "none large", Duration.ofSeconds(5));
            first.driver().findElement(By.id("layout")).click();
            first.driver().navigate().refresh();
            first.awaitScript("return document.getElementById('layout').getAttribute('aria-pressed')", "true",
                    Duration.ofSeconds(10));
        } finally {
            pages.forEach(CallPage::close);
            browser.quit();
        }
    }

    private static int maxRemoteWidth(CallPage page) {
        return ((Number) page.js("return Math.max(0, ...[...document.querySelectorAll("
                + "'[data-testid=remote-video]')].map(v => v.videoWidth))")).intValue();
    }

    @Test
    void pageReconnectsAfterTheServerClosesItsSocketAndVideoFlowsAgain() throws Exception {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob");
             Publisher publisher = new Publisher(KafkaSettings.of(cluster.bootstrapServers(), prefix), "test")) {
            String annId = ann.join(room, null).awaitJoined();
            bob.join(room, null).awaitJoined();
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);

            ann.js("""
                    window.statusLog = [];
                    const s = document.querySelector('[data-testid=status]');
                    new MutationObserver(() => window.statusLog.push(s.textContent.trim()))
                        .observe(s, {childList: true, characterData: true, subtree: true});
                    """);
            // Ann is on the first gateway: the close goes to its inbox, as a service's would.
            publisher.send(Topics.inbox(cluster.gateways().get(0).instance().id()), annId,
                    Delivery.close(List.of(annId), null, null, 1012)).get();
            ann.waitFor(Duration.ofSeconds(20), () -> ann.js("return window.statusLog.join(',')").toString()
                    .matches(".*reconnecting.*connected.*"));
            assertThat(ann.el("local-video").getAttribute("data-peer-id"), is(annId)); // resumed, same peer
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);
            assertThat(bob.remotePeerIds(), hasItem(annId));
        }
    }

    /**
     * An operator's disconnect (close 1008) ends the session: the page says so and does not resume or join again,
     * and the others see the peer leave at once, not after the 30 s grace period.
     */
    @Test
    void anOperatorsDisconnectEndsTheSessionAndThePersonLeavesAtOnce() throws Exception {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob");
             Publisher publisher = new Publisher(KafkaSettings.of(cluster.bootstrapServers(), prefix), "test")) {
            String annId = ann.join(room, null).awaitJoined();
            bob.join(room, null).awaitJoined();
            bob.awaitRemoteVideos(1, VIDEO);

            // As the admin API does: a close with 1008 to the inbox of Ann's gateway.
            publisher.send(Topics.inbox(cluster.gateways().get(0).instance().id()), annId,
                    Delivery.close(List.of(annId), null, null, Delivery.CLOSE_ENDS_SESSION)).get();
            ann.waitFor(Duration.ofSeconds(20), () -> ann.text("error").contains("disconnected"));
            bob.waitFor(Duration.ofSeconds(10), () -> bob.remotePeerIds().isEmpty()
                    && bob.text("peer-count").equals("1"));
            bob.awaitScript(toastShown("Ann lost the connection"), true, Duration.ofSeconds(2));
            ann.waitFor(Duration.ofSeconds(20), () -> ann.text("status").equals("connected")); // a fresh session
            Thread.sleep(3000); // nothing brings her back into the room
            assertThat(bob.remotePeerIds(), is(empty()));
            assertThat(bob.text("peer-count"), is("1"));
            assertThat(ann.remotePeerIds(), is(empty()));
            assertThat("out of the room, her hidden room view counts no one",
                    ann.js("return document.querySelector('[data-testid=peer-count]').textContent"), is("0"));
        }
    }

    @Test
    void wrongPasswordIsShown() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage eve = new CallPage(gw2, "Eve")) {
            ann.join(room, "right").awaitJoined();
            eve.join(room, "wrong");
            eve.waitFor(Duration.ofSeconds(20), () -> eve.text("error").contains("wrong_password"));
            assertThat(eve.text("error"), containsString("wrong_password"));
        }
    }

    /**
     * A page opened as narrow as a phone shows the people and the chat below the call, usable as they are: nothing
     * is hidden until found. Chat counts the lines that came while they were out of sight and brings them into view;
     * a panel folded in a wide window (where Chat folds it) opens in view at a phone's width.
     */
    @Test
    void onAPhonesWidthThePeopleAndTheChatAreBelowTheCallAndChatBringsThemIntoView() {
        String room = room();
        String inputInView = "const r = document.querySelector('[data-testid=chat-input]').getBoundingClientRect();"
                + "return r.top >= 0 && r.bottom <= innerHeight ? 'in view' : r.top + '..' + r.bottom + ' of ' + innerHeight";
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            ann.driver().manage().window().setSize(new Dimension(390, 844));
            ann.driver().navigate().refresh();
            ann.join(room, null).awaitJoined();
            String bobId = bob.join(room, null).awaitJoined();
            ann.awaitRemoteVideos(1, VIDEO);
            ann.waitFor(Duration.ofSeconds(10), () -> ann.participant(bobId).get("text").contains("Bob"));
            assertThat(ann.el("chat-log").isDisplayed(), is(true));
            ann.chat("on my phone");
            bob.waitFor(Duration.ofSeconds(10), () -> bob.chatTexts().stream().anyMatch(t -> t.contains("on my phone")));

            // at the top of the page the chat is out of sight, and Bob's line is counted on Chat
            ann.js("window.scrollTo(0, 0)");
            assertThat("the chat's input sits below the call", ann.js(inputInView), not("in view"));
            bob.chat("seen it?");
            ann.waitFor(Duration.ofSeconds(10), () -> "1".equals(ann.driver().findElement(By.id("chat-unread")).getText()));
            WebElement toggle = ann.driver().findElement(By.id("chat-toggle"));
            toggle.click();
            ann.awaitScript(inputInView, "in view", Duration.ofSeconds(5));
            ann.waitFor(Duration.ofSeconds(5), () -> !ann.driver().findElement(By.id("chat-unread")).isDisplayed());
            assertThat(toggle.getAttribute("aria-expanded"), is("true"));
            assertThat(ann.chatTexts().stream().anyMatch(t -> t.contains("seen it?")), is(true));

            // a panel folded in a wide window opens in view when the window is a phone's again
            ann.driver().manage().window().setSize(new Dimension(1024, 768));
            toggle.click();
            ann.waitFor(Duration.ofSeconds(5), () -> !ann.el("chat-log").isDisplayed());
            assertThat(toggle.getAttribute("aria-expanded"), is("false"));
            ann.driver().manage().window().setSize(new Dimension(390, 844));
            ann.js("window.scrollTo(0, 0)");
            toggle.click();
            ann.awaitScript(inputInView, "in view", Duration.ofSeconds(5));
            assertThat(toggle.getAttribute("aria-expanded"), is("true"));
            assertThat(ann.el("participants").isDisplayed(), is(true));
        }
    }

    /** Lengths count characters, as protocol.md does: a name of 32 emoji (64 UTF-16 units) is taken whole. */
    @Test
    void aNicknameOf32EmojiIsTypedWholeAndSeenByTheOthers() {
        String room = room();
        String name = "\uD83D\uDE00".repeat(32);
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            ann.join(room, null).awaitJoined();
            bob.fill(room, null);
            bob.type("nickname", name + "\uD83D\uDE00"); // one more than allowed: the field keeps 32
            assertThat(bob.el("nickname").getAttribute("value"), is(name));
            bob.click("join");
            String bobId = bob.awaitJoined();
            ann.waitFor(Duration.ofSeconds(20), () -> ann.remotePeerIds().contains(bobId));
            assertThat(ann.remoteNickname(bobId), is(name));
        }
    }

    /** Bob's first offer is lost on the way; Ann's first description is refused with `unavailable`. */
    private static final String DROP_FIRST_OFFER = """
            window.offersSent = 0;
            window.dropped = 0;
            const send = WebSocket.prototype.send;
            WebSocket.prototype.send = function (data) {
              const f = JSON.parse(data);
              if (f.type === 'signal' && f.data.description && f.data.description.type === 'offer') {
                window.offersSent++;
                if (window.dropped === 0) { window.dropped++; return; }
              }
              return send.call(this, data);
            };
            """;
    // Holds the reply to this page's join for 4 s while later frames (the next peer's peer_joined and offer) pass.
    private static final String HOLD_JOIN_REPLY = """
            window.heldReplies = 0;
            const send = WebSocket.prototype.send;
            WebSocket.prototype.send = function (data) {
              const f = JSON.parse(data);
              if (f.type === 'join' && !this.__held) {
                this.__held = true;
                const ws = this, deliver = ws.onmessage;
                ws.onmessage = (ev) => {
                  const g = JSON.parse(ev.data);
                  if (g.type === 'reply' && g.ref === f.ref) {
                    window.heldReplies++;
                    setTimeout(() => deliver.call(ws, ev), 4000);
                  } else {
                    deliver.call(ws, ev);
                  }
                };
              }
              return send.call(this, data);
            };
            """;
    private static final String REFUSE_FIRST_ANSWER = refuseFirst("refused", "f.type === 'signal' && f.data.description");

    /** The first media state the page sends is answered `unavailable` without reaching the server. */
    private static final String REFUSE_FIRST_MEDIA = refuseFirst("mediaRefused", "f.type === 'media'");

    /** No ICE candidate leaves the page for 8 s from its first one: ICE stays in checking until restarted. */
    private static final String DROP_EARLY_CANDIDATES = """
            window.candidatesDropped = 0;
            let until = null;
            const send = WebSocket.prototype.send;
            WebSocket.prototype.send = function (data) {
              const f = JSON.parse(data);
              if (f.type === 'signal' && f.data.candidate && (until === null || Date.now() < until)) {
                until = until || Date.now() + 8000;
                window.candidatesDropped++;
                return;
              }
              return send.call(this, data);
            };
            """;

    /**
     * The page's first connection can never find a path, whatever ICE restarts do: it may use relays only, and
     * there are none. Only a fresh connection gets the call going.
     */
    private static final String FIRST_CONNECTION_WITHOUT_A_PATH = """
            window.connectionsMade = 0;
            const Native = window.RTCPeerConnection;
            window.RTCPeerConnection = function (config) {
              window.connectionsMade++;
              if (window.deadConnection) return new Native(config);
              window.deadConnection = new Native({ ...config, iceTransportPolicy: 'relay' });
              return window.deadConnection;
            };
            window.RTCPeerConnection.prototype = Native.prototype;
            """;

    /**
     * The first description the page sends names another certificate than its own (one byte of its fingerprint
     * changed): the peer's DTLS refuses the session, and no ICE restart changes that.
     */
    private static final String FIRST_FINGERPRINT_SPOILED = """
            window.fingerprintsSpoiled = 0;
            const send = WebSocket.prototype.send;
            WebSocket.prototype.send = function (data) {
              const f = JSON.parse(data);
              if (f.type === 'signal' && f.data.description && window.fingerprintsSpoiled === 0) {
                window.fingerprintsSpoiled++;
                f.data.description.sdp = f.data.description.sdp.replace(/(a=fingerprint:\\S+ )([0-9A-F]{2})/,
                    (all, head, first) => head + (first === '00' ? '11' : '00'));
                return send.call(this, JSON.stringify(f));
              }
              return send.call(this, data);
            };
            """;

    /**
     * The first frame the page sends that matches {@code match} (JavaScript over the frame {@code f}) never leaves:
     * the page gets an `unavailable` reply to it instead, as from a backend that did not answer; {@code counter}
     * names the window property that counts it.
     */
    private static String refuseFirst(String counter, String match) {
        return """
                window.%1$s = 0;
                const send = WebSocket.prototype.send;
                WebSocket.prototype.send = function (data) {
                  const f = JSON.parse(data);
                  if (%2$s && window.%1$s === 0) {
                    window.%1$s++;
                    const ws = this;
                    setTimeout(() => ws.onmessage({data: JSON.stringify({type: 'reply', ref: f.ref, ok: false,
                        error: {code: 'unavailable', message: 'test: the backend did not answer'}})}), 50);
                    return;
                  }
                  return send.call(this, data);
                };
                """.formatted(counter, match);
    }

    @Test
    void callFormsWhenTheFirstOfferIsLostAndADescriptionRefused() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            ann.js(REFUSE_FIRST_ANSWER);
            bob.js(DROP_FIRST_OFFER);
            ann.join(room, null).awaitJoined();
            bob.join(room, null).awaitJoined(); // the newcomer offers: its first offer is lost
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);
            assertThat(((Number) bob.js("return window.dropped")).intValue(), is(1));
            assertThat(((Number) ann.js("return window.refused")).intValue(), is(1));
        }
    }

    @Test
    void pushesThatOvertakeTheJoinReplyAreNotLost() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            bob.js(HOLD_JOIN_REPLY);
            bob.join(room, null);
            // Bob is in the room but has no reply yet; Ann joins and offers: her peer_joined and her offer reach
            // Bob's page before his join reply does
            ann.join(room, null).awaitJoined();
            String bobId = bob.awaitJoined();
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);
            assertThat(ann.remotePeerIds(), containsInAnyOrder(bobId));
            assertThat(bob.remoteNickname(bob.remotePeerIds().getFirst()), is("Ann"));
            assertThat(((Number) bob.js("return window.heldReplies")).intValue(), is(1));
        }
    }

    @Test
    void iceThatStaysInCheckingIsRestartedAndTheCallForms() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            ann.js(DROP_EARLY_CANDIDATES);
            bob.js(DROP_EARLY_CANDIDATES);
            ann.join(room, null).awaitJoined();
            bob.join(room, null).awaitJoined();
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);
            assertThat(((Number) ann.js("return window.candidatesDropped")).intValue()
                    + ((Number) bob.js("return window.candidatesDropped")).intValue(), greaterThan(0));
        }
    }

    @Test
    void aConnectionThatIceRestartsCannotBringUpIsStartedOverAndTheCallForms() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            bob.js(FIRST_CONNECTION_WITHOUT_A_PATH);
            ann.join(room, null).awaitJoined();
            bob.join(room, null).awaitJoined(); // his offer to Ann comes from the connection that gets no path
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);
            assertThat(((Number) bob.js("return window.connectionsMade")).intValue(), greaterThan(1));
            assertThat(bob.js("return window.deadConnection.connectionState"), is("closed")); // replaced
        }
    }

    @Test
    void aConnectionWhoseSecureSessionFailsIsStartedOverAndTheCallForms() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            bob.js(FIRST_FINGERPRINT_SPOILED);
            ann.join(room, null).awaitJoined();
            bob.join(room, null).awaitJoined(); // his offer names a certificate that is not his: ICE gets a path,
            ann.awaitRemoteVideos(1, VIDEO);    // DTLS fails on it
            bob.awaitRemoteVideos(1, VIDEO);
            assertThat(((Number) bob.js("return window.fingerprintsSpoiled")).intValue(), is(1));
        }
    }

    @Test
    void previewShowsTheCameraAndOffersDevicesThenJoinKeepsTheChoice() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            bob.join(room, null).awaitJoined();
            previewWithCameraOff(ann);
            String annId = ann.join(room, null).awaitJoined();
            assertThat(ann.el("camera").getAttribute("aria-pressed"), is("true"));
            assertThat(ann.el("mute").getAttribute("aria-pressed"), is("false"));
            bob.waitFor(Duration.ofSeconds(20), () -> bob.all("remote-video").size() == 1);
            bob.waitFor(Duration.ofSeconds(10), () -> "on".equals(bob.participant(annId).get("audio"))
                    && "off".equals(bob.participant(annId).get("video")));
            ann.awaitRemoteVideos(1, VIDEO); // and Ann still gets Bob's video
        }
    }

    @Test
    void aCameraTurnedOffAndOnBeforeSomeoneJoinsIsTheOneTheySee() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            String annId = ann.join(room, null).awaitJoined();
            // Ann's page keeps a connection ready for the next caller, made with the camera she had on entering;
            // that camera is stopped here and a new one started
            ann.click("camera");
            ann.waitFor(Duration.ofSeconds(10), () -> "true".equals(ann.el("camera").getAttribute("aria-pressed")));
            ann.click("camera");
            ann.waitFor(Duration.ofSeconds(10), () -> "false".equals(ann.el("camera").getAttribute("aria-pressed")));
            bob.join(room, null).awaitJoined();
            bob.awaitRemoteVideos(1, VIDEO);
            ann.awaitRemoteVideos(1, VIDEO);
            assertThat(bob.remotePeerIds(), containsInAnyOrder(annId));
        }
    }

    /** `join {media}` (protocol.md): the camera a joiner has off is announced off. */
    @Test
    void joinWithTheCameraOffNeverAnnouncesItOn() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            bob.join(room, null).awaitJoined();
            bob.record("media", "[data-testid=participants] [data-peer-id]", "data-video");
            previewWithCameraOff(ann);
            String annId = ann.join(room, null).awaitJoined();
            bob.waitFor(Duration.ofSeconds(20), () -> "on".equals(bob.participant(annId).get("audio")));
            assertThat(bob.recorded("media"), hasItem(annId + "=off"));
            assertThat(bob.recorded("media"), not(hasItem(annId + "=on")));
        }
    }

    private static final String IN_VIEW = """
            const join = document.querySelector('[data-testid=join]').getBoundingClientRect();
            const preview = document.querySelector('[data-testid=prejoin-preview]');
            const shown = (r) => r.top >= -1 && r.bottom <= innerHeight + 1;
            if (!shown(join)) return 'join at ' + join.top + '..' + join.bottom + ' of ' + innerHeight;
            if (!preview.srcObject) return 'join in view';
            const p = preview.getBoundingClientRect();
            return shown(p) ? 'join and preview in view' : 'preview at ' + p.top + '..' + p.bottom + ' of ' + innerHeight;
            """;

    /** Preview through the hooks, pick a device there, then turn the camera off before joining. */
    private static void previewWithCameraOff(CallPage ann) {
        // On a laptop's screen (the test's window is 1024x768) Join shows without scrolling, before the preview
        // and with it (its device choices push Join down; the page brings it back, the preview above it).
        assertThat(ann.js(IN_VIEW), is("join in view"));
        ann.click("preview");
        ann.waitFor(Duration.ofSeconds(20), () -> ((Number) ann.js(
                "const v = document.querySelector('[data-testid=prejoin-preview]');"
                        + "return v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0 ? 1 : 0"))
                .intValue() == 1);
        assertThat(ann.js(IN_VIEW), is("join and preview in view"));
        assertThat(ann.el("prejoin-preview").getAttribute("muted"), is("true"));
        ann.waitFor(Duration.ofSeconds(10), () -> ann.el("camera-select").isDisplayed()
                && !ann.el("camera-select").findElements(By.tagName("option")).isEmpty());
        new Select(ann.el("camera-select")).selectByIndex(0);
        ann.driver().findElement(By.id("preview-camera")).click();
        ann.waitFor(Duration.ofSeconds(5), () -> ((Number) ann.js(
                "return document.querySelector('[data-testid=prejoin-preview]').srcObject ? 1 : 0")).intValue() == 0);
    }

    @Test
    void tilesSpeakingQualityRenameShortcutsUnreadAndWakeLock() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            ann.js("""
                    window.wake = [];
                    navigator.wakeLock.request = async (type) => {
                      const s = new EventTarget();
                      s.released = false;
                      s.release = async () => { s.released = true; window.wake.push('released'); };
                      window.wake.push(type);
                      return s;
                    };
                    """);
            // when Bob's connection is up, and when his page first shows its quality
            bob.js("""
                    window.connectedAt = null;
                    window.qualityAt = null;
                    window.pcs = [];
                    const Pc = window.RTCPeerConnection;
                    window.RTCPeerConnection = class extends Pc {
                      constructor(...args) {
                        super(...args);
                        window.pcs.push(this);
                        this.addEventListener('iceconnectionstatechange', () => {
                          if (this.iceConnectionState === 'connected') window.connectedAt ??= performance.now();
                        });
                      }
                    };
                    new MutationObserver(() => {
                      if (document.querySelector('[data-testid=tile][data-quality]')) window.qualityAt ??= performance.now();
                    }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-quality']});
                    """);
            String annId = ann.join(room, null).awaitJoined();
            String bobId = bob.join(room, null).awaitJoined();
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);
            for (CallPage p : List.of(ann, bob)) {
                p.record("speaking", "[data-testid=tile]", "data-speaking");
            }
            // the remote tile's quality shows soon after its connection is up, not at the next round of samples
            bob.awaitInPage("window.qualityAt !== null", Duration.ofSeconds(20));
            double qualityLate = ((Number) bob.js("return window.qualityAt - window.connectedAt")).doubleValue();
            assertThat("quality shown " + qualityLate + " ms after the connection was up", qualityLate,
                    lessThan(1200.0));
            // the call asks each side to start its video at 800 kbps rather than WebRTC's 300 (its first frames show
            // sooner): every video codec of the description Bob's page applied carries it
            Object startRates = bob.js("""
                    return window.pcs.filter((pc) => pc.connectionState === 'connected').map((pc) => {
                      const sdp = pc.remoteDescription.sdp;
                      return [...sdp.matchAll(/^a=rtpmap:(\\d+) (?:VP8|VP9|H264|AV1)\\/90000/gm)].map(([, pt]) =>
                        (new RegExp('^a=fmtp:' + pt + ' .*x-google-start-bitrate=(\\\\d+)', 'm').exec(sdp) || [])[1] ?? 'none');
                    }).flat().join(' ');
                    """);
            assertThat("start rates of the video codecs: " + startRates, startRates.toString().matches("800( 800)*"),
                    is(true));
            // the address names the room, to copy or come back to (set once the call has started)
            ann.waitFor(Duration.ofSeconds(10), () -> ann.driver().getCurrentUrl().endsWith("/r/" + room));

            // one tile per person, self included
            assertThat(ann.all("tile").size(), is(2));
            assertThat(ann.tile(annId), notNullValue());
            assertThat(ann.tile(bobId), notNullValue());
            // the fake microphone plays speech-like sound: each page sees both people speak at some point (a
            // loaded box takes a while to get audio levels flowing between two pages)
            for (CallPage p : List.of(ann, bob)) {
                p.waitFor(Duration.ofSeconds(60), () -> p.recorded("speaking").containsAll(
                        List.of(annId + "=true", bobId + "=true")));
            }
            // connection quality of the remote tile, measured
            ann.waitFor(Duration.ofSeconds(20), () -> List.of("good", "fair", "poor")
                    .contains(ann.tileAttribute(bobId, "data-quality")));
            assertThat(ann.tileAttribute(annId, "data-quality"), nullValue());
            // every word on the remote tile (name, badges, quality) shows inside it: none spills over its edge
            assertThat(ann.js("""
                    const tile = document.querySelector('[data-testid=tile][data-peer-id="%s"]');
                    const box = tile.getBoundingClientRect(), out = [];
                    const walk = document.createTreeWalker(tile, NodeFilter.SHOW_TEXT);
                    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                      const range = document.createRange();
                      range.selectNodeContents(n);
                      const r = range.getBoundingClientRect();
                      if (r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1)) out.push(n.textContent);
                    }
                    return out;
                    """.formatted(bobId)), is(List.of()));

            // screen wake lock held during the call
            assertThat(ann.js("return window.wake.join(',')"), is("screen"));

            // rename in the call
            WebElement rename = ann.el("rename-input");
            rename.clear();
            rename.sendKeys("Annie", Keys.ENTER);
            bob.waitFor(Duration.ofSeconds(10), () -> "Annie".equals(bob.remoteNickname(annId)));
            bob.waitFor(Duration.ofSeconds(10), () -> "Annie".equals(bob.participant(annId).get("text")));

            // keyboard shortcuts: M mutes, Ctrl+E stops the camera (focus not in a text field)
            // The hint floats over the call: where the videos and buttons are never moves when it comes and goes
            // (a click aimed at Leave while it appeared used to land on whatever slid under the pointer).
            ann.js("""
                    const hint = document.getElementById('muted-hint');
                    const grid = document.getElementById('grid');
                    window.gridTops = [Math.round(grid.getBoundingClientRect().top)];
                    new MutationObserver(() => {
                        window.gridTops.push(Math.round(grid.getBoundingClientRect().top));
                        if (!hint.hidden && hint.textContent) window.mutedHintShown = true;
                    }).observe(hint, { attributes: true, childList: true, characterData: true, subtree: true });
                    """);
            ann.driver().findElement(By.tagName("body")).click();
            new Actions(ann.driver()).sendKeys("m").perform();
            ann.waitFor(Duration.ofSeconds(5), () -> "true".equals(ann.el("mute").getAttribute("aria-pressed")));
            bob.waitFor(Duration.ofSeconds(10), () -> "off".equals(bob.participant(annId).get("audio")));
            new Actions(ann.driver()).keyDown(Keys.CONTROL).sendKeys("e").keyUp(Keys.CONTROL).perform();
            ann.waitFor(Duration.ofSeconds(5), () -> "true".equals(ann.el("camera").getAttribute("aria-pressed")));
            bob.waitFor(Duration.ofSeconds(10), () -> "off".equals(bob.participant(annId).get("video")));
            // speaking while muted (the fake microphone plays speech-like sound): a hint, seen by an observer so that a
            // hint shown and hidden again between two polls on a slow box still counts
            ann.waitFor(Duration.ofSeconds(40), () -> Boolean.TRUE.equals(ann.js("return window.mutedHintShown === true;")));
            assertThat("the video grid stays where it was while the hint shows",
                    ann.js("return [...new Set(window.gridTops)].length"), is(1L));
            // W switches to speaker view and back, as in Jitsi
            for (String pressed : List.of("true", "false")) {
                new Actions(ann.driver()).sendKeys("w").perform();
                ann.awaitScript("return document.getElementById('layout').getAttribute('aria-pressed')", pressed,
                        Duration.ofSeconds(5));
            }

            // unread count while the chat is folded away
            bob.driver().findElement(By.id("chat-toggle")).click();
            bob.waitFor(Duration.ofSeconds(5), () -> !bob.el("chat-log").isDisplayed());
            ann.chat("are you there?");
            bob.waitFor(Duration.ofSeconds(10), () -> "1".equals(bob.driver().findElement(By.id("chat-unread")).getText()));
            bob.driver().findElement(By.id("chat-toggle")).click();
            bob.waitFor(Duration.ofSeconds(5), () -> !bob.driver().findElement(By.id("chat-unread")).isDisplayed());
            assertThat(bob.chatTexts().stream().anyMatch(t -> t.contains("are you there?")), is(true));
            // lines that come while Bob's window is minimised are counted in its title until he looks again
            bob.driver().manage().window().minimize();
            bob.waitFor(Duration.ofSeconds(5), () -> Boolean.TRUE.equals(bob.js("return document.hidden")));
            ann.chat("hello?");
            ann.chat("Bob?");
            bob.awaitScript("return document.title", "(2) " + room + " · Huddle", Duration.ofSeconds(10));
            bob.driver().manage().window().setSize(new Dimension(1024, 768));
            bob.awaitScript("return document.title", room + " · Huddle", Duration.ofSeconds(5));

            // audio output: offered exactly where the browser can route it and lists outputs (Chromium with fake
            // devices lists three), and choosing one routes the remote videos' sound there
            boolean canSink = (Boolean) bob.js("return 'setSinkId' in HTMLMediaElement.prototype");
            boolean outputs = (Boolean) bob.js("return navigator.mediaDevices.enumerateDevices()"
                    + ".then(d => d.some(x => x.kind === 'audiooutput'))");
            assertThat(bob.el("speaker-select").isDisplayed(), is(canSink && outputs));
            if (canSink && outputs) {
                String sink = bob.el("speaker-select").findElements(By.tagName("option")).getLast().getAttribute("value");
                new Select(bob.el("speaker-select")).selectByValue(sink);
                bob.waitFor(Duration.ofSeconds(5), () -> sink.equals(bob.js(
                        "return document.querySelector('[data-testid=remote-video]').sinkId")));
            }

            ann.click("leave");
            ann.waitFor(Duration.ofSeconds(5), () -> ann.js("return window.wake.join(',')").equals("screen,released"));
        }
    }

    /**
     * Chromium's own fake microphone, as a test that passes only the two fake-media flags hears it, a 100 ms beep
     * every 500 ms, is Ann's: her tile shows her speaking while the beeps go on, at least 70 % of 4 s, on her page
     * and on Bob's. A packet's level read now and then missed the beeps for good when the reads fell in step
     * between two of them. Bob's microphone plays speech: two pages beeping alike would each take the other's
     * beeps for an echo of their own, and their echo cancellers would take out part of what is measured.
     */
    @Test
    void theFakeMicrophonesBeepsShowAsSpeakingOnHerTileOnEveryPage() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann", false); CallPage bob = new CallPage(gw2, "Bob")) {
            ann.js("""
                    const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
                    navigator.mediaDevices.getUserMedia = async (c) => {
                      const stream = await gum(c);
                      window.mic = stream.getAudioTracks()[0] ?? window.mic;
                      return stream;
                    };
                    """);
            String annId = ann.join(room, null).awaitJoined();
            String bobId = bob.join(room, null).awaitJoined();
            ann.awaitRemoteVideos(1, VIDEO);
            bob.awaitRemoteVideos(1, VIDEO);
            ann.waitFor(Duration.ofSeconds(20), () -> "true".equals(ann.tileAttribute(bobId, "data-speaking")));
            for (CallPage p : List.of(ann, bob)) {
                p.waitFor(Duration.ofSeconds(20), () -> "true".equals(p.tileAttribute(annId, "data-speaking")));
                double share = p.speakingShare(annId, 40);
                assertThat(p.nickname() + " sees Ann speaking " + share + " of 4 s", share, greaterThanOrEqualTo(0.7));
            }
            // her microphone is unplugged while she speaks (its track ends): her own tile stops showing her speaking
            ann.js("window.mic.stop(); window.mic.dispatchEvent(new Event('ended'))");
            ann.waitFor(Duration.ofSeconds(3), () -> !"true".equals(ann.tileAttribute(annId, "data-speaking")));
        }
    }

    /** A camera switched on just before Leave, whose device opens only after it, is not left on (its light out). */
    @Test
    void aCameraSwitchedOnJustBeforeLeaveIsNotLeftOn() {
        try (CallPage ann = new CallPage(gw1, "Ann")) {
            ann.js("""
                    window.tracks = [];
                    window.openDelayMs = 0;
                    const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
                    navigator.mediaDevices.getUserMedia = async (c) => {
                      const stream = await gum(c);
                      window.tracks.push(...stream.getTracks());
                      if (window.openDelayMs) await new Promise((r) => setTimeout(r, window.openDelayMs));
                      return stream;
                    };
                    """);
            ann.join(room(), null).awaitJoined();
            String live = "return window.tracks.filter((t) => t.readyState === 'live').map((t) => t.kind).sort().join(',')";
            ann.awaitScript(live, "audio,video", Duration.ofSeconds(10));
            ann.click("camera");
            ann.awaitScript(live, "audio", Duration.ofSeconds(10));
            // the camera asked for again, a device that takes 1.5 s to open; Leave clicked meanwhile
            ann.js("window.openDelayMs = 1500");
            ann.click("camera");
            ann.click("leave");
            ann.awaitScript("return window.tracks.length", 3L, Duration.ofSeconds(10));
            ann.awaitScript(live, "", Duration.ofSeconds(5));
        }
    }

    /** `hand` and `react` (protocol.md), through the page's hooks. */
    @Test
    void raisedHandsAreListedInOrderAndReactionsFloatOverTheSendersTile() {
        String room = room();
        try (CallPage ann = new CallPage(gw1, "Ann"); CallPage bob = new CallPage(gw2, "Bob")) {
            String annId = ann.join(room, null).awaitJoined();
            String bobId = bob.join(room, null).awaitJoined();
            bob.waitFor(Duration.ofSeconds(20), () -> bob.participantOrder().size() == 2);
            // Who comes, raises a hand or goes is said for a few seconds over the call (not who was already there).
            ann.awaitScript(TOASTS, List.of("Bob joined"), Duration.ofSeconds(10));
            assertThat(bob.js(TOASTS), is(List.of()));

            bob.click("hand");
            bob.waitFor(Duration.ofSeconds(10), () -> "true".equals(bob.el("hand").getAttribute("aria-pressed")));
            ann.waitFor(Duration.ofSeconds(10), () -> ann.participantOrder().getFirst().equals(bobId + ":up"));
            ann.awaitScript(toastShown("Bob raised a hand"), true, Duration.ofSeconds(5));
            ann.click("hand");
            for (CallPage p : List.of(ann, bob)) {
                p.waitFor(Duration.ofSeconds(10), () -> p.participantOrder().equals(
                        List.of(bobId + ":up", annId + ":up")));
            }
            bob.awaitScript(TOASTS, List.of("Ann raised a hand"), Duration.ofSeconds(5));
            // her own hand went up on her page too (the order above), and no note there says so
            assertThat(ann.js(toastShown("Ann raised a hand")), is(false));
            ann.awaitScript(TOASTS, List.of(), Duration.ofSeconds(10)); // the others' notes go after a few seconds
            bob.click("hand");
            bob.waitFor(Duration.ofSeconds(10), () -> "false".equals(bob.el("hand").getAttribute("aria-pressed")));
            ann.waitFor(Duration.ofSeconds(10), () -> ann.participantOrder().equals(
                    List.of(annId + ":up", bobId + ":down")));

            assertThat(ann.all("react").stream().map(e -> e.getAttribute("data-emoji")).toList(),
                    containsInAnyOrder("👍", "👏", "😂", "😮", "❤️", "🎉"));
            ann.driver().findElement(By.cssSelector("[data-testid=react][data-emoji='🎉']")).click();
            String onTile = "[data-testid=tile][data-peer-id='" + annId + "'] [data-testid=reaction][data-from='"
                    + annId + "'][data-emoji='🎉']";
            bob.waitFor(Duration.ofSeconds(10), () -> !bob.driver().findElements(By.cssSelector(onTile)).isEmpty());
            long seen = System.nanoTime();
            bob.waitFor(Duration.ofSeconds(10), () -> bob.driver().findElements(By.cssSelector(onTile)).isEmpty());
            assertThat((System.nanoTime() - seen) / 1_000_000, greaterThanOrEqualTo(1800L));

            // Bob's hand goes up on the server, but his socket drops before the answer: the request fails on his
            // page, and once it has resumed, his button shows the hand the server kept, as everyone's list does
            bob.js("""
                    window.handDropped = false;
                    window.statusLog = [];
                    const s = document.querySelector('[data-testid=status]');
                    new MutationObserver(() => window.statusLog.push(s.textContent.trim()))
                        .observe(s, {childList: true, characterData: true, subtree: true});
                    const send = WebSocket.prototype.send;
                    WebSocket.prototype.send = function (data) {
                      const sent = send.call(this, data);
                      if (!window.handDropped && JSON.parse(data).type === 'hand') {
                        window.handDropped = true;
                        this.close();
                      }
                      return sent;
                    };
                    """);
            bob.click("hand");
            ann.waitFor(Duration.ofSeconds(10), () -> ann.participantOrder().contains(bobId + ":up"));
            bob.waitFor(Duration.ofSeconds(20), () -> bob.js("return window.statusLog.join(',')").toString()
                    .matches(".*reconnecting.*connected.*"));
            bob.waitFor(Duration.ofSeconds(5), () -> "true".equals(bob.el("hand").getAttribute("aria-pressed")));
            assertThat(bob.participantOrder(), hasItem(bobId + ":up"));

            bob.click("leave");
            ann.awaitScript(TOASTS, List.of("Bob left"), Duration.ofSeconds(10));
        }
    }

    private static final String TOASTS_TEXT = "[...document.querySelectorAll('#toasts .toast')].map((t) => t.textContent)";
    private static final String TOASTS = "return " + TOASTS_TEXT;

    /** A script: whether a note over the call says {@code text} now. */
    private static String toastShown(String text) {
        return "return " + TOASTS_TEXT + ".includes('" + text + "')";
    }
}
