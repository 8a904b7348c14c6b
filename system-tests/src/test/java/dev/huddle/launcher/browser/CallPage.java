package dev.huddle.launcher.browser;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * One participant's page, driven only through the {@code data-testid} hooks of ui-contract.md.
 */
final class CallPage implements AutoCloseable {
    private final ChromeDriver driver;
    private final String nickname;
    private final String window;   // this page's window when it shares its browser with others, else null

    /** A page in a browser of its own, its fake microphone playing speech-like sound. */
    CallPage(String baseUrl, String nickname) {
        this(baseUrl, nickname, true);
    }

    /** A page in a browser of its own; {@code speech}: see {@link Browsers#start(boolean)}. */
    CallPage(String baseUrl, String nickname, boolean speech) {
        this.driver = Browsers.start(speech);
        this.nickname = nickname;
        this.window = null;
        driver.get(baseUrl + "/");
    }

    /** A page in a new window of a browser shared with other pages (one Chromium, several contexts). */
    CallPage(ChromeDriver shared, String baseUrl, String nickname) {
        this.driver = shared;
        this.nickname = nickname;
        shared.switchTo().newWindow(org.openqa.selenium.WindowType.WINDOW);
        this.window = shared.getWindowHandle();
        shared.get(baseUrl + "/");
    }

    private ChromeDriver d() {
        if (window != null) {
            driver.switchTo().window(window);
        }
        return driver;
    }

    static By id(String testId) {
        return By.cssSelector("[data-testid='" + testId + "']");
    }

    WebElement el(String testId) {
        return d().findElement(id(testId));
    }

    List<WebElement> all(String testId) {
        return d().findElements(id(testId));
    }

    String nickname() {
        return nickname;
    }

    CallPage join(String room, String password) {
        fill(room, password);
        el("join").click();
        return this;
    }

    /**
     * Has the page click {@code join} itself at {@code epochMillis}, so that several pages of one browser click
     * together rather than one after the other at the driver's pace.
     */
    void clickJoinAt(long epochMillis) {
        d().executeScript("setTimeout(() => document.querySelector(\"[data-testid='join']\").click(),"
                + " arguments[0] - Date.now())", epochMillis);
    }

    /** Fills the join form; typing is the user's gesture that the page's audio needs. */
    void fill(String room, String password) {
        WebElement nick = el("nickname");
        nick.clear();
        nick.sendKeys(nickname);
        WebElement roomInput = el("room");
        roomInput.clear();
        roomInput.sendKeys(room);
        if (password != null) {
            el("password").sendKeys(password);
        }
    }

    /**
     * Types {@code text} into the field as a keyboard or an input method would (the browser's own text insertion,
     * which keeps to the field's maxlength), replacing what it held; unlike sendKeys it takes any character.
     */
    void type(String testId, String text) {
        WebElement field = el(testId);
        field.clear();
        field.click();
        d().executeCdpCommand("Input.insertText", Map.of("text", text));
    }

    /** Waits until this page is back on the home screen, its {@code join} button shown. */
    void awaitHome(Duration timeout) {
        waitFor(timeout, () -> all("join").stream().anyMatch(WebElement::isDisplayed));
    }

    /** Waits until this page shows itself joined (local video carries its peerId). */
    String awaitJoined() {
        awaitInPage("document.querySelector(\"[data-testid='local-video']\")?.dataset.peerId", Duration.ofSeconds(30));
        return el("local-video").getAttribute("data-peer-id");
    }

    /**
     * Waits until there are exactly {@code n} remote videos and each one decodes frames: a size and a frame
     * count that keeps going up.
     */
    void awaitRemoteVideos(int n, Duration timeout) {
        try {
            waitFor(timeout, () -> decodingRemoteVideos() == n && all("remote-video").size() == n);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(nickname + " did not decode " + n + " remote videos within " + timeout
                    + "; its videos: " + d().executeScript("""
                    return [...document.querySelectorAll('[data-testid="remote-video"]')].map(v => v.dataset.peerId
                      + ' ' + v.videoWidth + 'x' + v.videoHeight + ' frames=' + (v.getVideoPlaybackQuality?.().totalVideoFrames)
                      + ' ready=' + v.readyState + ' tile=' + v.closest('[data-testid=tile]')?.dataset.quality).join('; ')
                    """), e);
        }
    }

    /**
     * Remote videos that decode: each has a size and showed a new frame within 1.5 s (on a saturated box a
     * four-person mesh can drop below a few frames a second for a while without being stuck).
     */
    @SuppressWarnings("unchecked")
    long decodingRemoteVideos() {
        Object result = d().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const vids = [...document.querySelectorAll('[data-testid="remote-video"]')];
                const frames = v => v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
                const before = vids.map(frames);
                setTimeout(() => done(vids.filter((v, i) => v.videoWidth > 0 && frames(v) > before[i]).length), 1500);
                """);
        return ((Number) result).longValue();
    }

    List<String> remotePeerIds() {
        return all("remote-video").stream().map(e -> e.getAttribute("data-peer-id")).toList();
    }

    String remoteNickname(String peerId) {
        return d().findElement(By.cssSelector("[data-testid='remote-video'][data-peer-id='" + peerId + "']"))
                .getAttribute("data-nickname");
    }

    Map<String, String> participant(String peerId) {
        WebElement item = el("participants").findElement(By.cssSelector("[data-peer-id='" + peerId + "']"));
        return Map.of("audio", String.valueOf(item.getAttribute("data-audio")),
                "video", String.valueOf(item.getAttribute("data-video")),
                "text", item.getText());
    }

    /**
     * Clicks the element; while tiles resize (a video's first frames, a sender scaling down) the layout can move
     * between Selenium finding the point and clicking it, so an intercepted click is tried again, the element
     * scrolled to the middle of the window, for up to 15 s (a loaded box lays out slowly).
     */
    void click(String testId) {
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            try {
                el(testId).click();
                return;
            } catch (org.openqa.selenium.ElementClickInterceptedException e) {
                if (System.nanoTime() > until) {
                    throw e;
                }
                // bring it to the middle of the window, away from whatever the moving layout put over it
                d().executeScript("arguments[0].scrollIntoView({block: 'center'})", el(testId));
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    void chat(String text) {
        WebElement input = el("chat-input");
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER);
    }

    List<String> chatTexts() {
        return all("chat-message").stream().map(WebElement::getText).toList();
    }

    String text(String testId) {
        return el(testId).getText();
    }

    Object js(String script) {
        return ((JavascriptExecutor) d()).executeScript(script);
    }

    /**
     * Waits until {@code predicate} (a JavaScript expression) is true in this page, checking it every 10 ms inside
     * the page, as the course app's harness does (Playwright's waitForFunction): one driver command for the
     * whole wait, where {@link #waitFor} costs the browser and its driver a round trip every 200 ms, which on this
     * 2-core box took CPU from the very call being timed.
     */
    void awaitInPage(String predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = Math.max(1, Math.min(20_000, (deadline - System.nanoTime()) / 1_000_000));
            Object ok = d().executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    const until = Date.now() + arguments[0];
                    const check = () => {
                      let ok = false;
                      try { ok = !!(%s); } catch (e) { }
                      if (ok || Date.now() >= until) done(ok); else setTimeout(check, 10);
                    };
                    check();
                    """.formatted(predicate), left);
            if (Boolean.TRUE.equals(ok)) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                throw new org.openqa.selenium.TimeoutException(nickname + ": not true within " + timeout + ": "
                        + predicate);
            }
        }
    }

    /**
     * Waits until {@code script} (JavaScript returning a string, boolean or list) returns {@code expected}; if it does
     * not in time, fails with what it returns then (the script says what is wrong, e.g. where an element is).
     */
    void awaitScript(String script, Object expected, Duration timeout) {
        try {
            waitFor(timeout, () -> expected.equals(js(script)));
        } catch (RuntimeException e) {
            assertThat(nickname + "'s page", js(script), is(expected));
        }
    }

    void waitFor(Duration timeout, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(d(), timeout, Duration.ofMillis(200)).until(d -> {
            try {
                return condition.getAsBoolean();
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /** The {@code tile} of a person (self included) by peerId, or null. */
    WebElement tile(String peerId) {
        List<WebElement> tiles = d().findElements(
                By.cssSelector("[data-testid='tile'][data-peer-id='" + peerId + "']"));
        return tiles.isEmpty() ? null : tiles.getFirst();
    }

    String tileAttribute(String peerId, String attribute) {
        WebElement tile = tile(peerId);
        return tile == null ? null : tile.getAttribute(attribute);
    }

    /** Peer ids of the {@code participants} items, in the listed order, each with ":" and its {@code data-hand}. */
    List<String> participantOrder() {
        return el("participants").findElements(By.cssSelector("[data-peer-id]")).stream()
                .map(e -> e.getAttribute("data-peer-id") + ":" + e.getAttribute("data-hand")).toList();
    }

    /**
     * Records, from now on, every value an attribute of matching elements takes, as "peerId=value" (or
     * "from=value") in {@code window.seen[name]}, so that short-lived states are not missed between polls.
     */
    void record(String name, String selector, String attribute) {
        d().executeScript("""
                const [name, selector, attribute] = arguments;
                window.seen = window.seen || {};
                const seen = window.seen[name] = window.seen[name] || [];
                const note = (el) => {
                  const v = el.getAttribute(attribute);
                  if (v !== null) seen.push((el.getAttribute('data-peer-id') || el.getAttribute('data-from') || '') + '=' + v);
                };
                document.querySelectorAll(selector).forEach(note);
                new MutationObserver((records) => {
                  for (const r of records) {
                    const nodes = r.type === 'attributes' ? [r.target] : [...r.addedNodes];
                    for (const n of nodes) {
                      if (!(n instanceof Element)) continue;
                      if (n.matches(selector)) note(n);
                      if (r.type !== 'attributes') n.querySelectorAll(selector).forEach(note);
                    }
                  }
                }).observe(document.body, {subtree: true, childList: true, attributes: true,
                    attributeFilter: [attribute]});
                """, name, selector, attribute);
    }

    @SuppressWarnings("unchecked")
    /** The share of {@code samples} samples, 100 ms apart, in which the person's tile shows them speaking. */
    double speakingShare(String peerId, int samples) {
        Object result = d().executeAsyncScript("""
                const [peerId, samples, done] = arguments;
                let on = 0, taken = 0;
                const timer = setInterval(() => {
                  const tile = document.querySelector(`[data-testid=tile][data-peer-id="${peerId}"]`);
                  if (tile?.dataset.speaking === 'true') on++;
                  if (++taken === samples) { clearInterval(timer); done(on / samples); }
                }, 100);
                """, peerId, samples);
        return ((Number) result).doubleValue();
    }

    List<String> recorded(String name) {
        Object result = d().executeScript("return (window.seen && window.seen[arguments[0]]) || [];", name);
        return (List<String>) result;
    }

    /** Prints the page's console (the client's warnings and errors) to the test output. */
    void printConsole() {
        try {
            d().manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
                    .forEach(e -> System.out.println("[" + nickname + "] " + e.getLevel() + " " + e.getMessage()));
        } catch (RuntimeException e) {
            System.out.println("[" + nickname + "] console not available: " + e);
        }
    }

    ChromeDriver driver() {
        return d();
    }

    @Override
    public void close() {
        printConsole();
        if (window == null) {
            driver.quit();
        } else {
            d().close();
        }
    }
}
