package dev.huddle.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a log collector reads from a service in k8s: one valid JSON object per line, with the fields it indexes. */
class JsonLogFormatterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonLogFormatter formatter = new JsonLogFormatter("rooms", "rooms-7d9f-abc");

    /** The formatter's output for one record: exactly one line, and that line one JSON object. */
    private JsonNode line(LogRecord record) throws Exception {
        String out = formatter.format(record);
        assertTrue(out.endsWith("\n"), out);
        assertFalse(out.substring(0, out.length() - 1).contains("\n"), "one line per record: " + out);
        JsonNode node = JSON.readTree(out);
        assertTrue(node.isObject(), out);
        return node;
    }

    @Test
    void aLineHasTimeLevelServiceNodeLoggerAndMessage() throws Exception {
        LogRecord r = new LogRecord(java.util.logging.Level.WARNING, "Consumer loop rooms failed");
        r.setLoggerName("dev.huddle.kafka.ConsumerLoop");
        r.setInstant(Instant.parse("2026-12-05T18:07:32.123456Z"));
        JsonNode line = line(r);
        assertThat(line.path("time").asText(), is("2026-12-05T18:07:32.123Z"));
        assertThat(line.path("level").asText(), is("WARNING"));
        assertThat(line.path("service").asText(), is("rooms"));
        assertThat(line.path("node_id").asText(), is("rooms-7d9f-abc"));
        assertThat(line.path("logger").asText(), is("dev.huddle.kafka.ConsumerLoop"));
        assertThat(line.path("message").asText(), is("Consumer loop rooms failed"));
        assertFalse(line.has("room") || line.has("peer") || line.has("exception"), line.toString());
    }

    @Test
    void levelsAreSystemLoggerNames() throws Exception {
        Map<java.util.logging.Level, String> names = Map.of(java.util.logging.Level.SEVERE, "ERROR",
                java.util.logging.Level.WARNING, "WARNING", java.util.logging.Level.INFO, "INFO",
                java.util.logging.Level.FINE, "DEBUG", java.util.logging.Level.FINEST, "TRACE");
        for (var e : names.entrySet()) {
            assertThat(line(new LogRecord(e.getKey(), "x")).path("level").asText(), is(e.getValue()));
        }
    }

    @Test
    void messagesWithQuotesNewlinesControlAndNonAsciiCharactersStayOneValidLine() throws Exception {
        String message = "Room 'a\"b' {0}\\ line1\nline2\r\ttab \u0001 Zoë 日本 \uD83D\uDE00";
        LogRecord r = new LogRecord(java.util.logging.Level.INFO, message);
        assertThat(line(r).path("message").asText(), is(message));
    }

    @Test
    void anExceptionIsItsStackTraceInOneField() throws Exception {
        LogRecord r = new LogRecord(java.util.logging.Level.SEVERE, "Command join c-1 failed");
        r.setThrown(new IllegalStateException("bad state\nsecond line"));
        JsonNode line = line(r);
        String exception = line.path("exception").asText();
        assertThat(exception, startsWith("java.lang.IllegalStateException: bad state\nsecond line"));
        assertThat(exception, containsString("at dev.huddle.service.JsonLogFormatterTest"));
        assertThat(line.path("level").asText(), is("ERROR"));
    }

    @Test
    void roomAndPeerAreFieldsWhenTheLineIsAboutThem() throws Exception {
        List<LogRecord> records = capture("test.roomlog", () -> {
            System.Logger log = System.getLogger("test.roomlog");
            RoomLog.log(log, Level.INFO, "Room {0} 'x'", "p-42", "Peer p-42 joined room 'Room {0} 'x''");
            RoomLog.log(log, Level.INFO, null, "p-43", "Peer p-43 disconnected");
            RoomLog.log(log, Level.ERROR, "r", null, "Command failed", new RuntimeException("boom"));
            RoomLog.log(log, Level.DEBUG, "r", "p", "not logged at INFO");
        });
        assertThat(records.size(), is(3));
        JsonNode joined = line(records.get(0));
        assertThat(joined.path("room").asText(), is("Room {0} 'x'"));
        assertThat(joined.path("peer").asText(), is("p-42"));
        assertThat(joined.path("message").asText(), is("Peer p-42 joined room 'Room {0} 'x''")); // not MessageFormat'd
        assertThat(joined.path("logger").asText(), is("test.roomlog"));
        JsonNode disconnected = line(records.get(1));
        assertFalse(disconnected.has("room"), disconnected.toString());
        assertThat(disconnected.path("peer").asText(), is("p-43"));
        JsonNode failed = line(records.get(2));
        assertThat(failed.path("room").asText(), is("r"));
        assertFalse(failed.has("peer"), failed.toString());
        assertThat(failed.path("level").asText(), is("ERROR"));
        assertThat(failed.path("exception").asText(), startsWith("java.lang.RuntimeException: boom"));
    }

    @Test
    void logFormatJsonPutsTheFormatterOnTheRootHandlersAndTextLeavesThem() {
        Logger root = Logger.getLogger("");
        Handler console = new java.util.logging.StreamHandler(); // as logging.properties' ConsoleHandler
        java.util.logging.Formatter text = console.getFormatter();
        Map<Handler, java.util.logging.Formatter> before = new java.util.HashMap<>();
        for (Handler h : root.getHandlers()) {
            before.put(h, h.getFormatter());
        }
        root.addHandler(console);
        try {
            Logging.configure(config("text"), new Instance("rooms", "rooms-1", "dev", 0));
            assertThat(console.getFormatter(), is(text));
            Logging.configure(config("json"), new Instance("rooms", "rooms-1", "dev", 0));
            // a second service in the same JVM does not rename the lines
            Logging.configure(config("JSON"), new Instance("gateway", "gateway-2", "dev", 0));
            assertThat(console.getFormatter(), instanceOf(JsonLogFormatter.class));
            assertThat(((JsonLogFormatter) console.getFormatter()).nodeId(), is("rooms-1"));
            assertThat(((JsonLogFormatter) console.getFormatter()).service(), is("rooms"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Logging.configure(config("xml"), new Instance("rooms", "rooms-1", "dev", 0)));
            assertThat(e.getMessage(), containsString("text or json"));
        } finally {
            root.removeHandler(console);
            before.forEach(Handler::setFormatter);
        }
    }

    private static Config config(String format) {
        return Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .addSource(ConfigSources.create(Map.of("log.format", format))).build();
    }

    /** The records {@code logger} publishes while {@code action} runs. */
    static List<LogRecord> capture(String logger, Runnable action) {
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public synchronized void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger jul = Logger.getLogger(logger);
        jul.addHandler(handler);
        try {
            action.run();
        } finally {
            jul.removeHandler(handler);
        }
        synchronized (handler) {
            return List.copyOf(records);
        }
    }
}
