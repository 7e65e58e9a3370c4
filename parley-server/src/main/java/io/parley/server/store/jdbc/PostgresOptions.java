package io.parley.server.store.jdbc;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * How to reach PostgreSQL: a JDBC URL with credentials, the schema to use (created when missing; null: the
 * database's default search path), the pool size (reader threads plus the writer), and the group-commit batch size.
 */
public record PostgresOptions(String jdbcUrl, String user, String password, String schema, int poolSize, int maxBatch) {

    /**
     * Parses {@code postgresql://[user[:password]@]host[:port]/database[?schema=name]} (also {@code postgres://}).
     * Other query parameters are passed to the JDBC driver.
     */
    public static PostgresOptions fromUrl(String url, int poolSize, int maxBatch) {
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
        String jdbc = "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getRawPath()
                + params;
        return new PostgresOptions(jdbc, user, password, schema, poolSize, maxBatch);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Connections for reads: all of the pool but the writer's. */
    public int readers() {
        return Math.max(1, poolSize - 1);
    }
}
