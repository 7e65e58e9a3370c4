package io.parley.server.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/** What both formats share: the UTC timestamp, level names, the message and the fields of a record. */
final class Lines {
    /** ISO-8601 in UTC with milliseconds and the zone, always the same width: 2026-05-01T09:30:00.120Z. */
    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Lines() {}

    /** The level names of {@code log.level}: error, warn, info, debug, trace. */
    static String level(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (v >= Level.WARNING.intValue()) {
            return "warn";
        }
        if (v >= Level.INFO.intValue()) {
            return "info";
        }
        if (v >= Level.FINE.intValue()) {
            return "debug";
        }
        return "trace";
    }

    /** The java.util.logging level of a {@code log.level} name (validated by the config loader). */
    static Level julLevel(String name) {
        return switch (name) {
            case "off" -> Level.OFF;
            case "error" -> Level.SEVERE;
            case "warn" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> throw new IllegalArgumentException("unknown log level '" + name + "'");
        };
    }

    /** The structured fields of a record written through {@link Log}, or null. */
    static Fields fields(LogRecord r) {
        Object[] p = r.getParameters();
        return p != null && p.length == 1 && p[0] instanceof Fields f ? f : null;
    }

    /** The message: as is for structured records, else with its {0}-style parameters filled in. */
    static String message(Formatter formatter, LogRecord r) {
        if (fields(r) != null) {
            return r.getMessage();
        }
        String m = formatter.formatMessage(r);
        return m == null ? "" : m;
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        try (PrintWriter p = new PrintWriter(w)) {
            t.printStackTrace(p);
        }
        return w.toString();
    }
}
