package io.parley.server.store.jdbc;

import io.parley.server.search.SearchIndex;
import io.parley.server.search.SearchQuery;
import io.parley.server.search.Tokenizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * {@link SearchIndex} on the JDBC store. SQLite: an FTS5 table over the tokens in a database file of its own
 * ({@link SqliteSearchFile}: SQLite has one writer per file, so in the store's file every index write made the
 * sends behind it wait), written on the indexer's own connection in one transaction per batch. New messages are read
 * on a reader from the store's log past the file's mark (their rowid: nothing is queued for them, and the mark moves
 * in the index's own transaction); edits and deletions come from the backlog, and the store's writer takes those
 * off it once indexed, in jobs of {@link #SQLITE_SLICE}. PostgreSQL: tsvector
 * columns with GIN indexes that hold the conversation too (a search reads only the postings of the searcher's
 * conversations), indexed on a connection of the indexer's own (no global write lock: sends never wait), claiming
 * its batch with {@code FOR UPDATE SKIP LOCKED} so several nodes share the backlog. Searches run on the store's
 * readers.
 */
final class JdbcSearchIndex implements SearchIndex, AutoCloseable {
    private final SqlDialect d;
    private final Writer writer;
    private final Readers readers;
    /** Where the indexer's connections come from (SQLite: the index file; PostgreSQL: the pool). */
    private final Writer.ConnectionFactory indexConnections;

    private final ExecutorService indexThread;
    private Connection indexConnection;

    JdbcSearchIndex(SqlDialect d, Writer writer, Readers readers, Writer.ConnectionFactory indexConnections) {
        this.d = d;
        this.writer = writer;
        this.readers = readers;
        this.indexConnections = indexConnections;
        this.indexThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "parley-search-indexer");
            t.setDaemon(true);
            return t;
        });
    }

    /** The store's readers (tests run EXPLAIN on them). */
    Readers readers() {
        return readers;
    }

    private boolean postgres() {
        return d == SqlDialect.POSTGRESQL;
    }

    // ---- indexing --------------------------------------------------------------------------------------------------

    /**
     * SQLite: the edits and deletions of the backlog, then the new messages past the index file's mark, are read on
     * a reader; the indexer's thread tokenizes them and writes the index file, the mark with it, in one transaction;
     * then the store's writer takes the edits and deletions off the backlog ({@link #SQLITE_SLICE} a job). New
     * messages never wait for the store's writer. PostgreSQL: one batch on the indexer's own connection.
     */
    @Override
    public CompletableFuture<Integer> indexQueued(int max, LongConsumer changedAt) {
        if (!postgres()) {
            return readSqliteBacklog(max).thenCompose(batch -> writeSqliteBatch(batch, changedAt));
        }
        return onIndexThread(() -> indexPostgres(max, changedAt));
    }

    /**
     * Edits and deletions per writer job when they leave SQLite's backlog: a send queued behind one waits for that
     * many guarded deletes (about 3 us each).
     */
    static final int SQLITE_SLICE = 256;

    /**
     * A SQLite batch: {@code changed}, the backlog's edits and deletions; {@code fresh}, the messages after rowid
     * {@code from} (the mark when it was read), in rowid order, but for those also in {@code changed} (indexed once,
     * in that state); {@code markTo}, the last message read after the mark (null: none), where the mark moves.
     */
    record SqliteBatch(long from, List<Indexed> changed, List<Indexed> fresh, Queued markTo) {
        int size() {
            return changed.size() + fresh.size();
        }
    }

    private record SqliteRead(long from, List<Queued> changed, List<Queued> fresh) {
        SqliteBatch tokenized() {
            java.util.Set<String> queued = new java.util.HashSet<>();
            for (Queued q : changed) {
                queued.add(q.conversationId() + '\n' + q.seq());
            }
            List<Queued> notQueued = new ArrayList<>(fresh.size());
            for (Queued q : fresh) {
                if (!queued.contains(q.conversationId() + '\n' + q.seq())) {
                    notQueued.add(q);
                }
            }
            Queued markTo = fresh.isEmpty() ? null : fresh.get(fresh.size() - 1);
            return new SqliteBatch(from, tokenize(changed), tokenize(notQueued), markTo);
        }
    }

    /** SQLite, the first half of {@link #indexQueued}: up to {@code max} messages to index, tokenized. */
    CompletableFuture<SqliteBatch> readSqliteBacklog(int max) {
        return onIndexThread(this::readMark)
                .thenCompose(from -> readers.read(sql -> {
                    List<Queued> changed = readPending(sql, max);
                    List<Queued> fresh = changed.size() < max ? readNew(sql, from, max - changed.size()) : List.of();
                    return new SqliteRead(from, changed, fresh);
                }))
                .thenApplyAsync(SqliteRead::tokenized, indexThread);
    }

    /** SQLite, the second half: writes the batch to the index file, then takes its edits off the backlog; its size. */
    CompletableFuture<Integer> writeSqliteBatch(SqliteBatch batch) {
        return writeSqliteBatch(batch, changedAt -> {});
    }

    private CompletableFuture<Integer> writeSqliteBatch(SqliteBatch batch, LongConsumer changedAt) {
        if (batch.size() == 0 && batch.markTo() == null) {
            return CompletableFuture.completedFuture(0);
        }
        return onIndexThread(() -> {
                    Connection c = indexConnection();
                    try (Statements sql = new Statements(c)) {
                        writeSqlite(sql, batch.changed());
                        writeSqlite(sql, batch.fresh());
                        moveMark(sql, batch);
                        c.commit();
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    }
                    // Searchable from here: the lag ends at this commit.
                    tell(batch.changed(), changedAt);
                    tell(batch.fresh(), changedAt);
                    return batch.size();
                })
                .thenCompose(n -> takeOffSqliteBacklog(batch.changed(), 0))
                .thenApply(v -> batch.size());
    }

    /**
     * The mark moves to the batch's last new message, unless another connection moved it since the batch was read
     * (a rebuild set it back to 0): then it stays where that put it, and the next batch reads from there.
     */
    private static void moveMark(Sql sql, SqliteBatch batch) throws SQLException {
        Queued last = batch.markTo();
        if (last == null) {
            return;
        }
        PreparedStatement move = sql.ps(SqliteSearchFile.MOVE_MARK);
        move.setLong(1, last.rowid());
        move.setString(2, last.conversationId());
        move.setLong(3, last.seq());
        move.setLong(4, batch.from());
        move.executeUpdate();
    }

    /** The index file's mark, on the indexer's thread; the read's transaction ends at once. */
    private long readMark() throws SQLException {
        Connection c = indexConnection();
        long mark;
        try (PreparedStatement ps = c.prepareStatement(SqliteSearchFile.READ_MARK);
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the search index file has no mark");
            }
            mark = rs.getLong(1);
        }
        c.commit();
        return mark;
    }

    private CompletableFuture<Void> takeOffSqliteBacklog(List<Indexed> changed, int from) {
        if (from >= changed.size()) {
            return CompletableFuture.completedFuture(null);
        }
        List<Indexed> slice = changed.subList(from, Math.min(changed.size(), from + SQLITE_SLICE));
        return writer.submit(tx -> {
                    takeOffBacklog(tx::ps, slice);
                    return null;
                })
                .thenCompose(v -> takeOffSqliteBacklog(changed, from + SQLITE_SLICE));
    }

    /** Runs {@code work} on the indexer's thread, dropping its connection when it fails. */
    private <T> CompletableFuture<T> onIndexThread(IndexWork<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            indexThread.execute(() -> {
                try {
                    f.complete(work.run());
                } catch (SQLException | RuntimeException e) {
                    dropIndexConnection(e);
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new io.parley.server.store.StoreException.Closed());
        }
        return f;
    }

    private interface IndexWork<T> {
        T run() throws SQLException;
    }

    /** The indexer's connection (opened on first use, again after a failure); its thread only. */
    private Connection indexConnection() throws SQLException {
        if (indexConnection == null) {
            indexConnection = indexConnections.open();
            indexConnection.setAutoCommit(false);
        }
        return indexConnection;
    }

    /** Prepared statements of one transaction, closed with it. */
    private static final class Statements implements Sql, AutoCloseable {
        private final Connection c;
        private final List<PreparedStatement> opened = new ArrayList<>();

        Statements(Connection c) {
            this.c = c;
        }

        @Override
        public PreparedStatement ps(String q) throws SQLException {
            PreparedStatement ps = c.prepareStatement(q);
            opened.add(ps);
            return ps;
        }

        @Override
        public void close() throws SQLException {
            for (PreparedStatement ps : opened) {
                ps.close();
            }
        }
    }

    private static void tell(List<Indexed> committed, LongConsumer changedAt) {
        for (Indexed i : committed) {
            changedAt.accept(i.q().changedAt());
        }
    }

    private int indexPostgres(int max, LongConsumer changedAt) throws SQLException {
        Connection c = indexConnection();
        try (Statements sql = new Statements(c)) {
            List<Indexed> batch = tokenize(readPending(sql, max));
            writePostgres(sql, batch);
            takeOffBacklog(sql, batch);
            c.commit();
            tell(batch, changedAt);
            return batch.size();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    private void dropIndexConnection(Exception cause) {
        if (indexConnection != null) {
            try {
                indexConnection.close();
            } catch (SQLException e) {
                cause.addSuppressed(e);
            }
            indexConnection = null;
        }
    }

    private void closeIndexConnection() {
        if (indexConnection != null) {
            try {
                indexConnection.close();
            } catch (SQLException e) {
                org.slf4j.LoggerFactory.getLogger(JdbcSearchIndex.class).warn("closing the index connection failed", e);
            }
            indexConnection = null;
        }
    }

    /**
     * A message to index as it was read: {@code body} null when there is nothing to find (deleted, gone, not a
     * message); {@code version} its edited_at (0: never edited); {@code changedAt} its last change (creation, edit or
     * deletion; 0 when gone); {@code rowid} its row in SQLite's log when read past the mark (0: from the backlog).
     */
    record Queued(
            String conversationId, long seq, String body, long version, boolean deleted, long changedAt, long rowid) {}

    /** A message of the backlog with its tokens, ready to write. */
    record Indexed(Queued q, Tokenizer.Tokens tokens) {}

    /** Up to {@code max} messages of the backlog, each in its current state (PostgreSQL: claimed, SKIP LOCKED). */
    private List<Queued> readPending(Sql sql, int max) throws SQLException {
        PreparedStatement pending = sql.ps(postgres() ? SearchSql.POSTGRES_PENDING : SearchSql.SQLITE_PENDING);
        pending.setInt(1, max);
        return queued(pending, false);
    }

    /** SQLite: up to {@code max} messages of the log after rowid {@code mark}, in rowid order. */
    private static List<Queued> readNew(Sql sql, long mark, int max) throws SQLException {
        PreparedStatement fresh = sql.ps(SearchSql.SQLITE_NEW);
        fresh.setLong(1, mark);
        fresh.setInt(2, max);
        return queued(fresh, true);
    }

    /** The rows of a {@link SearchSql} statement of messages to index (the rowid in column 8 when {@code rowids}). */
    private static List<Queued> queued(PreparedStatement ps, boolean rowids) throws SQLException {
        List<Queued> queued = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String kind = rs.getString(3);
                String body = rs.getString(4);
                long editedAt = rs.getLong(5);
                long deletedAt = rs.getLong(6);
                boolean deleted = !rs.wasNull();
                long changedAt = Math.max(rs.getLong(7), Math.max(editedAt, deletedAt));
                // Gone (a restore, a rebuild racing a purge), deleted or empty: nothing to find.
                boolean searchable = "message".equals(kind) && !deleted && body != null;
                queued.add(new Queued(
                        rs.getString(1),
                        rs.getLong(2),
                        searchable ? body : null,
                        editedAt,
                        deleted,
                        changedAt,
                        rowids ? rs.getLong(8) : 0));
            }
        }
        return queued;
    }

    private static List<Indexed> tokenize(List<Queued> queued) {
        List<Indexed> out = new ArrayList<>(queued.size());
        for (Queued q : queued) {
            out.add(new Indexed(q, Tokenizer.index(q.body())));
        }
        return out;
    }

    /**
     * Takes the messages off the backlog unless they changed since they were read (an edit or a delete in between
     * found its backlog row still there and queued nothing): those stay, and the next run indexes their new state;
     * until then a search hides the stale entry by its version.
     */
    private static void takeOffBacklog(Sql sql, List<Indexed> batch) throws SQLException {
        PreparedStatement done = sql.ps(SearchSql.DELETE_PENDING);
        for (Indexed i : batch) {
            done.setString(1, i.q().conversationId());
            done.setLong(2, i.q().seq());
            done.setLong(3, i.q().version());
            done.setBoolean(4, i.q().deleted());
            done.addBatch();
        }
        done.executeBatch();
    }

    /**
     * Writes the batch to the index file: a message indexed for the first time (most of them) costs one insert into
     * the documents and one into FTS5; one indexed before has its old tokens deleted first.
     */
    private static void writeSqlite(Sql sql, List<Indexed> batch) throws SQLException {
        PreparedStatement insertDoc = sql.ps(SearchSql.SQLITE_INSERT_DOC);
        PreparedStatement find = sql.ps(SearchSql.SQLITE_DOC_ID);
        PreparedStatement deleteFts = sql.ps(SearchSql.SQLITE_DELETE_FTS);
        PreparedStatement deleteDoc = sql.ps(SearchSql.SQLITE_DELETE_DOC);
        PreparedStatement updateDoc = sql.ps(SearchSql.SQLITE_UPDATE_DOC);
        PreparedStatement fts = sql.ps(SearchSql.SQLITE_INSERT_FTS);
        for (Indexed i : batch) {
            Queued q = i.q();
            Tokenizer.Tokens tokens = i.tokens();
            Long id = null;
            if (!tokens.isEmpty()) {
                insertDoc.setString(1, q.conversationId());
                insertDoc.setLong(2, q.seq());
                insertDoc.setLong(3, q.version());
                try (ResultSet rs = insertDoc.executeQuery()) {
                    if (rs.next()) {
                        id = rs.getLong(1);
                    }
                }
            }
            if (id == null) {
                // Indexed before (an edit, a deletion, a rebuild) or nothing to index: the old entry goes.
                Long old = null;
                find.setString(1, q.conversationId());
                find.setLong(2, q.seq());
                try (ResultSet rs = find.executeQuery()) {
                    if (rs.next()) {
                        old = rs.getLong(1);
                    }
                }
                if (old != null) {
                    deleteFts.setLong(1, old);
                    deleteFts.executeUpdate();
                }
                if (tokens.isEmpty()) {
                    if (old != null) {
                        deleteDoc.setLong(1, old);
                        deleteDoc.executeUpdate();
                    }
                    continue;
                }
                if (old == null) {
                    throw new SQLException(
                            "search document of " + q.conversationId() + "/" + q.seq() + " neither inserted nor found");
                }
                updateDoc.setLong(1, q.version());
                updateDoc.setLong(2, old);
                updateDoc.executeUpdate();
                id = old;
            }
            fts.setLong(1, id);
            fts.setString(2, SearchSql.conversationToken(q.conversationId()));
            fts.setString(3, SearchSql.ftsText(tokens.words()));
            fts.setString(4, SearchSql.ftsText(tokens.chars()));
            fts.executeUpdate();
        }
    }

    private static void writePostgres(Sql sql, List<Indexed> batch) throws SQLException {
        PreparedStatement upsert = sql.ps(SearchSql.POSTGRES_UPSERT_DOC);
        PreparedStatement delete = sql.ps(SearchSql.POSTGRES_DELETE_DOC);
        boolean upserts = false;
        boolean deletes = false;
        for (Indexed i : batch) {
            Queued q = i.q();
            if (i.tokens().isEmpty()) {
                delete.setString(1, q.conversationId());
                delete.setLong(2, q.seq());
                delete.addBatch();
                deletes = true;
            } else {
                upsert.setString(1, q.conversationId());
                upsert.setLong(2, q.seq());
                upsert.setLong(3, q.version());
                upsert.setString(4, SearchSql.tsvector(i.tokens().words()));
                upsert.setString(5, SearchSql.tsvector(i.tokens().chars()));
                upsert.addBatch();
                upserts = true;
            }
        }
        if (upserts) {
            upsert.executeBatch();
        }
        if (deletes) {
            delete.executeBatch();
        }
    }

    /** SQLite: the new messages past the mark and the edits and deletions queued; PostgreSQL: the backlog. */
    @Override
    public CompletableFuture<Long> backlog() {
        return readers.read(sql -> count(sql, postgres() ? SearchSql.BACKLOG : SearchSql.SQLITE_BACKLOG));
    }

    /**
     * PostgreSQL: queues every message. SQLite: sets the index file's mark back to 0, so every message is read past it
     * again (a batch read before, written after, leaves the mark there); the number of messages.
     */
    @Override
    public CompletableFuture<Long> queueAll() {
        if (postgres()) {
            return writer.submit(tx -> (long) tx.ps(SearchSql.QUEUE_ALL).executeUpdate());
        }
        return onIndexThread(() -> {
                    Connection c = indexConnection();
                    try (PreparedStatement ps = c.prepareStatement(SqliteSearchFile.RESET_MARK)) {
                        ps.executeUpdate();
                    }
                    c.commit();
                    return null;
                })
                .thenCompose(v -> readers.read(sql -> count(sql, SearchSql.SQLITE_MESSAGES)));
    }

    private static long count(Sql sql, String query) throws SQLException {
        try (ResultSet rs = sql.ps(query).executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---- search ----------------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<List<Hit>> search(Request r) {
        return readers.read(sql -> {
            StringBuilder s = new StringBuilder();
            List<Object> params = new ArrayList<>();
            if (postgres()) {
                postgresSearch(r, s, params);
            } else if (!sqliteSearch(sql, r, s, params)) {
                return List.<Hit>of();
            }
            PreparedStatement ps = sql.ps(s.toString());
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            List<Hit> hits = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long editedAt = rs.getLong(7);
                    Long edited = rs.wasNull() ? null : editedAt;
                    double score = rs.getDouble(8);
                    hits.add(new Hit(
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getLong(6),
                            edited,
                            postgres() ? score : -score));
                }
            }
            return hits;
        });
    }

    /** The statement (for EXPLAIN in tests) and its parameters. */
    record Statement(String sql, List<Object> params) {}

    Statement statement(Sql sql, Request r) throws SQLException {
        StringBuilder s = new StringBuilder();
        List<Object> params = new ArrayList<>();
        if (postgres()) {
            postgresSearch(r, s, params);
        } else if (!sqliteSearch(sql, r, s, params)) {
            throw new IllegalArgumentException("the user is a member of no conversation");
        }
        return new Statement(s.toString(), params);
    }

    /** False when the user is a member of no conversation: nothing to search. */
    private static boolean sqliteSearch(Sql sql, Request r, StringBuilder s, List<Object> params) throws SQLException {
        List<String> conversations;
        if (r.conversationId() != null) {
            conversations = List.of(r.conversationId());
        } else {
            conversations = new ArrayList<>();
            PreparedStatement ps = sql.ps(SearchSql.MEMBER_CONVERSATIONS);
            ps.setString(1, r.userId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    conversations.add(rs.getString(1));
                }
            }
            if (conversations.isEmpty()) {
                return false;
            }
            if (conversations.size() > SearchSql.MAX_CONVERSATION_TERMS) {
                conversations = null;
            }
        }
        s.append("SELECT ")
                .append(SearchSql.HIT_COLUMNS)
                .append(", bm25(search_fts, 0.0, 1.0, 0.5) AS rank FROM ")
                .append(SqliteSearchFile.SCHEMA)
                .append(".search_fts JOIN ")
                .append(SqliteSearchFile.SCHEMA)
                .append(".search_docs d ON d.id = search_fts.rowid ")
                .append("JOIN events e ON e.conversation_id = d.conversation_id AND e.seq = d.seq ")
                .append("WHERE search_fts MATCH ? AND EXISTS (SELECT 1 FROM members m ")
                .append("WHERE m.conversation_id = d.conversation_id AND m.user_id = ?)");
        params.add(SearchSql.match(r.query(), conversations));
        params.add(r.userId());
        SearchSql.filters(r, s, params);
        SearchSql.order(r, "rank", s, params);
        return true;
    }

    private static void postgresSearch(Request r, StringBuilder s, List<Object> params) {
        String words = SearchSql.tsquery(r.query(), SearchQuery.Stream.WORDS);
        String chars = SearchSql.tsquery(r.query(), SearchQuery.Stream.CHARS);
        s.append("SELECT ").append(SearchSql.HIT_COLUMNS).append(", ");
        if (words != null) {
            s.append("ts_rank(d.words, CAST(? AS tsquery))");
            params.add(words);
        } else {
            s.append("ts_rank(d.chars, CAST(? AS tsquery))");
            params.add(chars);
        }
        // Membership and terms in one scan of a V18 index, whose first column is exactly ARRAY[conversation_id]:
        // GIN reads the postings of the searcher's conversations and looks the terms up for those documents only.
        s.append(" AS rank FROM search_docs d ")
                .append("JOIN events e ON e.conversation_id = d.conversation_id AND e.seq = d.seq ")
                .append("WHERE ARRAY[d.conversation_id] && ")
                .append("ARRAY(SELECT m.conversation_id FROM members m WHERE m.user_id = ?");
        params.add(r.userId());
        if (r.conversationId() != null) {
            // One conversation: GIN reads only its postings (the filter below repeats it for the heap).
            s.append(" AND m.conversation_id = ?");
            params.add(r.conversationId());
        }
        s.append(")");
        if (words != null) {
            s.append(" AND d.words @@ CAST(? AS tsquery)");
            params.add(words);
        }
        if (chars != null) {
            s.append(" AND d.chars @@ CAST(? AS tsquery)");
            params.add(chars);
        }
        SearchSql.filters(r, s, params);
        SearchSql.order(r, "rank DESC", s, params);
    }

    /**
     * Stops the indexer's thread (a batch in progress finishes, for up to 5 s). Its connection stays open for
     * {@link #closeConnection()}: on SQLite the store closes it after its readers, so the last connection to the index
     * file is a writing one, which checkpoints the file's log and removes it (a read-only reader closing last cannot).
     */
    @Override
    public void close() {
        indexThread.shutdown();
        try {
            if (!indexThread.awaitTermination(5, TimeUnit.SECONDS)) {
                indexThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the indexer's connection, after {@link #close()} stopped its thread. */
    void closeConnection() {
        if (!indexThread.isTerminated()) {
            // The thread did not stop in time and may still use it: left to the process's end.
            return;
        }
        if (indexConnection == null && !postgres()) {
            // Never opened (nothing was indexed): a writing connection closes last all the same.
            try {
                indexConnection = indexConnections.open();
            } catch (SQLException e) {
                org.slf4j.LoggerFactory.getLogger(JdbcSearchIndex.class)
                        .warn("opening the index file to close it failed; its log stays until the next start", e);
                return;
            }
        }
        closeIndexConnection();
    }
}
