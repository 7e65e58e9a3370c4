package io.parley.server.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code store.url}, parsed once when the configuration is loaded, so a bad URL fails the start with the key's name
 * and the store adapters receive parts instead of parsing text again.
 */
public sealed interface StoreUrl {

    /** {@code sqlite:} (the data dir's parley.db) or {@code sqlite:/path/to/file.db}. */
    record Sqlite(String file) implements StoreUrl {
        public Path file(Path dataDir) {
            return file.isEmpty() ? dataDir.resolve("parley.db") : Path.of(file);
        }
    }

    /**
     * {@code postgresql://[user[:password]@]host[:port]/database[?schema=name&...]} (also {@code postgres://}).
     * {@code port} is -1 when absent; {@code schema} null means the database's default search path; {@code params}
     * holds the other query parameters ("" or "?a=b&c=d") for the JDBC driver.
     */
    record Postgres(String host, int port, String database, String user, String password, String schema, String params)
            implements StoreUrl {
        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + (port > 0 ? ":" + port : "") + "/" + database + params;
        }

        @Override
        public String toString() {
            return "Postgres[" + host + (port > 0 ? ":" + port : "") + "/" + database + ", user=" + user + ", password="
                    + (password == null ? null : "***") + ", schema=" + schema + "]";
        }
    }

    /** @throws IllegalArgumentException with a message that says the expected shape */
    static StoreUrl parse(String url) {
        if (url.startsWith("sqlite:")) {
            return new Sqlite(url.substring("sqlite:".length()));
        }
        if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
            return postgres(url);
        }
        throw new IllegalArgumentException(
                "must start with sqlite: (e.g. 'sqlite:' or 'sqlite:/var/lib/parley/parley.db') "
                        + "or postgresql:// (e.g. 'postgresql://parley@db.internal:5432/parley')");
    }

    static Postgres postgres(String url) {
        URI u = URI.create(url.replaceFirst("^postgres(ql)?://", "postgresql://"));
        if (u.getHost() == null || u.getPath() == null || u.getPath().length() < 2) {
            throw new IllegalArgumentException("expected postgresql://[user[:password]@]host[:port]/database");
        }
        String user = null;
        String password = null;
        if (u.getRawUserInfo() != null) {
            String[] parts = u.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String schema = null;
        StringBuilder params = new StringBuilder();
        if (u.getRawQuery() != null) {
            for (String p : u.getRawQuery().split("&")) {
                if (p.startsWith("schema=")) {
                    schema = decode(p.substring("schema=".length()));
                } else if (!p.isEmpty()) {
                    params.append(params.length() == 0 ? "?" : "&").append(p);
                }
            }
        }
        if (schema != null && !schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("schema must be a plain identifier (letters, digits, '_')");
        }
        // The raw path keeps a percent-encoded database name as the driver expects it.
        return new Postgres(
                u.getHost(), u.getPort(), u.getRawPath().substring(1), user, password, schema, params.toString());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
