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
 * {@link SearchIndex} on the JDBC store. SQLite: an FTS5 table over the tokens, written by jobs of the store's
 * {@link Writer} (SQLite has one writer at a time, and a second connection writing would make the send path wait on
 * SQLite's busy handler); the backlog is read on a reader and tokenized on the indexer's own thread, and the writer
 * gets only the writes, in slices of {@link #SQLITE_SLICE} messages (or {@link #SQLITE_SLICE_BEHIND} while it is
 * behind) one after the other, so a send waits for one slice at most, never for a batch. PostgreSQL: tsvector
 * columns with GIN indexes that hold the conversation too (a search reads only the postings of the searcher's
 * conversations), indexed on a connection of the indexer's own (no global write lock: sends never wait), claiming
 * its batch with {@code FOR UPDATE SKIP LOCKED} so several nodes share the backlog. Searches run on the store's
 * readers.
 */
final class JdbcSearchIndex implements SearchIndex, AutoCloseable {
    private final SqlDialect d;
    private final Writer writer;
    private final Readers readers;
    /** PostgreSQL: where the indexer's connections come from; null on SQLite. */
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
     * SQLite: the backlog is read on a reader and tokenized on the indexer's thread; only the writes go to the
     * {@link Writer}, {@link #SQLITE_SLICE} messages at a time ({@link #SQLITE_SLICE_BEHIND} when the batch came back
     * full), each slice submitted after the one before committed, so a send queued behind the index waits for one
     * slice at most. PostgreSQL: one batch on the indexer's own connection.
     */
    @Override
    public CompletableFuture<Integer> indexQueued(int max, LongConsumer changedAt) {
        if (!postgres()) {
            return readSqliteBacklog(max)
                    .thenCompose(batch -> writeSqliteSlices(
                            batch, 0, batch.size() >= max ? SQLITE_SLICE_BEHIND : SQLITE_SLICE, changedAt));
        }
        CompletableFuture<Integer> f = new CompletableFuture<>();
        try {
            indexThread.execute(() -> {
                try {
                    f.complete(indexPostgres(max, changedAt));
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

    /** Messages per writer job on SQLite: what a send behind the index may wait for (a few milliseconds). */
    static final int SQLITE_SLICE = 32;

    /**
     * Messages per writer job on SQLite while the indexer is behind (its batch came back full, so the backlog holds
     * at least that much): each slice costs a writer batch, so small slices cap the indexer at about 32 messages per
     * group commit, below the send rate of a loaded node (measured: the lag grew past 10 s above 6,000 sends/s with
     * slices of 32). A send then waits for up to this many (about 5 ms).
     */
    static final int SQLITE_SLICE_BEHIND = 128;

    /** SQLite, the first half of {@link #indexQueued}: up to {@code max} messages of the backlog, tokenized. */
    CompletableFuture<List<Indexed>> readSqliteBacklog(int max) {
        return readers.read(sql -> readPending(sql, false, max)).thenApplyAsync(JdbcSearchIndex::tokenize, indexThread);
    }

    /** SQLite, the second half: writes the batch slice by slice and takes it off the backlog; its size. */
    CompletableFuture<Integer> writeSqliteBatch(List<Indexed> batch) {
        return writeSqliteSlices(batch, 0, SQLITE_SLICE, changedAt -> {});
    }

    private CompletableFuture<Integer> writeSqliteSlices(
            List<Indexed> batch, int from, int sliceSize, LongConsumer changedAt) {
        if (from >= batch.size()) {
            return CompletableFuture.completedFuture(batch.size());
        }
        List<Indexed> slice = batch.subList(from, Math.min(batch.size(), from + sliceSize));
        return writer.submit(tx -> {
                    writeSqlite(tx::ps, slice);
                    takeOffBacklog(tx::ps, slice);
                    return null;
                })
                .thenCompose(v -> {
                    tell(slice, changedAt);
                    return writeSqliteSlices(batch, from + sliceSize, sliceSize, changedAt);
                });
    }

    private static void tell(List<Indexed> committed, LongConsumer changedAt) {
        for (Indexed i : committed) {
            changedAt.accept(i.q().changedAt());
        }
    }

    private int indexPostgres(int max, LongConsumer changedAt) throws SQLException {
        if (indexConnection == null) {
            indexConnection = indexConnections.open();
            indexConnection.setAutoCommit(false);
        }
        Connection c = indexConnection;
        List<PreparedStatement> opened = new ArrayList<>();
        Sql sql = q -> {
            PreparedStatement ps = c.prepareStatement(q);
            opened.add(ps);
            return ps;
        };
        try {
            List<Indexed> batch = tokenize(readPending(sql, true, max));
            writePostgres(sql, batch);
            takeOffBacklog(sql, batch);
            c.commit();
            tell(batch, changedAt);
            return batch.size();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            for (PreparedStatement ps : opened) {
                ps.close();
            }
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
     * A message of the backlog as it was read: {@code body} null when there is nothing to find (deleted, gone, not a
     * message); {@code version} its edited_at (0: never edited); {@code changedAt} its last change (creation, edit or
     * deletion; 0 when gone).
     */
    record Queued(String conversationId, long seq, String body, long version, boolean deleted, long changedAt) {}

    /** A message of the backlog with its tokens, ready to write. */
    record Indexed(Queued q, Tokenizer.Tokens tokens) {}

    /** Up to {@code max} messages of the backlog, each in its current state (PostgreSQL: claimed, SKIP LOCKED). */
    private static List<Queued> readPending(Sql sql, boolean postgres, int max) throws SQLException {
        List<Queued> queued = new ArrayList<>();
        PreparedStatement pending = sql.ps(postgres ? SearchSql.POSTGRES_PENDING : SearchSql.SQLITE_PENDING);
        pending.setInt(1, max);
        try (ResultSet rs = pending.executeQuery()) {
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
                        rs.getString(1), rs.getLong(2), searchable ? body : null, editedAt, deleted, changedAt));
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

    private static void writeSqlite(Sql sql, List<Indexed> batch) throws SQLException {
        for (Indexed i : batch) {
            Queued q = i.q();
            Tokenizer.Tokens tokens = i.tokens();
            Long id = null;
            PreparedStatement find = sql.ps(SearchSql.SQLITE_DOC_ID);
            find.setString(1, q.conversationId());
            find.setLong(2, q.seq());
            try (ResultSet rs = find.executeQuery()) {
                if (rs.next()) {
                    id = rs.getLong(1);
                }
            }
            if (id != null) {
                PreparedStatement del = sql.ps(SearchSql.SQLITE_DELETE_FTS);
                del.setLong(1, id);
                del.executeUpdate();
            }
            if (tokens.isEmpty()) {
                if (id != null) {
                    PreparedStatement del = sql.ps(SearchSql.SQLITE_DELETE_DOC);
                    del.setLong(1, id);
                    del.executeUpdate();
                }
                continue;
            }
            if (id == null) {
                PreparedStatement ins = sql.ps(SearchSql.SQLITE_INSERT_DOC);
                ins.setString(1, q.conversationId());
                ins.setLong(2, q.seq());
                ins.setLong(3, q.version());
                try (ResultSet rs = ins.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            } else {
                PreparedStatement upd = sql.ps(SearchSql.SQLITE_UPDATE_DOC);
                upd.setLong(1, q.version());
                upd.setLong(2, id);
                upd.executeUpdate();
            }
            PreparedStatement fts = sql.ps(SearchSql.SQLITE_INSERT_FTS);
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

    @Override
    public CompletableFuture<Long> backlog() {
        return readers.read(sql -> {
            try (ResultSet rs = sql.ps(SearchSql.BACKLOG).executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public CompletableFuture<Long> queueAll() {
        return writer.submit(tx -> (long) tx.ps(SearchSql.QUEUE_ALL).executeUpdate());
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
                .append(", bm25(search_fts, 0.0, 1.0, 0.5) AS rank FROM search_fts ")
                .append("JOIN search_docs d ON d.id = search_fts.rowid ")
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

    @Override
    public void close() {
        indexThread.execute(this::closeIndexConnection);
        indexThread.shutdown();
        try {
            if (!indexThread.awaitTermination(5, TimeUnit.SECONDS)) {
                indexThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
