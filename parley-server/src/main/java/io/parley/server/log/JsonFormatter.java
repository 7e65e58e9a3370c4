package io.parley.server.log;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line: {@code ts} (UTC, ISO-8601 with Z), {@code level}, {@code logger}, {@code msg}, then
 * {@code fields} for structured lines and {@code error} ({@code type}, {@code message}, {@code stack}) when the record
 * carries an exception. Line breaks inside values are escaped, so one record is always one line.
 */
public final class JsonFormatter extends Formatter {

    @Override
    public String format(LogRecord r) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"ts\":\"");
        Lines.TIME.formatTo(r.getInstant(), b);
        b.append("\",\"level\":\"").append(Lines.level(r.getLevel())).append("\",\"logger\":");
        string(b, r.getLoggerName() == null ? "" : r.getLoggerName());
        b.append(",\"msg\":");
        string(b, Lines.message(this, r));
        Fields f = Lines.fields(r);
        if (f != null) {
            b.append(",\"fields\":{");
            for (int i = 0; i < f.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                string(b, f.key(i));
                b.append(':');
                value(b, f.value(i));
            }
            b.append('}');
        }
        Throwable t = r.getThrown();
        if (t != null) {
            b.append(",\"error\":{\"type\":");
            string(b, t.getClass().getName());
            b.append(",\"message\":");
            if (t.getMessage() == null) {
                b.append("null");
            } else {
                string(b, t.getMessage());
            }
            b.append(",\"stack\":");
            string(b, Lines.stackTrace(t));
            b.append('}');
        }
        return b.append("}\n").toString();
    }

    private static void value(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean
                || v instanceof Integer
                || v instanceof Long
                || v instanceof Short
                || v instanceof Byte) {
            b.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                b.append(v);
            } else {
                string(b, v.toString());
            }
        } else {
            string(b, v.toString());
        }
    }

    /** A JSON string: quotes, backslashes and every control character escaped. */
    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
