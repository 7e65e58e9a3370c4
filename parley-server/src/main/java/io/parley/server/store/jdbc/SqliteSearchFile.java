package io.parley.server.store.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * The SQLite search index's own database file, beside the store's ({@code parley.db-search}). SQLite lets one
 * connection write a database file at a time; with the index in the store's file, every index write was a job of the
 * store's single writer and a send queued behind it waited for it. In a file of its own, the indexer writes on its
 * own connection, in transactions of a whole batch (FTS5 writes a segment per transaction, so fewer and larger ones
 * cost less), and sends never wait for it. The store's readers attach it as {@value #SCHEMA} to search.
 *
 * <p>What is in the file can always be made again from the store: the backlog ({@code search_pending}) stays in the
 * store's file, and a message leaves it only after the index transaction that took it committed. A file that is
 * missing (first start of this version, a restore, an operator deleting it) or of another version is made anew, and
 * the store queues every message again; the file is marked complete ({@code user_version}) only after that queue
 * committed, so a crash in between makes it anew at the next start.
 */
final class SqliteSearchFile {
    static final String SUFFIX = "-search";
    /** The name the store's readers attach the file under. */
    static final String SCHEMA = "search_index";

    /** The layout of the file below; another value (or 0: not complete) makes it anew. */
    static final int VERSION = 1;

    /**
     * One row per indexed message; id is the FTS5 rowid. version is the message's edited_at (0: never edited) the
     * tokens were made from: a search returns a hit only while the message still has that version, so an edit hides
     * the old text at once, before the indexer has caught up.
     */
    private static final String DOCS = "CREATE TABLE search_docs (id INTEGER PRIMARY KEY, "
            + "conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, version INTEGER NOT NULL, "
            + "UNIQUE (conversation_id, seq))";

    /**
     * conv: the conversation as one token (hex of its id), so a search intersects the posting lists of the user's
     * conversations with the terms' instead of filtering every match afterwards. words: words and CJK bigrams in order
     * (phrases); chars: the CJK characters (one-character queries). The 'ascii' tokenizer keeps every non-ASCII
     * character inside a token, and the Java tokens are letters and digits separated by spaces, so FTS5 never splits
     * or folds them again.
     */
    private static final String FTS = "CREATE VIRTUAL TABLE search_fts USING fts5(conv, words, chars, "
            + "content = '', contentless_delete = 1, tokenize = 'ascii', prefix = '2 3', detail = full)";

    private final Path file;
    private final SQLiteConfig config;

    SqliteSearchFile(Path storeFile, boolean fsync) {
        this.file = of(storeFile);
        this.config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // As durable as the store: a message leaves the store's backlog only after its index commit.
        config.setSynchronous(fsync ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(10_000);
        config.setCacheSize(-16_384);
    }

    /** The index file of the store at {@code storeFile}. */
    static Path of(Path storeFile) {
        return storeFile.resolveSibling(storeFile.getFileName() + SUFFIX);
    }

    Path file() {
        return file;
    }

    /** A read-write connection to the file (the indexer's). */
    Connection open() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
    }

    /**
     * Makes the file ready to be written and attached (at start-up: blocks). One made anew (missing, incomplete or of
     * another version) has every message of the store queued on {@code writer}, and is marked complete only after
     * that queue committed.
     */
    void open(Writer writer) throws SQLException {
        if (prepare()) {
            try {
                writer.submit(tx -> tx.ps(SearchSql.QUEUE_ALL).executeUpdate())
                        .get(10, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while queueing the messages for the search index", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new SQLException("cannot queue the messages for the search index: " + e.getMessage(), e);
            }
            markComplete();
        }
    }

    /** True when the file was made anew (its tables dropped and created again, not yet complete). */
    private boolean prepare() throws SQLException {
        try (Connection c = open();
                Statement s = c.createStatement()) {
            if (userVersion(s) == VERSION) {
                return false;
            }
            s.execute("DROP TABLE IF EXISTS search_fts");
            s.execute("DROP TABLE IF EXISTS search_docs");
            s.execute(DOCS);
            s.execute(FTS);
            s.execute("PRAGMA user_version = 0");
            return true;
        }
    }

    /** Marks a file made anew as complete: every message of the store has been queued. */
    private void markComplete() throws SQLException {
        try (Connection c = open();
                Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = " + VERSION);
        }
    }

    /** Attaches the file to a connection of the store's (its readers: read-only there) as {@value #SCHEMA}. */
    void attach(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("ATTACH DATABASE ? AS " + SCHEMA)) {
            ps.setString(1, file.toAbsolutePath().toString());
            ps.execute();
        }
    }

    private static int userVersion(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
