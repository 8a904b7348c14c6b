package dev.huddle.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One JSON object per line, for log collectors (Loki, Elasticsearch, Cloud Logging): {@code time} (ISO-8601, UTC,
 * milliseconds), {@code level} (ERROR, WARNING, INFO, DEBUG, TRACE: System.Logger's names), {@code service},
 * {@code node_id} (as on the metrics), {@code logger}, {@code room} and {@code peer} when the line is about them
 * ({@link RoomLog}), {@code message}, and {@code exception} (the stack trace) when there is one.
 */
public final class JsonLogFormatter extends Formatter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final String service;
    private final String nodeId;

    public JsonLogFormatter(String service, String nodeId) {
        this.service = service;
        this.nodeId = nodeId;
    }

    @Override
    public String format(LogRecord record) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("time", TIME.format(record.getInstant()));
            json.writeStringField("level", level(record.getLevel()));
            json.writeStringField("service", service);
            json.writeStringField("node_id", nodeId);
            json.writeStringField("logger", record.getLoggerName());
            if (record instanceof RoomLog.Line line) {
                if (line.room != null) {
                    json.writeStringField("room", line.room);
                }
                if (line.peer != null) {
                    json.writeStringField("peer", line.peer);
                }
            }
            json.writeStringField("message", formatMessage(record));
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                json.writeStringField("exception", trace.toString().stripTrailing());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.append('\n').toString();
    }

    /** The service and node this formatter names on every line. */
    public String service() {
        return service;
    }

    public String nodeId() {
        return nodeId;
    }

    private static String level(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        } else if (v >= Level.WARNING.intValue()) {
            return "WARNING";
        } else if (v >= Level.INFO.intValue()) {
            return "INFO";
        } else if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }
}
