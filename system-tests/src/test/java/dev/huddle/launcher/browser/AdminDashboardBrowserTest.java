package dev.huddle.launcher.browser;

import dev.huddle.launcher.LocalCluster;
import dev.huddle.service.PasswordHash;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator signs in to the dashboard and watches the tables and the events feed fill as clients join on two
 * gateways, removes one of them from its room, then locks the room: the lock shows pressed, the API reports it,
 * and a newcomer's join is refused with {@code room_locked}.
 */
class AdminDashboardBrowserTest {

    private static By id(String testId) {
        return By.cssSelector("[data-testid='" + testId + "']");
    }

    @Test
    void operatorSeesClientsJoinKicksOneAndLocksTheRoom() throws Exception {
        assertTrue(Browsers.available(), "Debian's chromium and chromium-driver are needed (.ci/run installs them)");
        String password = "pw-" + UUID.randomUUID();
        String room = "ops-" + UUID.randomUUID().toString().substring(0, 8);
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(2, 0,
                KafkaExtension.bootstrapServers(), Files.createTempDirectory("unused"), Map.of(
                        "kafka.topic.prefix", "adm" + UUID.randomUUID().toString().substring(0, 6) + ".",
                        "admin.user", "ops", "admin.password.hash", PasswordHash.hash(password))))) {
            int gw1 = cluster.gateways().get(0).port();
            int gw2 = cluster.gateways().get(1).port();
            ChromeDriver driver = Browsers.start();
            try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2)) {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
                driver.get("http://localhost:" + gw1 + "/admin");
                wait.until(d -> d.findElement(id("login-user")).isDisplayed());
                driver.findElement(id("login-user")).sendKeys("ops");
                driver.findElement(id("login-password")).sendKeys(password);
                driver.findElement(id("login-submit")).click();
                wait.until(d -> d.findElement(id("stat-gateways")).getText().trim().equals("2"));

                ann.ok("join", Map.of("room", room, "nickname", "Ann <i>x</i>"));
                bob.ok("join", Map.of("room", room, "nickname", "Bob"));
                String roomRow = "[data-testid='rooms-table'] tr[data-room='" + room + "']";
                wait.until(d -> !d.findElements(By.cssSelector(roomRow)).isEmpty()
                        && "2".equals(d.findElement(By.cssSelector(roomRow)).getAttribute("data-count")));
                for (WsClient c : new WsClient[] {ann, bob}) {
                    wait.until(d -> !d.findElements(By.cssSelector(
                            "[data-testid='sockets-table'] tr[data-peer-id='" + c.peerId() + "']")).isEmpty());
                }
                String annRow = driver.findElement(By.cssSelector(
                        "[data-testid='sockets-table'] tr[data-peer-id='" + ann.peerId() + "']")).getText();
                assertTrue(annRow.contains("Ann <i>x</i>"), "nickname shown as text: " + annRow);
                assertTrue(Integer.parseInt(driver.findElement(id("stat-connections")).getText().trim()) >= 2);
                // The hooks mark rows only: a selector for a room or a connection finds its row and nothing inside it.
                assertThat(driver.findElements(By.cssSelector("[data-testid='rooms-table'] [data-room='" + room
                        + "']")).size(), is(1));
                assertThat(driver.findElements(By.cssSelector("[data-testid='sockets-table'] [data-peer-id='"
                        + ann.peerId() + "']")).size(), is(1));

                // Kick and lock act on the click: a dialog asking first would be dismissed by a test's driver
                // (as here: a confirm() answered no would leave Bob in the room).
                driver.executeScript("window.confirm = () => false;");
                driver.findElement(By.cssSelector("[data-testid='rooms-table'] tr[data-peer-id='" + bob.peerId()
                        + "'] [data-testid='kick']")).click();
                assertThat(bob.await("kicked").get("data").get("room").asText(), is(room));
                assertThat(ann.await("peer_left").get("data").get("reason").asText(), is("kicked"));
                wait.until(d -> "1".equals(d.findElement(By.cssSelector(roomRow)).getAttribute("data-count")));

                // The events feed: Bob's join and the kick, newest first, each with a kind and a time.
                String feed = "[data-testid='events-log'] li";
                wait.until(d -> !d.findElements(By.cssSelector(feed + "[data-kind='join'][data-peer-id='"
                        + bob.peerId() + "']")).isEmpty());
                wait.until(d -> !d.findElements(By.cssSelector(feed + "[data-kind='kick'][data-peer-id='"
                        + bob.peerId() + "']")).isEmpty());
                assertNewestFirst(driver.findElements(By.cssSelector(feed)));
                String kick = driver.findElement(By.cssSelector(feed + "[data-kind='kick'][data-peer-id='"
                        + bob.peerId() + "']")).getText();
                assertTrue(kick.contains("Bob (" + bob.peerId() + ") removed"), "the kick names whom it removed: " + kick);
                assertTrue(driver.findElement(By.cssSelector(feed + "[data-kind='join'][data-peer-id='"
                        + ann.peerId() + "']")).getText().contains("Ann <i>x</i>"), "nicknames shown as text");

                // Lock the room from its row.
                By lock = By.cssSelector(roomRow + " [data-testid='lock']");
                assertThat(driver.findElement(lock).getAttribute("aria-pressed"), is("false"));
                driver.findElement(lock).click();
                wait.until(d -> "true".equals(d.findElement(lock).getAttribute("aria-pressed")));
                wait.until(d -> !d.findElements(By.cssSelector(feed + "[data-kind='lock'][data-room='" + room
                        + "']")).isEmpty());
                // A newcomer is turned away.
                try (WsClient cy = WsClient.hello(gw2)) {
                    JsonNode refused = cy.request("join", Map.of("room", room, "nickname", "Cy"));
                    assertFalse(refused.path("ok").asBoolean(), refused.toString());
                    assertThat(refused.path("error").path("code").asText(), is("room_locked"));
                }

                // Disconnect Ann from her connection's row: her socket closes.
                driver.findElement(By.cssSelector("[data-testid='sockets-table'] tr[data-peer-id='" + ann.peerId()
                        + "'] [data-testid='disconnect']")).click();
                ann.closed().get(30, TimeUnit.SECONDS);
                // Two records of it from two sources (the operator's action, the lost connection), in time order
                wait.until(d -> d.findElements(By.cssSelector(feed + "[data-kind='disconnect'][data-peer-id='"
                        + ann.peerId() + "']")).size() == 2);
                assertNewestFirst(driver.findElements(By.cssSelector(feed)));

                // On a phone's width the page does not scroll sideways (wide tables scroll inside their cards).
                driver.manage().window().setSize(new Dimension(400, 800));
                String sideways = "return document.documentElement.scrollWidth + ' wide in ' + innerWidth";
                try {
                    wait.until(d -> (Boolean) driver.executeScript(
                            "return document.documentElement.scrollWidth <= innerWidth"));
                } catch (org.openqa.selenium.TimeoutException e) {
                    throw new AssertionError("the dashboard is " + driver.executeScript(sideways), e);
                }
            } finally {
                driver.quit();
            }
        }
    }

    /** Each item has a time, the newest first (events from several services arrive a little out of order). */
    private static void assertNewestFirst(List<WebElement> items) {
        long newer = Long.MAX_VALUE;
        for (WebElement item : items) {
            assertFalse(item.findElements(By.tagName("time")).isEmpty(), "each item has a time");
            long ts = Long.parseLong(item.getAttribute("data-ts"));
            assertTrue(ts <= newer, "newest first: " + item.getText());
            newer = ts;
        }
    }
}
