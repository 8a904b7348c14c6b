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

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
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
            ann.click("camera");
            assertThat(ann.el("camera").getAttribute("aria-pressed"), is("true"));
            bob.waitFor(Duration.ofSeconds(10), () -> "off".equals(bob.participant(annId).get("video")));

            ann.chat("hello <b>Bob</b>");
            bob.waitFor(Duration.ofSeconds(10), () -> bob.chatTexts().stream().anyMatch(t -> t.contains("hello <b>Bob</b>")));
            bob.chat("hi Ann");
            ann.waitFor(Duration.ofSeconds(10), () -> ann.chatTexts().stream().anyMatch(t -> t.contains("hi Ann")));
            // rendered as text, never as HTML
            assertThat(((Number) bob.js("return document.querySelectorAll('[data-testid=chat-log] b').length")).intValue(), is(0));
        }
    }

    @Test
    void threeThenFourPeopleAcrossGatewaysAndLeaveRemovesTheTile() {
        String room = room();
        List<CallPage> pages = new ArrayList<>();
        try {
            for (String nick : List.of("P1", "P2", "P3")) {
                CallPage p = new CallPage(pages.size() % 2 == 0 ? gw1 : gw2, nick);
                pages.add(p);
                p.join(room, null).awaitJoined();
            }
            for (CallPage p : pages) {
                p.awaitRemoteVideos(2, VIDEO);
            }
            CallPage fourth = new CallPage(gw2, "P4");
            pages.add(fourth);
            String fourthId = fourth.join(room, null).awaitJoined();
            for (CallPage p : pages) {
                p.awaitRemoteVideos(3, Duration.ofSeconds(90));
            }
            assertThat(pages.getFirst().remotePeerIds(), hasItem(fourthId));

            fourth.click("leave");
            for (CallPage p : pages.subList(0, 3)) {
                p.waitFor(Duration.ofSeconds(15), () -> p.all("remote-video").size() == 2);
                assertThat(p.remotePeerIds().contains(fourthId), is(false));
            }
        } finally {
            pages.forEach(CallPage::close);
        }
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
}
