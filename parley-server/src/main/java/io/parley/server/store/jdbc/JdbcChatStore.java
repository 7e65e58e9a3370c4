package io.parley.server.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.parley.server.push.PushSettings;
import io.parley.server.push.PushStore;
import io.parley.server.search.SearchIndex;
import io.parley.server.store.Appended;
import io.parley.server.store.AttachmentStore;
import io.parley.server.store.AuditEntry;
import io.parley.server.store.Changed;
import io.parley.server.store.ChatStore;
import io.parley.server.store.CommitListener;
import io.parley.server.store.ConversationSummary;
import io.parley.server.store.Created;
import io.parley.server.store.Credentials;
import io.parley.server.store.LogEntry;
import io.parley.server.store.Member;
import io.parley.server.store.MessageVersion;
import io.parley.server.store.MessageView;
import io.parley.server.store.ModerationStore;
import io.parley.server.store.NewMessage;
import io.parley.server.store.ReceiptChange;
import io.parley.server.store.ReceiptUpdate;
import io.parley.server.store.Role;
import io.parley.server.store.StoreException;
import io.parley.server.store.User;
import io.parley.server.time.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.sqlite.SQLiteConfig;

/**
 * {@link ChatStore} on JDBC: one {@link Writer} with group commit for every write, and {@link Readers} (a small
 * fixed set of read connections, each owned by one thread) for reads. SQLite runs in WAL mode, so reads never wait
 * for the writer.
 */
public final class JdbcChatStore implements ChatStore {
    private final Writer writer;
    private final Readers readers;
    private final Queries q;
    private final WriteOps ops;
    private final ReceiptOps receiptOps;
    /** Consecutive appends of a batch, run together (PostgreSQL). */
    private final WriteGroup<NewMessage> appends;

    private final SqlDialect d;
    private final Clock clock = Clock.systemUTC();
    private volatile boolean closed;

    private final AutoCloseable pool;
    private final JdbcSearchIndex search;

    private JdbcChatStore(
            SqlDialect dialect,
            Writer writer,
            Readers readers,
            AutoCloseable pool,
            Writer.ConnectionFactory indexConnections) {
        this.pool = pool;
        this.search = new JdbcSearchIndex(dialect, writer, readers, indexConnections);
        this.d = dialect;
        this.writer = writer;
        this.readers = readers;
        this.q = new Queries(dialect);
        this.ops = new WriteOps(dialect, q);
        this.receiptOps = new ReceiptOps(dialect, q);
        this.appends = ops::appendMessages;
        this.attachments = new JdbcAttachments(writer, readers, ops, q);
        this.moderation = new JdbcModeration(writer, readers, ops, q);
        this.push = new JdbcPushStore(dialect, writer, readers);
        this.pushSettings = new JdbcPushSettings(writer, readers);
    }

    private final JdbcModeration moderation;

    /** Admins, bans with their audit, mutes and reports, on this store's writer and readers (ModerationStore). */
    public ModerationStore moderation() {
        return moderation;
    }

    private final JdbcPushStore push;
    private final JdbcPushSettings pushSettings;

    /** The users' notify levels and do-not-disturb (docs/api.md, "Notifications"). */
    public PushSettings pushSettings() {
        return pushSettings;
    }

    /** The push pipeline's rows, on this store's writer and readers (docs/architecture.md, "Push"). */
    public PushStore pushStore() {
        return push;
    }

    private final JdbcAttachments attachments;

    /** The attachments' rows, on this store's writer and readers (docs/api.md, "Attachments"). */
    public AttachmentStore attachments() {
        return attachments;
    }

    /**
     * Opens (creating and migrating when needed) the SQLite database at {@code dbFile}. Blocks while migrating: call
     * at start-up, not on an event loop. Refuses a database whose schema history has migrations this version does not
     * know (written by a newer Parley).
     */
    public static JdbcChatStore openSqlite(Path dbFile, SqliteOptions options, CommitListener listener) {
        return openSqlite(dbFile, options, listener, null);
    }

    /**
     * As {@link #openSqlite(Path, SqliteOptions, CommitListener)}, with the background checkpoints on
     * {@code checkpoints} (blocking tasks: give it a thread of its own), which stays the caller's; null: a thread of
     * the store's own.
     */
    public static JdbcChatStore openSqlite(
            Path dbFile, SqliteOptions options, CommitListener listener, Scheduler checkpoints) {
        try {
            Path parent = dbFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory for " + dbFile, e);
        }
        String url = "jdbc:sqlite:" + dbFile.toAbsolutePath();
        SqlDialect dialect = SqlDialect.SQLITE;
        Connection writerConnection = null;
        try {
            SQLiteConfig wc = new SQLiteConfig();
            wc.setJournalMode(SQLiteConfig.JournalMode.WAL);
            wc.setSynchronous(
                    options.fsync() ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
            wc.setBusyTimeout(10_000);
            wc.enforceForeignKeys(true);
            // A page cache large enough for the hot index pages of a busy node (SQLite's default is 2 MiB).
            wc.setCacheSize(-16_384);
            wc.setPragma(
                    SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(SqliteCheckpointer.WRITER_BACKSTOP_PAGES));
            writerConnection = DriverManager.getConnection(url, wc.toProperties());
            migrate(Flyway.configure().dataSource(url, null, null), dialect);
            Connection[] first = {writerConnection};
            Writer writer = new Writer(
                    dialect,
                    () -> {
                        // The connection opened above (it set WAL mode before the migration) is the writer's first.
                        if (first[0] != null) {
                            Connection c = first[0];
                            first[0] = null;
                            return c;
                        }
                        return DriverManager.getConnection(url, wc.toProperties());
                    },
                    listener,
                    options.maxBatch());
            SQLiteConfig rc = new SQLiteConfig();
            rc.setBusyTimeout(10_000);
            rc.setReadOnly(true);
            // The search index in a file of its own (SqliteSearchFile), checked against the store's log.
            SqliteSearchFile index = new SqliteSearchFile(dbFile, options.fsync());
            try (Connection check = DriverManager.getConnection(url, rc.toProperties())) {
                index.open(check);
            }
            Readers readers = new Readers(options.readers(), () -> {
                Connection c = DriverManager.getConnection(url, rc.toProperties());
                index.attach(c);
                return c;
            });
            SQLiteConfig cc = new SQLiteConfig();
            cc.setBusyTimeout(10_000);
            SqliteCheckpointer checkpointer =
                    new SqliteCheckpointer(DriverManager.getConnection(url, cc.toProperties()), checkpoints);
            return new JdbcChatStore(dialect, writer, readers, checkpointer, index::open);
        } catch (SQLException e) {
            closeQuietly(writerConnection, e);
            throw new IllegalStateException("cannot open SQLite store " + dbFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(writerConnection, e);
            throw e;
        }
    }

    /**
     * Opens the PostgreSQL store (creating the schema and migrating when needed) with a HikariCP pool: one connection
     * for the writer, the rest for the reader threads. Blocks while connecting and migrating: call at start-up. Several
     * nodes may open the same database; Flyway serialises their migrations with a lock.
     */
    public static JdbcChatStore openPostgres(PostgresOptions options, CommitListener listener) {
        SqlDialect dialect = SqlDialect.POSTGRESQL;
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(options.jdbcUrl());
        hc.setUsername(options.user());
        hc.setPassword(options.password());
        // One more than the writers and readers: the search indexer's connection.
        hc.setMaximumPoolSize(options.poolSize() + 1);
        hc.setMinimumIdle(1);
        hc.setPoolName("parley-pg");
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
        try {
            org.flywaydb.core.api.configuration.FluentConfiguration fc =
                    Flyway.configure().dataSource(ds);
            if (options.schema() != null) {
                fc = fc.schemas(options.schema()).createSchemas(true);
            }
            migrate(fc, dialect);
            Writer writer = new Writer(dialect, ds::getConnection, listener, options.maxBatch(), options.writers());
            Readers readers = new Readers(options.readers(), ds::getConnection);
            return new JdbcChatStore(dialect, writer, readers, ds, ds::getConnection);
        } catch (SQLException | RuntimeException e) {
            ds.close();
            throw new IllegalStateException(
                    "cannot open PostgreSQL store " + options.jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    private static void migrate(org.flywaydb.core.api.configuration.FluentConfiguration base, SqlDialect dialect) {
        Flyway flyway = base.locations(dialect.migrationLocation()).load();
        for (MigrationInfo m : flyway.info().all()) {
            // Flyway only warns about migrations applied by a newer version; running on a schema we do not know
            // could corrupt it, so refuse.
            if (m.getState().name().startsWith("FUTURE")) {
                throw new IllegalStateException("the database schema is at version " + m.getVersion() + " ("
                        + m.getDescription() + "), newer than this Parley knows; upgrade Parley or restore a backup");
            }
        }
        flyway.migrate();
    }

    private static void closeQuietly(Connection c, Exception primary) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                primary.addSuppressed(e);
            }
        }
    }

    // ---- users -----------------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<User> createUser(String id, String username, String passwordHash) {
        long now = clock.millis();
        return writer.submit(tx -> ops.createUser(tx, id, username, passwordHash, now));
    }

    @Override
    public CompletableFuture<User> provisionUser(String id) {
        long now = clock.millis();
        // Usually the user exists (a node meeting a known user for the first time, e.g. after a restart or behind a
        // load balancer): a read on a reader thread answers that without a write queued to the single writer, which a
        // reconnect wave of thousands of users would otherwise keep busy for seconds.
        return findUser(id)
                .thenCompose(found -> found.isPresent()
                        ? CompletableFuture.completedFuture(found.get())
                        : writer.submit(tx -> ops.provisionUser(tx, id, now)));
    }

    @Override
    public CompletableFuture<Optional<User>> findUser(String id) {
        return readers.read(sql -> q.userById(sql, id));
    }

    @Override
    public CompletableFuture<Optional<User>> findUserByUsername(String username) {
        return readers.read(sql -> q.user(sql, d.userByName, username));
    }

    @Override
    public CompletableFuture<User> setDisplayName(String userId, String displayName) {
        return writer.submit(tx -> ops.setDisplayName(tx, userId, displayName));
    }

    /** Users per last-seen read: the IN list has this many slots, the last id repeated to fill them. */
    private static final int LAST_SEEN_CHUNK = 50;

    private static final String LAST_SEEN_READ = "SELECT id, last_seen_at FROM users WHERE last_seen_at IS NOT NULL "
            + "AND id IN (" + String.join(", ", java.util.Collections.nCopies(LAST_SEEN_CHUNK, "?")) + ")";

    @Override
    public CompletableFuture<Void> recordLastSeen(java.util.Map<String, Long> seen) {
        if (seen.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return writer.submit(tx -> {
            PreparedStatement ps = tx.ps(
                    "UPDATE users SET last_seen_at = ? WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)");
            for (java.util.Map.Entry<String, Long> e : seen.entrySet()) {
                ps.setLong(1, e.getValue());
                ps.setString(2, e.getKey());
                ps.setLong(3, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
            return null;
        });
    }

    @Override
    public CompletableFuture<java.util.Map<String, Long>> lastSeen(java.util.Collection<String> userIds) {
        List<String> ids = List.copyOf(userIds);
        if (ids.isEmpty()) {
            return CompletableFuture.completedFuture(java.util.Map.of());
        }
        return readers.read(sql -> {
            java.util.Map<String, Long> out = new java.util.HashMap<>();
            PreparedStatement ps = sql.ps(LAST_SEEN_READ);
            for (int from = 0; from < ids.size(); from += LAST_SEEN_CHUNK) {
                for (int i = 0; i < LAST_SEEN_CHUNK; i++) {
                    ps.setString(i + 1, ids.get(Math.min(from + i, ids.size() - 1)));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<List<User>> searchUsers(String prefix, int limit) {
        return readers.read(sql -> q.searchUsers(sql, prefix, limit));
    }

    @Override
    public CompletableFuture<Optional<Credentials>> findCredentials(String username) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(d.credentials);
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(3) == null) {
                    return Optional.empty();
                }
                rs.getLong(4);
                boolean banned = !rs.wasNull();
                return Optional.of(new Credentials(rs.getString(1), rs.getString(2), rs.getString(3), banned));
            }
        });
    }

    @Override
    public CompletableFuture<Void> setPasswordHash(String userId, String passwordHash) {
        return writer.submit(tx -> {
            ops.setPasswordHash(tx, userId, passwordHash);
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> setBanned(String userId, boolean banned, long nowMillis) {
        return writer.submit(tx -> ops.setBanned(tx, userId, banned, nowMillis));
    }

    @Override
    public CompletableFuture<Set<String>> bannedUsers() {
        return readers.read(sql -> {
            Set<String> ids = new java.util.HashSet<>();
            try (ResultSet rs = sql.ps(d.bannedUsers).executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    // ---- conversations ---------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Created> getOrCreateDirect(String newId, String userA, String userB, long nowMillis) {
        return writer.submit(tx -> ops.getOrCreateDirect(tx, newId, userA, userB, nowMillis));
    }

    @Override
    public CompletableFuture<Created> createGroup(
            String newId, String ownerId, String title, List<String> memberIds, long nowMillis) {
        return writer.submit(tx -> ops.createGroup(tx, newId, ownerId, title, memberIds, nowMillis));
    }

    @Override
    public CompletableFuture<Created> createStranger(
            String newId, String userA, String aliasA, String userB, String aliasB, String title, long nowMillis) {
        return writer.submit(tx -> {
            Created c = ops.createGroup(tx, newId, userA, title, List.of(userB), nowMillis);
            PreparedStatement ps = tx.ps(d.insertStrangerAlias);
            for (String[] row : new String[][] {{userA, aliasA}, {userB, aliasB}}) {
                ps.setString(1, newId);
                ps.setString(2, row[0]);
                ps.setString(3, row[1]);
                ps.executeUpdate();
            }
            return c;
        });
    }

    @Override
    public CompletableFuture<Map<String, String>> strangerAliases(String conversationId) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(d.strangerAliases);
            ps.setString(1, conversationId);
            Map<String, String> out = new java.util.HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return Map.copyOf(out);
        });
    }

    @Override
    public CompletableFuture<Void> addMatchBlock(String userId, String blockedId, long nowMillis) {
        return writer.submit(tx -> {
            PreparedStatement ps = tx.ps(d.insertMatchBlock);
            ps.setString(1, userId);
            ps.setString(2, blockedId);
            ps.setLong(3, nowMillis);
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public CompletableFuture<Map<String, Set<String>>> matchBlocks() {
        return readers.read(sql -> {
            Map<String, Set<String>> out = new java.util.HashMap<>();
            try (ResultSet rs = sql.ps(d.matchBlocks).executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new java.util.HashSet<>())
                            .add(rs.getString(2));
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Optional<ConversationSummary>> findConversation(String conversationId, String userId) {
        return readers.read(sql -> q.summary(sql, conversationId, userId));
    }

    @Override
    public CompletableFuture<List<ConversationSummary>> listConversations(String userId) {
        return readers.read(sql -> q.conversationsOf(sql, userId));
    }

    @Override
    public CompletableFuture<Optional<Role>> roleOf(String conversationId, String userId) {
        return readers.read(sql -> q.roleOf(sql, conversationId, userId));
    }

    @Override
    public CompletableFuture<List<Member>> members(String conversationId, String userId) {
        return readers.read(sql -> {
            List<Member> members = q.members(sql, conversationId);
            if (members.stream().noneMatch(m -> m.userId().equals(userId))) {
                throw new StoreException.NotFound("conversation not found");
            }
            return members;
        });
    }

    @Override
    public CompletableFuture<List<LogEntry.MemberAdded>> addMembers(
            String conversationId, String actorId, List<String> userIds, long nowMillis) {
        return writer.submit(conversationId, tx -> ops.addMembers(tx, conversationId, actorId, userIds, nowMillis));
    }

    @Override
    public CompletableFuture<LogEntry.MemberRemoved> removeMember(
            String conversationId, String actorId, String memberId, long nowMillis) {
        return writer.submit(conversationId, tx -> ops.removeMember(tx, conversationId, actorId, memberId, nowMillis));
    }

    @Override
    public CompletableFuture<LogEntry.RoleChanged> setRole(
            String conversationId, String actorId, String memberId, Role role, long nowMillis) {
        return writer.submit(conversationId, tx -> ops.setRole(tx, conversationId, actorId, memberId, role, nowMillis));
    }

    @Override
    public CompletableFuture<LogEntry.ConversationRenamed> rename(
            String conversationId, String actorId, String title, long nowMillis) {
        return writer.submit(conversationId, tx -> ops.rename(tx, conversationId, actorId, title, nowMillis));
    }

    // ---- the log ---------------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Appended> appendMessage(NewMessage message) {
        if (ops.groupsAppends()) {
            return writer.submit(message.conversationId(), appends, message, tx -> ops.appendMessage(tx, message));
        }
        return writer.submit(message.conversationId(), tx -> ops.appendMessage(tx, message));
    }

    @Override
    public CompletableFuture<List<LogEntry>> eventsAfter(String conversationId, long afterSeq, int limit) {
        return readers.read(sql -> q.eventsAfter(sql, conversationId, afterSeq, limit));
    }

    @Override
    public CompletableFuture<List<LogEntry>> eventsBefore(String conversationId, long beforeSeq, int limit) {
        return readers.read(sql -> q.eventsBefore(sql, conversationId, beforeSeq, limit));
    }

    @Override
    public CompletableFuture<Map<String, Long>> lastSeqs(String userId) {
        return readers.read(sql -> q.lastSeqs(sql, userId));
    }

    @Override
    public CompletableFuture<Long> markRead(String conversationId, String userId, long seq) {
        return writer.submit(tx -> receiptOps.markRead(tx, conversationId, userId, seq));
    }

    // ---- message changes -------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Changed> editMessage(
            String conversationId,
            String actorId,
            String messageId,
            String body,
            long nowMillis,
            long editWindowMillis) {
        return writer.submit(
                conversationId,
                tx -> ops.editMessage(tx, conversationId, actorId, messageId, body, nowMillis, editWindowMillis));
    }

    @Override
    public CompletableFuture<Changed> deleteMessage(
            String conversationId, String actorId, String messageId, long nowMillis) {
        return writer.submit(
                conversationId, tx -> ops.deleteMessage(tx, conversationId, actorId, messageId, nowMillis));
    }

    @Override
    public CompletableFuture<Changed> react(
            String conversationId, String actorId, String messageId, String emoji, boolean add, long nowMillis) {
        return writer.submit(
                conversationId, tx -> ops.react(tx, conversationId, actorId, messageId, emoji, add, nowMillis));
    }

    @Override
    public CompletableFuture<List<MessageView>> messages(
            String conversationId, Long beforeSeq, Long afterSeq, int limit) {
        return readers.read(sql -> q.messages(sql, conversationId, beforeSeq, afterSeq, limit));
    }

    @Override
    public CompletableFuture<Optional<MessageView>> message(String conversationId, String messageId) {
        return readers.read(sql -> q.messageWithReactions(sql, conversationId, messageId));
    }

    @Override
    public CompletableFuture<List<MessageView>> replies(
            String conversationId, String messageId, long afterSeq, int limit) {
        return readers.read(sql -> q.replies(sql, conversationId, messageId, afterSeq, limit));
    }

    @Override
    public CompletableFuture<List<MessageVersion>> editHistory(String conversationId, String messageId) {
        return readers.read(sql -> q.versions(sql, conversationId, messageId));
    }

    @Override
    public CompletableFuture<List<AuditEntry>> auditLog(String conversationId, long beforeId, int limit) {
        return readers.read(sql -> q.auditLog(sql, conversationId, beforeId, limit));
    }

    // ---- receipts and contacts -------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<List<ReceiptChange>> updateReceipts(
            List<ReceiptUpdate> updates, long nowMillis, int maxFanoutMembers) {
        return writer.submit(tx -> receiptOps.updateReceipts(tx, updates, nowMillis, maxFanoutMembers));
    }

    @Override
    public CompletableFuture<List<ReceiptChange>> receiptsSince(String userId, long sinceMillis, int maxFanoutMembers) {
        return readers.read(sql -> q.receiptsSince(sql, userId, sinceMillis, maxFanoutMembers));
    }

    @Override
    public CompletableFuture<Map<String, Set<String>>> contacts(Collection<String> userIds, int maxConversationSize) {
        if (userIds.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        return readers.read(sql -> q.contacts(sql, userIds, maxConversationSize));
    }

    @Override
    public CompletableFuture<Boolean> ping() {
        return readers.read(sql -> {
            try (ResultSet rs = sql.ps("SELECT 1").executeQuery()) {
                return rs.next();
            }
        });
    }

    /** The search index over this store's messages (io.parley.server.search). */
    public SearchIndex searchIndex() {
        return search;
    }

    /** Reports the duration of every group commit (nanoseconds) to {@code observer}. */
    public void observeCommits(java.util.function.LongConsumer observer) {
        writer.observeCommits(observer);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        search.close();
        writer.close();
        readers.close();
        search.closeConnection();
        if (pool != null) {
            try {
                pool.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(JdbcChatStore.class).warn("closing the connection pool failed", e);
            }
        }
    }
}
