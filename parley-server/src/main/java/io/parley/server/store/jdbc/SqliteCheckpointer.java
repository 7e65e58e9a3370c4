package io.parley.server.store.jdbc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Moves SQLite's write-ahead log into the database file from its own thread and connection, so the writer's group
 * commits never stop for it. Left to itself, SQLite checkpoints inside the commit that pushes the log past
 * {@link #WRITER_BACKSTOP_PAGES}: the writer (and every ack waiting on it) would stall while pages are copied and the
 * database file is synced. Here a PASSIVE checkpoint runs every {@link #PERIOD_MILLIS}; it copies what no reader still
 * needs and never blocks the writer. The writer keeps a high automatic checkpoint as a backstop, should this thread fall
 * behind.
 */
final class SqliteCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);
    static final long PERIOD_MILLIS = 500;
    /** The writer's own wal_autocheckpoint (pages of 4 KiB): only reached if the background checkpoints fall behind. */
    static final int WRITER_BACKSTOP_PAGES = 20_000;

    private final Connection connection;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parley-sqlite-checkpoint");
        t.setDaemon(true);
        return t;
    });
    private int failures;

    SqliteCheckpointer(Connection connection) {
        this.connection = connection;
        thread.scheduleWithFixedDelay(this::checkpoint, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void checkpoint() {
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(PASSIVE)");
            failures = 0;
        } catch (SQLException e) {
            // The writer's backstop checkpoint still bounds the log; say so once per run of failures.
            if (failures++ == 0) {
                LOG.warn("background WAL checkpoint failed (the writer checkpoints by itself meanwhile): {}", e.toString());
            }
        }
    }

    @Override
    public void close() throws SQLException {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("background WAL checkpoint did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }
}
