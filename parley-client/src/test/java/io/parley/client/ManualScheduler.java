package io.parley.client;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link ClientScheduler} on the test's own thread whose time stands still until {@link #advance}: submitted
 * tasks run at once on the caller (queued behind the running one when submitted from a task, so they never nest),
 * and timers run in due order when the test advances past them (ties in the order scheduled; a periodic task is
 * re-armed one period after its due time). A task that throws fails the test.
 */
final class ManualScheduler implements ClientScheduler {
    private static final class Timer implements Task {
        long dueNanos;
        long order;
        final long periodNanos;
        final Runnable task;
        boolean cancelled;

        Timer(long dueNanos, long order, long periodNanos, Runnable task) {
            this.dueNanos = dueNanos;
            this.order = order;
            this.periodNanos = periodNanos;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(
            (a, b) -> a.dueNanos != b.dueNanos ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.order, b.order));
    private long nowNanos;
    private long order;
    private boolean running;
    private boolean shut;

    @Override
    public void execute(Runnable command) {
        if (shut) {
            throw new RejectedExecutionException("scheduler shut down");
        }
        ready.add(command);
        if (!running) {
            running = true;
            try {
                Runnable r;
                while ((r = ready.poll()) != null) {
                    r.run();
                }
            } finally {
                running = false;
            }
        }
    }

    @Override
    public Task after(long millis, Runnable task) {
        Timer t = new Timer(nowNanos + millis * 1_000_000, order++, 0, task);
        timers.add(t);
        return t;
    }

    @Override
    public Task every(long millis, Runnable task) {
        Timer t = new Timer(nowNanos + millis * 1_000_000, order++, millis * 1_000_000, task);
        timers.add(t);
        return t;
    }

    @Override
    public long nanoTime() {
        return nowNanos;
    }

    @Override
    public void shutdown() {
        shut = true;
        timers.clear();
    }

    /** Moves time forward by {@code millis}, running every task that falls due on the way at its due time. */
    void advance(long millis) {
        long target = nowNanos + millis * 1_000_000;
        while (!timers.isEmpty() && timers.peek().dueNanos <= target) {
            Timer t = timers.poll();
            if (t.cancelled) {
                continue;
            }
            nowNanos = t.dueNanos;
            if (t.periodNanos > 0) {
                t.dueNanos += t.periodNanos;
                t.order = order++;
                timers.add(t);
            }
            execute(() -> {
                if (!t.cancelled) {
                    t.task.run();
                }
            });
        }
        nowNanos = target;
    }
}
