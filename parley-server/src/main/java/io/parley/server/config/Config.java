package io.parley.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole server configuration: immutable, validated once by {@link ConfigLoader}. Defaults live in
 * {@link ConfigLoader#DEFAULTS} and in docs/operations.md.
 */
public record Config(Http http, Path dataDir, Store store, Auth auth, WebSocket ws, Limits limits) {

    public record Http(String host, int port) {}

    /**
     * Where messages live. {@code url} is {@code sqlite:} (the file parley.db under the data dir),
     * {@code sqlite:/path/to/file.db}, or (cluster issue) {@code postgresql://...}.
     */
    public record Store(String url, boolean fsync, int maxBatch, int readers) {

        public boolean isSqlite() {
            return url.startsWith("sqlite:");
        }

        /** The SQLite database file for a {@code sqlite:} URL. */
        public Path sqliteFile(Path dataDir) {
            String rest = url.substring("sqlite:".length());
            return rest.isEmpty() ? dataDir.resolve("parley.db") : Path.of(rest);
        }
    }

    /**
     * Token settings. {@code jwtSecret} null means: generate one on first start and keep it in the data dir.
     * {@code issuer}/{@code audience} are checked on incoming tokens when set, and written into tokens Parley issues.
     */
    public record Auth(String jwtSecret, String issuer, String audience, Duration tokenTtl,
                       boolean registrationEnabled, int bcryptCost) {}

    /**
     * WebSocket gateway. {@code allowedOrigins} empty means same-origin only; {@code "*"} allows any origin.
     * Requests without an Origin header (non-browser clients) are always allowed.
     */
    public record WebSocket(List<String> allowedOrigins, Duration heartbeatInterval, Duration idleTimeout,
                            Duration authTimeout, int maxOutboundBytes, int syncPageSize, int maxSyncBuffer) {}

    /** Input limits; violations get documented error codes. */
    public record Limits(int maxFrameBytes, int maxBodyChars, int maxGroupSize, int maxPageSize,
                         int defaultPageSize) {}

    /** A copy with another HTTP port (tests use port 0). */
    public Config withPort(int port) {
        return new Config(new Http(http.host(), port), dataDir, store, auth, ws, limits);
    }
}
