package io.parley.server;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records every line the in-process server logs at WARN or above (SLF4J over java.util.logging in this module), so a
 * test can assert that none carries a stack trace. Install with {@link #install()}, remove with {@link #close()}.
 */
final class ServerLogCapture extends Handler implements AutoCloseable {
    private final List<LogRecord> records = new ArrayList<>();

    static ServerLogCapture install() {
        ServerLogCapture c = new ServerLogCapture();
        c.setLevel(Level.WARNING);
        Logger.getLogger("").addHandler(c);
        return c;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        // The test's own OpenAPI validator (com.networknt) warns about the document's keywords: not the server.
        String name = record.getLoggerName() == null ? "" : record.getLoggerName();
        if (record.getLevel().intValue() >= Level.WARNING.intValue() && !name.startsWith("com.networknt")) {
            records.add(record);
        }
    }

    synchronized List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            out.add(r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage());
        }
        return out;
    }

    /** WARN-or-above records that carry a throwable (a stack trace in the log), as "logger: message: throwable". */
    synchronized List<String> stackTraces() {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            if (r.getThrown() != null) {
                out.add(r.getLoggerName() + ": " + r.getMessage() + ": " + r.getThrown());
            }
        }
        return out;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
