package io.parley.client;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a client's state lives and its timers run: {@link #execute} runs tasks one at a time, in submission order,
 * never two at once (the client's state is confined to it); {@link #after} and {@link #every} run tasks on the
 * same executor when due by {@link #nanoTime}, {@code every} with a fixed delay and its first run one period from
 * now. A cancelled task that has not started does not run. The default is one daemon thread ({@link #onThread});
 * the conformance tests pass a manual one whose time moves only when the test advances it.
 */
interface ClientScheduler extends Executor {
    /** A scheduled task; {@code cancel} is idempotent and harmless after the task ran. */
    interface Task {
        void cancel();
    }

    Task after(long millis, Runnable task);

    Task every(long millis, Runnable task);

    /** Monotonic time, in nanoseconds: the clock the tasks are due by. */
    long nanoTime();

    /** Stops running tasks; later submissions are rejected. */
    void shutdown();

    AtomicInteger THREADS = new AtomicInteger();

    /** One daemon thread named {@code parley-client-N} on {@link System#nanoTime()}. */
    static ClientScheduler onThread() {
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-client-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return new ClientScheduler() {
            @Override
            public void execute(Runnable command) {
                exec.execute(command);
            }

            @Override
            public Task after(long millis, Runnable task) {
                return cancelling(exec.schedule(task, millis, TimeUnit.MILLISECONDS));
            }

            @Override
            public Task every(long millis, Runnable task) {
                return cancelling(exec.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS));
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void shutdown() {
                exec.shutdown();
            }

            private Task cancelling(ScheduledFuture<?> f) {
                return () -> f.cancel(false);
            }
        };
    }
}
