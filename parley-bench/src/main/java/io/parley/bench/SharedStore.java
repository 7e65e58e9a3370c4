package io.parley.bench;

import io.parley.server.store.jdbc.PostgresOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The store and bus the nodes of a multi-node run share: a PostgreSQL schema of the run's own (created by the first
 * node, dropped after a clean run) and a Redis key prefix of its own, so runs never see each other's data. Also reads
 * the database's commit counter, so the report can give PostgreSQL's commit rate during the measured window.
 */
final class SharedStore {
    private final String storeUrl;
    private final String redisUrl;
    private final String redisPrefix;
    private final PostgresOptions pg;

    private SharedStore(String storeUrl, String redisUrl, String redisPrefix, PostgresOptions pg) {
        this.storeUrl = storeUrl;
        this.redisUrl = redisUrl;
        this.redisPrefix = redisPrefix;
        this.pg = pg;
    }

    /** For {@code run}: the configured store and bus, with a schema and prefix named after the run. */
    static SharedStore of(BenchConfig c, String run) {
        String url = c.storeUrl();
        PostgresOptions pg = null;
        if (url.startsWith("postgres")) {
            if (!url.contains("schema=")) {
                url += (url.contains("?") ? "&" : "?") + "schema=bench_" + run.replace('-', '_');
            }
            pg = PostgresOptions.fromUrl(url, 1, 1);
        }
        return new SharedStore(url, c.redisUrl(), "bench-" + run, pg);
    }

    /** PARLEY_* settings for every node. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        if (!storeUrl.isEmpty()) {
            env.put("PARLEY_STORE_URL", storeUrl);
        }
        if (!redisUrl.isEmpty()) {
            env.put("PARLEY_REDIS_URL", redisUrl);
            env.put("PARLEY_REDIS_PREFIX", redisPrefix);
        }
        return env;
    }

    boolean postgres() {
        return pg != null;
    }

    /** Transactions committed in the database so far (all sessions), or -1 when the store is not PostgreSQL. */
    long commits() throws SQLException {
        if (pg == null) {
            return -1;
        }
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            // The statistics snapshot is per transaction: clear it so two reads in a row see fresh values.
            s.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs =
                    s.executeQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /**
     * Gathers the planner's statistics for the run's tables (PostgreSQL), as autovacuum does on a stock server within
     * a minute of a bulk load: the set-up has just made every user, conversation and member, and a schema that was
     * never analyzed makes PostgreSQL plan each connect's contact and receipt reads as scans of whole tables (seen
     * here, where the server runs with autovacuum off: a 95,000-connection ramp spent its time in hash joins over
     * {@code members}). Returns the tables analyzed (0: not PostgreSQL).
     */
    int analyze() throws SQLException {
        if (pg == null || pg.schema() == null) {
            return 0;
        }
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            java.util.List<String> tables = new java.util.ArrayList<>();
            try (java.sql.PreparedStatement ps =
                    c.prepareStatement("SELECT tablename FROM pg_tables WHERE schemaname = ?")) {
                ps.setString(1, pg.schema());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
            }
            for (String t : tables) {
                s.execute("ANALYZE \"" + pg.schema() + "\".\"" + t + "\"");
            }
            return tables.size();
        }
    }

    /** Drops the run's schema (PostgreSQL). */
    void drop() throws SQLException {
        if (pg == null || pg.schema() == null) {
            return;
        }
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + pg.schema() + "\" CASCADE");
        }
    }

    @Override
    public String toString() {
        return (storeUrl.isEmpty() ? "each node's own SQLite" : storeUrl.replaceAll("//[^@/]*@", "//"))
                + (redisUrl.isEmpty() ? "" : ", Redis " + redisUrl + " prefix " + redisPrefix);
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    }
}
