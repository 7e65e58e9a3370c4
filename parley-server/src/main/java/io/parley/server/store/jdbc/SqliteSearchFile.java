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
 * <p>What is in the file can always be made again from the store. New messages are found by the store's log itself:
 * SQLite gives each row of {@code events} a rowid one above the largest committed (events are never deleted), so
 * rowids grow in commit order, and the file keeps the <em>mark</em>, the rowid of the last message indexed, in the
 * same transaction as the index writes. A crash loses nothing and the send path queues nothing. Edits and deletions
 * update a row in place, so they still go through the store's backlog ({@code search_pending}, a trigger in their
 * transaction). A file that is missing (first start of this version, a restore, an operator deleting it), of
 * another version, or whose mark no longer names the same message in the store (a {@code VACUUM} by hand may number
 * the rows anew) is made anew with the mark at 0: every message is indexed again.
 */
final class SqliteSearchFile {
    static final String SUFFIX = "-search";
    /** The name the store's readers attach the file under. */
    static final String SCHEMA = "search_index";

    /** The layout of the file below; another value (or 0: not complete) makes it anew. */
    static final int VERSION = 2;

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

    /**
     * The mark: every message of the store's log up to this rowid is indexed (0: none), and the message at it
     * (conversation and seq) to check that the store's rowids still mean what they meant.
     */
    private static final String MARK = "CREATE TABLE search_mark (id INTEGER PRIMARY KEY CHECK (id = 1), "
            + "mark INTEGER NOT NULL, conversation_id TEXT, seq INTEGER)";

    /** The mark, read on the indexer's connection. */
    static final String READ_MARK = "SELECT mark FROM search_mark";
    /**
     * Moves the mark from the value a batch was read from (parameter 4) to the batch's last message (1-3): no row when
     * another connection moved it meanwhile (a rebuild from {@code admin search-rebuild}).
     */
    static final String MOVE_MARK = "UPDATE search_mark SET mark = ?, conversation_id = ?, seq = ? WHERE mark = ?";
    /** A rebuild: every message is indexed again from the first. */
    static final String RESET_MARK = "UPDATE search_mark SET mark = 0, conversation_id = NULL, seq = NULL";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqliteSearchFile.class);

    private final Path file;
    private final SQLiteConfig config;

    SqliteSearchFile(Path storeFile, boolean fsync) {
        this.file = of(storeFile);
        this.config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // As durable as the store: the mark moves past a message, and an edit leaves the backlog, at this commit.
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
     * Makes the file ready to be written and attached (at start-up: blocks): made anew when missing, incomplete, of
     * another version, or when its mark names another message than the store's row at that rowid ({@code store}: a
     * connection to the store's file).
     */
    void open(Connection store) throws SQLException {
        try (Connection c = open();
                Statement s = c.createStatement()) {
            if (userVersion(s) == VERSION && markHolds(s, store)) {
                return;
            }
            c.setAutoCommit(false);
            s.execute("DROP TABLE IF EXISTS search_fts");
            s.execute("DROP TABLE IF EXISTS search_docs");
            s.execute("DROP TABLE IF EXISTS search_mark");
            s.execute(DOCS);
            s.execute(FTS);
            s.execute(MARK);
            s.execute("INSERT INTO search_mark (id, mark) VALUES (1, 0)");
            s.execute("PRAGMA user_version = " + VERSION);
            c.commit();
        }
    }

    /** True when the mark is 0 or the store's row at its rowid is the message it was. */
    private static boolean markHolds(Statement s, Connection store) throws SQLException {
        long mark;
        String conversationId;
        long seq;
        try (ResultSet rs = s.executeQuery("SELECT mark, conversation_id, seq FROM search_mark")) {
            if (!rs.next()) {
                return false;
            }
            mark = rs.getLong(1);
            conversationId = rs.getString(2);
            seq = rs.getLong(3);
        }
        if (mark == 0) {
            return true;
        }
        try (PreparedStatement ps = store.prepareStatement("SELECT conversation_id, seq FROM events WHERE rowid = ?")) {
            ps.setLong(1, mark);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getString(1).equals(conversationId) && rs.getLong(2) == seq) {
                    return true;
                }
            }
        }
        LOG.warn(
                "the search index's mark (rowid {}: {}/{}) names another message of the store now; "
                        + "the index is made anew and every message indexed again",
                mark,
                conversationId,
                seq);
        return false;
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
