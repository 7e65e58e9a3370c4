package io.parley.server.log;

import java.util.logging.Level;

/**
 * One line per HTTP request at debug on {@code io.parley.access} ({@code log.level.io.parley.access=debug} turns
 * them on): {@code http_request} with {@code method}, {@code path} (never the query string, which may carry a
 * token), {@code status}, {@code duration_ms}, {@code user} when the request was authenticated, and {@code remote}.
 * Off, it costs the request one level check.
 */
public final class AccessLog {
    private static final Log LOG = Log.named("io.parley.access");

    private AccessLog() {}

    public static boolean enabled() {
        return LOG.enabled(Level.FINE);
    }

    public static void request(String method, String path, int status, double durationMs, String user, String remote) {
        LOG.debug(
                "http_request",
                "method",
                method,
                "path",
                path,
                "status",
                status,
                "duration_ms",
                Math.round(durationMs * 1000) / 1000.0,
                "user",
                user,
                "remote",
                remote);
    }
}
