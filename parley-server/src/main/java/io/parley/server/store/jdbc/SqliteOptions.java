package io.parley.server.store.jdbc;

/**
 * SQLite settings. {@code fsync}: synchronous=FULL (an acked write survives power loss) instead of NORMAL (survives a
 * process crash). {@code maxBatch}: most writes per group commit. {@code readers}: read connections and threads.
 */
public record SqliteOptions(boolean fsync, int maxBatch, int readers) {
    public SqliteOptions {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        if (readers < 1) {
            throw new IllegalArgumentException("readers must be at least 1, was " + readers);
        }
    }

    public SqliteOptions withFsync(boolean fsync) {
        return new SqliteOptions(fsync, maxBatch, readers);
    }

    public static SqliteOptions defaults() {
        return new SqliteOptions(true, 512, 4);
    }
}
