package io.parley.server.log;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Readable lines for a terminal: {@code 2026-05-01T09:30:00.120Z INFO  io.parley.auth: auth_failure
 * transport=rest reason="token expired"}, then the stack trace of an exception on the lines after.
 */
public final class TextFormatter extends Formatter {

    @Override
    public String format(LogRecord r) {
        StringBuilder b = new StringBuilder(160);
        Lines.TIME.formatTo(r.getInstant(), b);
        b.append(' ');
        String level = Lines.level(r.getLevel()).toUpperCase(java.util.Locale.ROOT);
        b.append(level);
        for (int i = level.length(); i < 6; i++) {
            b.append(' ');
        }
        b.append(r.getLoggerName()).append(": ").append(Lines.message(this, r));
        Fields f = Lines.fields(r);
        if (f != null) {
            appendFields(b, f);
        }
        b.append('\n');
        if (r.getThrown() != null) {
            b.append(Lines.stackTrace(r.getThrown()));
        }
        return b.toString();
    }

    /** {@code " key=value"} per field, a value quoted when it is empty or has spaces, quotes or '='. */
    static void appendFields(StringBuilder b, Fields f) {
        for (int i = 0; i < f.size(); i++) {
            b.append(' ').append(f.key(i)).append('=');
            Object v = f.value(i);
            String s = String.valueOf(v);
            if (v instanceof String && (s.isEmpty() || s.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '='))) {
                JsonFormatter.string(b, s);
            } else {
                b.append(s);
            }
        }
    }
}
