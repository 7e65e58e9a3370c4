package io.parley.server.time;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Scheduler}: one daemon thread with a name (so a thread dump says whose timer it is), on the
 * system clock. Periodic tasks run with a fixed delay, as the parts' own executors did before this seam, so a slow
 * run postpones the next one instead of queueing runs behind it. {@link #close()} stops the thread.
 */
public final class ExecutorScheduler implements Scheduler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorScheduler.class);

    private final String name;
    private final Clock clock;
    private final ScheduledExecutorService executor;

    public ExecutorScheduler(String threadName) {
        this(threadName, Clock.systemUTC());
    }

    public ExecutorScheduler(String threadName, Clock clock) {
        this.name = threadName;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Cancellable after(Duration delay, Runnable task) {
        var f = executor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Cancellable every(Duration period, Runnable task) {
        long nanos = period.toNanos();
        var f = executor.scheduleWithFixedDelay(guarded(task), nanos, nanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    /** A ScheduledExecutorService silently stops a periodic task that throws once; the contract says it goes on. */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("task on {} failed", name, e);
            }
        };
    }

    /** Stops the thread; tasks not yet run are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
