package dev.huddle.launcher.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.logging.Level;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium with fake camera and microphone, driven through Debian's chromedriver:
 * paths are set explicitly so that Selenium Manager downloads nothing.
 */
final class Browsers {
    static final String CHROMIUM = System.getProperty("huddle.chromium", "/usr/bin/chromium");
    static final String DRIVER = System.getProperty("huddle.chromedriver", "/usr/bin/chromedriver");

    private Browsers() {
    }

    static boolean available() {
        return new File(CHROMIUM).canExecute() && new File(DRIVER).canExecute();
    }

    /** A browser whose fake microphone plays speech-like sound ({@link #tone()}). */
    static ChromeDriver start() {
        return start(true);
    }

    /**
     * @param speech the fake microphone plays speech-like sound; else Chromium's own, a 100 ms beep every 500 ms, as
     *               a test that passes only the two fake-media flags hears it
     */
    static ChromeDriver start(boolean speech) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        try {
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
                    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-dev-shm-usage", "--window-size=1024,768",
                    // Several people's windows share one browser here, where on a real call each is someone's
                    // foreground tab: without these, Chromium throttles the timers and frame callbacks of the
                    // windows behind (Playwright, which the course app's harness uses, passes the same three)
                    "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
                    "--disable-renderer-backgrounding",
                    "--user-data-dir=" + Files.createTempDirectory("huddle-chromium"));
            if (speech) {
                // speech-like sound instead of the fake microphone's short beeps: the muted hint and who speaks
                // louder can be asserted
                options.addArguments("--use-file-for-fake-audio-capture=" + tone());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // The page's console, for the test output when something goes wrong (CallPage.printConsole).
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    /**
     * 2 s of speech-like sound as 48 kHz 16-bit mono WAV (Chromium loops it): "syllables" of 250 ms at changing
     * pitch with 150 ms pauses. Not a steady tone: the page's microphone runs with noise suppression, which learns
     * a stationary sound as noise within seconds and silences it.
     */
    private static synchronized String tone() throws IOException {
        java.nio.file.Path wav = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "huddle-speech.wav");
        if (Files.exists(wav)) {
            return wav.toString();
        }
        int rate = 48_000;
        int samples = rate * 2;
        int syllable = rate / 4;
        int period = syllable + rate * 3 / 20;
        double[] pitch = {220, 330, 262, 392, 294};
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + samples * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(samples * 2);
        for (int i = 0; i < samples; i++) {
            int at = i % period;
            double value = 0;
            if (at < syllable) {
                double envelope = Math.sin(Math.PI * at / syllable); // rises and falls like a syllable
                value = envelope * Math.sin(2 * Math.PI * pitch[(i / period) % pitch.length] * i / rate) * 20_000;
            }
            b.putShort((short) value);
        }
        java.nio.file.Path tmp = Files.createTempFile("huddle-speech", ".wav");
        Files.write(tmp, b.array());
        Files.move(tmp, wav, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return wav.toString();
    }
}
