package dev.huddle.service;

import java.lang.System.Logger.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logs a line about a room and/or a peer (a join, a leave, a kick, a resume, a command that failed): the JSON log
 * format ({@link JsonLogFormatter}) writes them as the fields {@code room} and {@code peer}, so that an operator can
 * find everything about one call or one participant; the text format shows the message alone, which names them too.
 *
 * <p>They travel in the log record itself ({@link Line}), not in the message's parameters, which the formatters
 * would run through {@code MessageFormat} and so mangle a room name with quotes or braces.
 */
public final class RoomLog {
    private RoomLog() {
    }

    /** A log record that is about {@code room} and/or {@code peer} (either may be null). */
    static final class Line extends LogRecord {
        final String room;
        final String peer;

        Line(java.util.logging.Level level, String message, String room, String peer) {
            super(level, message);
            this.room = room;
            this.peer = peer;
        }
    }

    public static void log(System.Logger logger, Level level, String room, String peer, String message) {
        log(logger, level, room, peer, message, null);
    }

    public static void log(System.Logger logger, Level level, String room, String peer, String message,
                           Throwable thrown) {
        if (!logger.isLoggable(level)) {
            return;
        }
        Line line = new Line(jul(level), message, room, peer);
        line.setLoggerName(logger.getName());
        line.setSourceClassName(logger.getName()); // known: no stack walk to find the caller
        line.setThrown(thrown);
        Logger.getLogger(logger.getName()).log(line);
    }

    /** As the JDK maps System.Logger's levels onto java.util.logging's. */
    private static java.util.logging.Level jul(Level level) {
        return switch (level) {
            case ALL -> java.util.logging.Level.ALL;
            case TRACE -> java.util.logging.Level.FINER;
            case DEBUG -> java.util.logging.Level.FINE;
            case INFO -> java.util.logging.Level.INFO;
            case WARNING -> java.util.logging.Level.WARNING;
            case ERROR -> java.util.logging.Level.SEVERE;
            case OFF -> java.util.logging.Level.OFF;
        };
    }
}
