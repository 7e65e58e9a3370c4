package io.parley.server.store.jdbc;

import io.parley.server.time.ExecutorScheduler;
import io.parley.server.time.Scheduler;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves SQLite's write-ahead log into the database file from its own thread and connection, so the writer's group
 * commits never stop for it. Left to itself, SQLite checkpoints inside the commit that pushes the log past
 * {@link #WRITER_BACKSTOP_PAGES}: the writer (and every ack waiting on it) would stall while pages are copied and the
 * database file is synced. Here a PASSIVE checkpoint runs every {@link #PERIOD_MILLIS}; it copies what no reader still
 * needs and never blocks the writer. The writer keeps a high automatic checkpoint as a backstop, should this thread fall
 * behind.
 * <p>
 * The checkpoint blocks while it copies pages, so the scheduler given must be one this checkpointer may hold up: in a
 * node, a thread of its own ({@code parley-sqlite-checkpoint}).
 */
final class SqliteCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);
    static final long PERIOD_MILLIS = 500;
    /** The writer's own wal_autocheckpoint (pages of 4 KiB): only reached if the background checkpoints fall behind. */
    static final int WRITER_BACKSTOP_PAGES = 20_000;

    private final Connection connection;
    private final Scheduler.Cancellable task;
    /** Guarded by this: a checkpoint and close() never overlap, so the connection is not closed under a checkpoint. */
    private boolean closed;

    private int failures;

    /** The thread this checkpointer made for itself (no scheduler given), closed with it; else null. */
    private final ExecutorScheduler ownThread;

    /** Checkpoints on {@code scheduler}, which stays the caller's; null: on a thread of its own. */
    SqliteCheckpointer(Connection connection, Scheduler scheduler) {
        this.connection = connection;
        this.ownThread = scheduler == null ? new ExecutorScheduler("parley-sqlite-checkpoint") : null;
        this.task =
                (scheduler == null ? ownThread : scheduler).every(Duration.ofMillis(PERIOD_MILLIS), this::checkpoint);
    }

    private synchronized void checkpoint() {
        if (closed) {
            return;
        }
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(PASSIVE)");
            failures = 0;
        } catch (SQLException e) {
            // The writer's backstop checkpoint still bounds the log; say so once per run of failures.
            if (failures++ == 0) {
                LOG.warn(
                        "background WAL checkpoint failed (the writer checkpoints by itself meanwhile): {}",
                        e.toString());
            }
        }
    }

    @Override
    public void close() throws SQLException {
        task.cancel();
        // Waits for a checkpoint in progress (PASSIVE: it never waits on the writer, so this is short).
        synchronized (this) {
            closed = true;
            if (ownThread != null) {
                ownThread.close();
            }
            connection.close();
        }
    }
}
