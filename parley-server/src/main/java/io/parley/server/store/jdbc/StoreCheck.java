package io.parley.server.store.jdbc;

import io.parley.server.config.StoreUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.sqlite.SQLiteConfig;

/**
 * A read-only self-check of a Parley database, for an operator on a live deployment ({@code parley admin verify}).
 * It has a connection of its own (never the store's writer), reads everything in ONE read-only transaction, so the
 * checks see one consistent snapshot while the server keeps writing (SQLite: a WAL read transaction; PostgreSQL:
 * REPEATABLE READ), and writes nothing: no migration, no lock beyond what a reader takes. It reads every event once
 * (a full scan), so on a large store it takes a while, never blocking the server's writer.
 * <p>
 * What it checks: every conversation's log holds seqs 1..last_seq, each once (no gap, no duplicate, none beyond
 * last_seq, none of an unknown conversation); message ids are unique and every edit, deletion and reaction names a
 * message of its conversation; each conversation's member_count matches its members; every member is a known user of
 * a known conversation; receipt cursors are within bounds ({@code 0 <= read_seq <= delivered_seq <= last_seq},
 * {@code 0 <= joined_seq <= last_seq}); on SQLite also {@code PRAGMA quick_check}.
 */
public final class StoreCheck implements AutoCloseable {
    /**
     * The newest schema version this Parley knows: the highest {@code V<n>__*.sql} under db/migration/{sqlite,
     * postgresql} (a test keeps the two equal).
     */
    public static final int SCHEMA_VERSION = 20;

    /** Findings listed in full; more are counted. */
    static final int MAX_FINDINGS = 200;

    private final Connection connection;
    private final boolean sqlite;

    /** What a check found: counts of what is stored, and one line per problem (empty: clean). */
    public record Report(String schemaVersion, Map<String, Long> counts, List<String> problems, long moreProblems) {
        public boolean clean() {
            return problems.isEmpty();
        }
    }

    private StoreCheck(Connection connection, boolean sqlite) {
        this.connection = connection;
        this.sqlite = sqlite;
    }

    /** A read-only connection to an existing SQLite database; fails when the file does not exist. */
    public static StoreCheck sqlite(Path file) throws SQLException {
        if (!Files.isRegularFile(file)) {
            throw new SQLException("no database at " + file.toAbsolutePath());
        }
        SQLiteConfig c = new SQLiteConfig();
        c.setReadOnly(true);
        c.setBusyTimeout(10_000);
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), c.toProperties());
        connection.setAutoCommit(false);
        return new StoreCheck(connection, true);
    }

    /** A read-only connection to the PostgreSQL database (and schema) of {@code store.url}. */
    public static StoreCheck postgres(StoreUrl.Postgres url) throws SQLException {
        Properties p = new Properties();
        if (url.user() != null) {
            p.setProperty("user", url.user());
        }
        if (url.password() != null) {
            p.setProperty("password", url.password());
        }
        p.setProperty("ApplicationName", "parley-admin");
        Connection connection = DriverManager.getConnection(url.jdbcUrl(), p);
        try {
            if (url.schema() != null) {
                connection.setSchema(url.schema());
            }
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return new StoreCheck(connection, false);
    }

    /** The applied schema version (Flyway's history), or null when Parley never migrated this database. */
    public String schemaVersion() throws SQLException {
        if (!hasTable("flyway_schema_history")) {
            return null;
        }
        String version = null;
        int best = -1;
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success = TRUE")) {
            while (rs.next()) {
                String v = rs.getString(1);
                if (v != null && v.matches("\\d+") && Integer.parseInt(v) > best) {
                    best = Integer.parseInt(v);
                    version = v;
                }
            }
        }
        return version;
    }

    private boolean hasTable(String name) throws SQLException {
        String sql = sqlite
                ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
                : "SELECT 1 FROM information_schema.tables WHERE table_name = ? AND table_schema = current_schema()";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Runs every check on one snapshot and ends the read transaction; changes nothing. */
    public Report verify() throws SQLException {
        Findings f = new Findings();
        String version = schemaVersion();
        try {
            if (version == null || !hasTable("conversations")) {
                f.add("no Parley schema in this database (start the server once to create it, or check store.url)");
                return f.report(version, Map.of());
            }
            if (Integer.parseInt(version) > SCHEMA_VERSION) {
                f.add("schema version " + version + " is newer than this Parley knows (" + SCHEMA_VERSION
                        + "): use the Parley that wrote it");
                return f.report(version, Map.of());
            }
            Map<String, Long> counts = counts(Integer.parseInt(version));
            if (sqlite) {
                storage(f);
            }
            seqs(f);
            messages(f);
            members(f);
            receipts(f);
            return f.report(version, counts);
        } finally {
            connection.rollback();
        }
    }

    private Map<String, Long> counts(int version) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("users", single("SELECT COUNT(*) FROM users"));
        if (version >= 4) {
            counts.put("banned users", single("SELECT COUNT(*) FROM users WHERE banned_at IS NOT NULL"));
        }
        counts.put("conversations", single("SELECT COUNT(*) FROM conversations"));
        counts.put("members", single("SELECT COUNT(*) FROM members"));
        counts.put("events", single("SELECT COUNT(*) FROM events"));
        counts.put("messages", single("SELECT COUNT(*) FROM events WHERE kind = 'message'"));
        counts.put(
                "deleted messages",
                single("SELECT COUNT(*) FROM events WHERE kind = 'message' AND deleted_at IS NOT NULL"));
        return counts;
    }

    private void storage(Findings f) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
            while (rs.next()) {
                String line = rs.getString(1);
                if (!"ok".equals(line)) {
                    f.add("SQLite quick_check: " + line);
                }
            }
        }
    }

    /** Each conversation's log: seqs 1..last_seq, each once. */
    private void seqs(Findings f) throws SQLException {
        String sql = "SELECT c.id, c.last_seq, COUNT(e.seq), COUNT(DISTINCT e.seq), COALESCE(MIN(e.seq), 0), "
                + "COALESCE(MAX(e.seq), 0) FROM conversations c LEFT JOIN events e ON e.conversation_id = c.id "
                + "GROUP BY c.id, c.last_seq ORDER BY c.id";
        List<String> broken = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                long last = rs.getLong(2);
                long count = rs.getLong(3);
                long distinct = rs.getLong(4);
                long min = rs.getLong(5);
                long max = rs.getLong(6);
                if (last < 0 || count != last || distinct != count || (count > 0 && (min != 1 || max != last))) {
                    broken.add(rs.getString(1));
                }
            }
        }
        for (String id : broken) {
            f.add(gaps(id));
        }
        eachRow(
                "SELECT e.conversation_id, COUNT(*) FROM events e LEFT JOIN conversations c ON c.id = e.conversation_id "
                        + "WHERE c.id IS NULL GROUP BY e.conversation_id ORDER BY e.conversation_id",
                rs -> f.add("events of unknown conversation " + rs.getString(1) + ": " + rs.getLong(2) + " event(s)"));
    }

    /** What is wrong with one conversation's seqs, in words. */
    private String gaps(String conversationId) throws SQLException {
        long last;
        try (PreparedStatement ps = connection.prepareStatement("SELECT last_seq FROM conversations WHERE id = ?")) {
            ps.setString(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                last = rs.getLong(1);
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> twice = new ArrayList<>();
        List<String> beyond = new ArrayList<>();
        long count = 0;
        long expected = 1;
        try (PreparedStatement ps =
                connection.prepareStatement("SELECT seq FROM events WHERE conversation_id = ? ORDER BY seq")) {
            ps.setString(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                long previous = Long.MIN_VALUE;
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    count++;
                    if (seq == previous) {
                        note(twice, Long.toString(seq));
                        continue;
                    }
                    previous = seq;
                    if (seq < 1 || seq > last) {
                        note(beyond, Long.toString(seq));
                        continue;
                    }
                    if (seq > expected) {
                        note(missing, expected == seq - 1 ? Long.toString(expected) : expected + "-" + (seq - 1));
                    }
                    expected = seq + 1;
                }
            }
        }
        if (expected <= last) {
            note(missing, expected == last ? Long.toString(last) : expected + "-" + last);
        }
        StringBuilder b = new StringBuilder(
                "conversation " + conversationId + ": last_seq " + last + " but " + count + " event(s)");
        if (!missing.isEmpty()) {
            b.append("; seq missing: ").append(String.join(", ", missing));
        }
        if (!twice.isEmpty()) {
            b.append("; seq stored twice: ").append(String.join(", ", twice));
        }
        if (!beyond.isEmpty()) {
            b.append("; seq outside 1..last_seq: ").append(String.join(", ", beyond));
        }
        return b.toString();
    }

    private static void note(List<String> list, String item) {
        if (list.size() < 10) {
            list.add(item);
        } else if (list.size() == 10) {
            list.add("...");
        }
    }

    /** Message ids are unique; edits, deletions and reactions name a message of their conversation. */
    private void messages(Findings f) throws SQLException {
        eachRow(
                "SELECT message_id, COUNT(*) FROM events WHERE kind = 'message' GROUP BY message_id "
                        + "HAVING COUNT(*) > 1 ORDER BY message_id",
                rs -> f.add("message id " + rs.getString(1) + " is used by " + rs.getLong(2) + " messages"));
        eachRow(
                "SELECT e.conversation_id, e.seq, e.kind, e.message_id FROM events e WHERE e.kind <> 'message' "
                        + "AND e.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events m WHERE m.kind = 'message' "
                        + "AND m.message_id = e.message_id AND m.conversation_id = e.conversation_id) "
                        + "ORDER BY e.conversation_id, e.seq",
                rs -> f.add("conversation " + rs.getString(1) + ": " + rs.getString(3) + " at seq " + rs.getLong(2)
                        + " names message " + rs.getString(4) + ", which is not a message of this conversation"));
    }

    /** Members belong to known conversations and are known users; member_count matches. */
    private void members(Findings f) throws SQLException {
        eachRow(
                "SELECT m.conversation_id, m.user_id FROM members m LEFT JOIN users u ON u.id = m.user_id "
                        + "WHERE u.id IS NULL ORDER BY m.conversation_id, m.user_id",
                rs -> f.add("conversation " + rs.getString(1) + ": member " + rs.getString(2) + " is no known user"));
        eachRow(
                "SELECT m.conversation_id, COUNT(*) FROM members m LEFT JOIN conversations c "
                        + "ON c.id = m.conversation_id WHERE c.id IS NULL GROUP BY m.conversation_id "
                        + "ORDER BY m.conversation_id",
                rs -> f.add("members of unknown conversation " + rs.getString(1) + ": " + rs.getLong(2)));
        eachRow(
                "SELECT c.id, c.member_count, (SELECT COUNT(*) FROM members m WHERE m.conversation_id = c.id) "
                        + "FROM conversations c WHERE c.member_count <> "
                        + "(SELECT COUNT(*) FROM members m WHERE m.conversation_id = c.id) ORDER BY c.id",
                rs -> f.add("conversation " + rs.getString(1) + ": member_count " + rs.getLong(2) + " but "
                        + rs.getLong(3) + " member(s)"));
    }

    /** 0 <= read_seq <= delivered_seq <= last_seq and 0 <= joined_seq <= last_seq. */
    private void receipts(Findings f) throws SQLException {
        eachRow(
                "SELECT m.conversation_id, m.user_id, m.read_seq, m.delivered_seq, m.joined_seq, c.last_seq "
                        + "FROM members m JOIN conversations c ON c.id = m.conversation_id "
                        + "WHERE m.read_seq < 0 OR m.read_seq > m.delivered_seq OR m.delivered_seq > c.last_seq "
                        + "OR m.joined_seq < 0 OR m.joined_seq > c.last_seq ORDER BY m.conversation_id, m.user_id",
                rs -> f.add("conversation " + rs.getString(1) + ": member " + rs.getString(2)
                        + " has cursors out of bounds (read_seq " + rs.getLong(3) + ", delivered_seq " + rs.getLong(4)
                        + ", joined_seq " + rs.getLong(5) + ", last_seq " + rs.getLong(6)
                        + "; want 0 <= read <= delivered <= last and 0 <= joined <= last)"));
    }

    private long single(String sql) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @FunctionalInterface
    private interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    private void eachRow(String sql, RowHandler handler) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                handler.row(rs);
            }
        }
    }

    private static final class Findings {
        final List<String> problems = new ArrayList<>();
        long more;

        void add(String problem) {
            if (problems.size() < MAX_FINDINGS) {
                problems.add(problem);
            } else {
                more++;
            }
        }

        Report report(String version, Map<String, Long> counts) {
            return new Report(version, counts, List.copyOf(problems), more);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
