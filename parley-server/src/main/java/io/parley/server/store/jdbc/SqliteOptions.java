package io.parley.server.store.jdbc;

/**
 * SQLite settings. {@code fsync}: synchronous=FULL (an acked write survives power loss) instead of NORMAL (survives a
 * process crash). {@code maxBatch}: most writes per group commit. {@code readers}: read connections and threads.
 */
public record SqliteOptions(boolean fsync, int maxBatch, int readers) {
    public static SqliteOptions defaults() {
        return new SqliteOptions(true, 512, 4);
    }
}
