package io.parley.server.time;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Threads the server's parts own (timers for batching, sweeping, heartbeats). */
public final class Threads {
    private Threads() {
    }

    /** A single daemon thread with the given name that runs scheduled tasks. */
    public static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
