package io.parley.server.log;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A logger for structured lines: an event name (the line's {@code msg}) and named fields. Ordinary messages keep
 * going through SLF4J; this is for the lines operators query by field (requests, auth failures, admin actions,
 * deliveries). A disabled level costs one comparison and allocates nothing when the caller checks
 * {@link #enabled(Level)} first for fields that cost to compute.
 */
public final class Log {
    private final Logger logger;

    private Log(Logger logger) {
        this.logger = logger;
    }

    /** The logger of this name ({@code io.parley.auth}); its level follows {@code log.level.<name>} and its parents. */
    public static Log named(String name) {
        return new Log(Logger.getLogger(name));
    }

    public String name() {
        return logger.getName();
    }

    public boolean enabled(Level level) {
        return logger.isLoggable(level);
    }

    public void warn(String event, Object... keyValues) {
        log(Level.WARNING, event, keyValues);
    }

    public void info(String event, Object... keyValues) {
        log(Level.INFO, event, keyValues);
    }

    public void debug(String event, Object... keyValues) {
        log(Level.FINE, event, keyValues);
    }

    void log(Level level, String event, Object[] keyValues) {
        if (!logger.isLoggable(level)) {
            return;
        }
        LogRecord r = new LogRecord(level, event);
        r.setLoggerName(logger.getName());
        r.setParameters(new Object[] {new Fields(keyValues)});
        logger.log(r);
    }
}
