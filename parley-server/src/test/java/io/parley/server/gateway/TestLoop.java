package io.parley.server.gateway;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A session's event loop whose thread is the test's: tasks handed to it (from the store's threads, the bus, timers)
 * queue until the test runs them, so the session stays confined to one thread and the test decides when it moves.
 */
final class TestLoop implements Executor {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs what is queued now, and what those tasks queue in turn; returns how many ran. */
    int runQueued() {
        int n = 0;
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
            n++;
        }
        return n;
    }

    /**
     * Runs tasks as they come (a store read or write completes on the store's threads) until {@code done} holds,
     * failing after a deadline.
     */
    void runUntil(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        runQueued();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Runnable r = tasks.poll(left, TimeUnit.NANOSECONDS);
            if (r != null) {
                r.run();
                runQueued();
            }
        }
    }
}
