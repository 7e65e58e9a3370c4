package io.parley.server.store.jdbc;

import io.parley.server.config.StoreUrl;

/**
 * How to reach PostgreSQL: a JDBC URL with credentials, the schema to use (created when missing; null: the
 * database's default search path), the pool size (reader threads plus the writers), the group-commit batch size, and
 * the writer lanes ({@code store.writers}: each a thread and a connection, conversations hashed to them).
 */
public record PostgresOptions(
        String jdbcUrl, String user, String password, String schema, int poolSize, int maxBatch, int writers) {

    /** From the parsed {@code store.url} (config parses it once; see {@link StoreUrl#parse}), with one writer. */
    public static PostgresOptions of(StoreUrl.Postgres url, int poolSize, int maxBatch) {
        return of(url, poolSize, maxBatch, 1);
    }

    /** As {@link #of(StoreUrl.Postgres, int, int)} with {@code writers} writer lanes. */
    public static PostgresOptions of(StoreUrl.Postgres url, int poolSize, int maxBatch, int writers) {
        return new PostgresOptions(
                url.jdbcUrl(), url.user(), url.password(), url.schema(), poolSize, maxBatch, writers);
    }

    /**
     * Parses {@code postgresql://[user[:password]@]host[:port]/database[?schema=name]} (also {@code postgres://}).
     * Other query parameters are passed to the JDBC driver.
     */
    public static PostgresOptions fromUrl(String url, int poolSize, int maxBatch) {
        return of(StoreUrl.postgres(url), poolSize, maxBatch);
    }

    /** Connections for reads: all of the pool but the writers'. */
    public int readers() {
        return Math.max(1, poolSize - writers);
    }
}
