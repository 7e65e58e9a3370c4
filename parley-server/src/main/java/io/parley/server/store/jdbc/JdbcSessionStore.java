package io.parley.server.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.parley.server.store.DeviceSession;
import io.parley.server.store.PushDevice;
import io.parley.server.store.RefreshOutcome;
import io.parley.server.store.Revocation;
import io.parley.server.store.SessionStore;
import io.parley.server.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * {@link SessionStore} on JDBC: one thread with one connection of its own, beside the chat store's writer (sessions
 * change at the pace of logins and token refreshes, not messages, so they take no place in the group commit). Open it
 * after {@link JdbcChatStore}, which migrates the schema. On SQLite its transactions start IMMEDIATE, so a
 * read-then-write never meets the chat writer's lock halfway; on PostgreSQL the single-use check is the row count of
 * a conditional UPDATE, so two nodes exchanging one token cannot both win.
 */
public final class JdbcSessionStore implements SessionStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcSessionStore.class);
    static final String THREAD_NAME = "parley-sessions";

    @FunctionalInterface
    interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final ConnectionFactory factory;
    private final AutoCloseable pool;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, THREAD_NAME);
        t.setDaemon(true);
        return t;
    });
    /** Owned by the store's thread. */
    private Connection connection;

    private volatile boolean closed;

    /**
     * SQLite: autocommit on, and each transaction is an explicit BEGIN IMMEDIATE ... COMMIT (the driver's own
     * transactions begin again right after each commit, which would hold the write lock between tasks).
     */
    private final boolean sqlite;
    /** SQLite: a BEGIN is open (a failed BEGIN leaves nothing to roll back). Owned by the store's thread. */
    private boolean begun;

    private JdbcSessionStore(ConnectionFactory factory, AutoCloseable pool, boolean sqlite) {
        this.factory = factory;
        this.pool = pool;
        this.sqlite = sqlite;
    }

    private void exec(String sql) throws SQLException {
        try (java.sql.Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    /** On the SQLite database {@link JdbcChatStore#openSqlite} opened (and migrated). */
    public static JdbcSessionStore openSqlite(Path dbFile) {
        String url = "jdbc:sqlite:" + dbFile.toAbsolutePath();
        SQLiteConfig c = new SQLiteConfig();
        c.setBusyTimeout(10_000);
        c.enforceForeignKeys(true);
        return new JdbcSessionStore(() -> DriverManager.getConnection(url, c.toProperties()), null, true);
    }

    /** On the PostgreSQL database {@link JdbcChatStore#openPostgres} opened (and migrated): a pool of one. */
    public static JdbcSessionStore openPostgres(PostgresOptions options) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(options.jdbcUrl());
        hc.setUsername(options.user());
        hc.setPassword(options.password());
        hc.setMaximumPoolSize(1);
        hc.setMinimumIdle(1);
        hc.setPoolName("parley-pg-sessions");
        hc.setConnectionTimeout(10_000);
        hc.setInitializationFailTimeout(10_000);
        if (options.schema() != null) {
            hc.setSchema(options.schema());
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "cannot connect to PostgreSQL at " + options.jdbcUrl() + ": " + e.getMessage(), e);
        }
        return new JdbcSessionStore(ds::getConnection, ds, false);
    }

    // ---- plumbing --------------------------------------------------------------------------------------------------

    /** Runs {@code work} in one transaction on the store's thread; a broken connection is reopened next time. */
    private <T> CompletableFuture<T> tx(Work<T> work) {
        if (closed) {
            return CompletableFuture.failedFuture(new StoreException.Closed());
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    if (connection == null || connection.isClosed()) {
                        connection = factory.open();
                        connection.setAutoCommit(sqlite);
                    }
                    T value;
                    try {
                        if (sqlite) {
                            exec("BEGIN IMMEDIATE");
                            begun = true;
                        }
                        value = work.run(connection);
                        if (sqlite) {
                            exec("COMMIT");
                            begun = false;
                        } else {
                            connection.commit();
                        }
                    } catch (SQLException | RuntimeException e) {
                        rollback(e);
                        throw e;
                    }
                    result.complete(value);
                } catch (SQLException e) {
                    result.completeExceptionally(e);
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StoreException.Closed());
        }
        return result;
    }

    private void rollback(Exception cause) {
        try {
            if (sqlite) {
                if (begun) {
                    begun = false;
                    exec("ROLLBACK");
                }
            } else {
                connection.rollback();
            }
        } catch (SQLException e) {
            cause.addSuppressed(e);
            // The connection is unusable: drop it, the next task opens another.
            try {
                connection.close();
            } catch (SQLException closing) {
                cause.addSuppressed(closing);
            }
            connection = null;
        }
    }

    private static DeviceSession session(ResultSet rs) throws SQLException {
        long revoked = rs.getLong(10);
        return new DeviceSession(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getString(7),
                rs.getString(8),
                rs.getInt(9) != 0,
                rs.wasNull() ? 0 : revoked);
    }

    private static Optional<DeviceSession> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SessionSql.sessionById)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(session(rs)) : Optional.empty();
            }
        }
    }

    private static void nullable(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }

    private static void insert(Connection c, DeviceSession s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SessionSql.insertSession)) {
            ps.setString(1, s.id());
            ps.setString(2, s.userId());
            nullable(ps, 3, s.name());
            nullable(ps, 4, s.platform());
            ps.setLong(5, s.createdAt());
            ps.setLong(6, s.lastSeenAt());
            nullable(ps, 7, s.ip());
            nullable(ps, 8, s.userAgent());
            ps.setInt(9, s.external() ? 1 : 0);
            ps.executeUpdate();
        }
    }

    private static void insertRefresh(Connection c, String hash, String sessionId, long now, long expiresAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SessionSql.insertRefresh)) {
            ps.setString(1, hash);
            ps.setString(2, sessionId);
            ps.setLong(3, now);
            ps.setLong(4, expiresAt);
            ps.executeUpdate();
        }
    }

    /** Appends to the log (RETURNING: the id this insert took, whatever other nodes insert meanwhile). */
    static Revocation revocation(Connection c, Revocation.Kind kind, String target, String userId, long at)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SessionSql.insertRevocation)) {
            ps.setString(1, kind.column());
            ps.setString(2, target);
            ps.setString(3, userId);
            ps.setLong(4, at);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the revocation insert returned no id");
                }
                return new Revocation(rs.getLong(1), kind, target, userId, at);
            }
        }
    }

    /** Marks the session revoked, removes its devices and logs it; empty when it was not the user's live session. */
    private static Optional<Revocation> revoke(Connection c, String userId, String sessionId, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SessionSql.revokeSession)) {
            ps.setLong(1, now);
            ps.setString(2, sessionId);
            ps.setString(3, userId);
            if (ps.executeUpdate() == 0) {
                return Optional.empty();
            }
        }
        try (PreparedStatement ps = c.prepareStatement(SessionSql.deleteDevicesOfSession)) {
            ps.setString(1, sessionId);
            ps.executeUpdate();
        }
        return Optional.of(revocation(c, Revocation.Kind.SESSION, sessionId, userId, now));
    }

    private static List<DeviceSession> live(Connection c, String userId) throws SQLException {
        List<DeviceSession> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SessionSql.liveSessionsOfUser)) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(session(rs));
                }
            }
        }
        return out;
    }

    // ---- the seam --------------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> createSession(DeviceSession session, String refreshHash, long refreshExpiresAt) {
        return tx(c -> {
            insert(c, session);
            insertRefresh(c, refreshHash, session.id(), session.createdAt(), refreshExpiresAt);
            return null;
        });
    }

    @Override
    public CompletableFuture<DeviceSession> ensureSession(DeviceSession session) {
        return tx(c -> {
            insert(c, session);
            return find(c, session.id()).orElseThrow(() -> new SQLException("session " + session.id() + " vanished"));
        });
    }

    @Override
    public CompletableFuture<Void> touch(String sessionId, long nowMillis) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(SessionSql.touch)) {
                ps.setLong(1, nowMillis);
                ps.setString(2, sessionId);
                ps.setLong(3, nowMillis);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<RefreshOutcome> rotateRefreshToken(
            String presentedHash, String newHash, long nowMillis, long newExpiresAt, long reuseGraceMillis) {
        return tx(c -> {
            String sessionId;
            long expiresAt;
            boolean used;
            long usedAt;
            try (PreparedStatement ps = c.prepareStatement(SessionSql.refreshByHash)) {
                ps.setString(1, presentedHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new RefreshOutcome(RefreshOutcome.Result.UNKNOWN, null, null);
                    }
                    sessionId = rs.getString(1);
                    expiresAt = rs.getLong(2);
                    usedAt = rs.getLong(3);
                    used = !rs.wasNull();
                }
            }
            DeviceSession s = find(c, sessionId).orElseThrow(() -> new SQLException("no session " + sessionId));
            if (s.revoked()) {
                return new RefreshOutcome(RefreshOutcome.Result.REVOKED, s, null);
            }
            if (!used) {
                if (expiresAt <= nowMillis) {
                    return new RefreshOutcome(RefreshOutcome.Result.EXPIRED, s, null);
                }
                try (PreparedStatement ps = c.prepareStatement(SessionSql.useRefresh)) {
                    ps.setLong(1, nowMillis);
                    ps.setString(2, presentedHash);
                    used = ps.executeUpdate() == 0;
                }
                // Lost a race to a concurrent exchange, which used it just now.
                usedAt = nowMillis;
            }
            // Within the grace of its first use the device most likely never got the answer: another pair.
            if (used && nowMillis - usedAt >= reuseGraceMillis) {
                Revocation r = revoke(c, s.userId(), s.id(), nowMillis).orElse(null);
                return new RefreshOutcome(RefreshOutcome.Result.REUSED, s, r);
            }
            insertRefresh(c, newHash, s.id(), nowMillis, newExpiresAt);
            return new RefreshOutcome(RefreshOutcome.Result.ROTATED, s, null);
        });
    }

    @Override
    public CompletableFuture<List<DeviceSession>> sessions(String userId) {
        return tx(c -> live(c, userId));
    }

    @Override
    public CompletableFuture<Optional<DeviceSession>> session(String sessionId) {
        return tx(c -> find(c, sessionId));
    }

    @Override
    public CompletableFuture<Optional<Revocation>> revokeSession(String userId, String sessionId, long nowMillis) {
        return tx(c -> revoke(c, userId, sessionId, nowMillis));
    }

    @Override
    public CompletableFuture<List<Revocation>> revokeOtherSessions(
            String userId, String keepSessionId, long nowMillis) {
        return tx(c -> {
            List<Revocation> out = new ArrayList<>();
            for (DeviceSession s : live(c, userId)) {
                if (!s.id().equals(keepSessionId)) {
                    revoke(c, userId, s.id(), nowMillis).ifPresent(out::add);
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<List<Revocation>> revokeUser(String userId, long nowMillis) {
        return tx(c -> {
            List<Revocation> out = new ArrayList<>();
            for (DeviceSession s : live(c, userId)) {
                revoke(c, userId, s.id(), nowMillis).ifPresent(out::add);
            }
            out.add(revocation(c, Revocation.Kind.USER, userId, userId, nowMillis));
            return out;
        });
    }

    @Override
    public CompletableFuture<List<Revocation>> revocationsSince(long sinceMillis) {
        return tx(c -> {
            List<Revocation> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SessionSql.revocationsSince)) {
                ps.setLong(1, sinceMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Revocation(
                                rs.getLong(1),
                                Revocation.Kind.of(rs.getString(2)),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getLong(5)));
                    }
                }
            }
            return out;
        });
    }

    // ---- push devices ----------------------------------------------------------------------------------------------

    private static PushDevice device(ResultSet rs) throws SQLException {
        return new PushDevice(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                PushDevice.Platform.of(rs.getString(4)),
                rs.getString(5),
                rs.getLong(6));
    }

    @Override
    public CompletableFuture<PushDevice> addDevice(PushDevice d) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(SessionSql.liveSessionOfUser)) {
                ps.setString(1, d.sessionId());
                ps.setString(2, d.userId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new StoreException.NotFound("no live session " + d.sessionId());
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(SessionSql.upsertDevice)) {
                ps.setString(1, d.id());
                ps.setString(2, d.userId());
                ps.setString(3, d.sessionId());
                ps.setString(4, d.platform().wire());
                ps.setString(5, d.token());
                ps.setLong(6, d.createdAt());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(SessionSql.deviceByToken)) {
                ps.setString(1, d.platform().wire());
                ps.setString(2, d.token());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("device " + d.id() + " vanished");
                    }
                    return device(rs);
                }
            }
        });
    }

    @Override
    public CompletableFuture<List<PushDevice>> devices(String userId) {
        return tx(c -> {
            List<PushDevice> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SessionSql.devicesOfUser)) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(device(rs));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Boolean> removeDevice(String userId, String deviceId) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(SessionSql.deleteDevice)) {
                ps.setString(1, deviceId);
                ps.setString(2, userId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> removeDeviceToken(PushDevice.Platform platform, String token) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(SessionSql.deleteDeviceToken)) {
                ps.setString(1, platform.wire());
                ps.setString(2, token);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("the session store's thread did not finish within 5 s");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The thread is done: its connection can be closed from here.
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.warn("closing the session store's connection failed", e);
            }
        }
        if (pool != null) {
            try {
                pool.close();
            } catch (Exception e) {
                LOG.warn("closing the session store's pool failed", e);
            }
        }
    }
}
