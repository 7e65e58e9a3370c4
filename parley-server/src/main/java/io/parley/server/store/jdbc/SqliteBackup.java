package io.parley.server.store.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * Online copies of the SQLite store and checks of a copy before it is restored ({@code parley admin backup} and
 * {@code restore}).
 * <p>
 * The copy is SQLite's {@code VACUUM INTO} on a read-only connection of its own: it reads one consistent snapshot
 * (a WAL read transaction, so the server's writer goes on committing meanwhile, and what it commits after the
 * snapshot is not in the copy) and writes a compact, self-contained database file (no -wal beside it).
 */
public final class SqliteBackup {
    private SqliteBackup() {}

    /**
     * Copies the live database {@code db} to {@code out}, which must not exist, then checks the copy. Safe while the
     * server runs.
     */
    public static void copyOnline(Path db, Path out) throws SQLException {
        if (!Files.isRegularFile(db)) {
            throw new SQLException("no database at " + db.toAbsolutePath());
        }
        if (Files.exists(out)) {
            throw new SQLException(out + " exists; back up to a new file");
        }
        try (Connection c = readOnly(db);
                PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
            ps.setString(1, out.toAbsolutePath().toString());
            ps.execute();
        }
        List<String> problems = integrity(out);
        if (!problems.isEmpty()) {
            throw new SQLException("the copy " + out + " fails SQLite's integrity check: " + problems);
        }
    }

    /**
     * Checks a file before it is restored: a SQLite database that passes {@code PRAGMA integrity_check} and holds a
     * Parley schema this version knows. Returns its schema version; fails with what is wrong.
     */
    public static String checkRestorable(Path file) throws SQLException {
        if (!Files.isRegularFile(file)) {
            throw new SQLException("no file " + file.toAbsolutePath());
        }
        List<String> problems = integrity(file);
        if (!problems.isEmpty()) {
            throw new SQLException(file + " fails SQLite's integrity check: " + problems);
        }
        try (StoreCheck check = StoreCheck.sqlite(file)) {
            String version = check.schemaVersion();
            if (version == null) {
                throw new SQLException(file + " holds no Parley schema");
            }
            if (Integer.parseInt(version) > StoreCheck.SCHEMA_VERSION) {
                throw new SQLException(file + " has schema version " + version + ", newer than this Parley knows ("
                        + StoreCheck.SCHEMA_VERSION + ")");
            }
            return version;
        }
    }

    private static List<String> integrity(Path file) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection c = readOnly(file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            while (rs.next()) {
                if (!"ok".equals(rs.getString(1))) {
                    problems.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new SQLException(file + " is not a readable SQLite database: " + e.getMessage(), e);
        }
        return problems;
    }

    private static Connection readOnly(Path file) throws SQLException {
        SQLiteConfig c = new SQLiteConfig();
        c.setReadOnly(true);
        c.setBusyTimeout(10_000);
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), c.toProperties());
    }
}
