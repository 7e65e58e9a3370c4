package io.parley.server.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} for tests: time stands still until {@link #advance} moves it, and then every task that fell due
 * runs on the calling thread, in the order of its due time (ties in the order they were scheduled), with the clock set
 * to that due time while it runs. A periodic task runs as often as it fell due. Tasks may be scheduled from any thread
 * (event loops, the store's threads); a task scheduled by a running task runs in the same advance if it falls due.
 * <p>
 * The clock starts at the system's time, so tokens signed with the system clock are valid on it.
 */
public final class ManualScheduler implements Scheduler {
    private final Object lock = new Object();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final ManualClock clock;
    private long sequence;

    public ManualScheduler() {
        this(Instant.now());
    }

    public ManualScheduler(Instant start) {
        this.clock = new ManualClock(start);
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Cancellable after(Duration delay, Runnable task) {
        return schedule(delay, null, task);
    }

    @Override
    public Cancellable every(Duration period, Runnable task) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        return schedule(period, period, task);
    }

    /**
     * Moves the clock forward by {@code by}, running what falls due on the way; returns how many runs there were.
     * Runs happen on this thread, outside the scheduler's lock.
     */
    public int advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time does not go back: " + by);
        }
        Instant target;
        synchronized (lock) {
            target = clock.now.plus(by);
        }
        int runs = 0;
        while (true) {
            Task next;
            synchronized (lock) {
                next = queue.peek();
                if (next == null || next.due.isAfter(target)) {
                    clock.now = target;
                    return runs;
                }
                queue.poll();
                clock.now = next.due;
            }
            if (!next.origin.cancelled) {
                next.task.run();
                runs++;
                synchronized (lock) {
                    if (next.period != null && !next.origin.cancelled) {
                        queue.add(new Task(next.due.plus(next.period), next.period, next.task, sequence++, next));
                    }
                }
            }
        }
    }

    /** Runs what is due now (a task scheduled with no delay) without moving the clock. */
    public int runDue() {
        return advance(Duration.ZERO);
    }

    /** Tasks waiting to run (cancelled ones excluded). */
    public int pending() {
        synchronized (lock) {
            return (int) queue.stream().filter(t -> !t.origin.cancelled).count();
        }
    }

    /** When the next task is due, or null. */
    public Instant nextDue() {
        synchronized (lock) {
            List<Task> live = new ArrayList<>(queue);
            return live.stream()
                    .filter(t -> !t.origin.cancelled)
                    .map(t -> t.due)
                    .min(Instant::compareTo)
                    .orElse(null);
        }
    }

    private Cancellable schedule(Duration delay, Duration period, Runnable task) {
        synchronized (lock) {
            Task t = new Task(
                    clock.now.plus(delay.isNegative() ? Duration.ZERO : delay), period, task, sequence++, null);
            queue.add(t);
            return () -> t.origin.cancelled = true;
        }
    }

    /** One run of a task; the repeats of a periodic task share their origin, which holds the cancel flag. */
    private static final class Task implements Comparable<Task> {
        final Instant due;
        final Duration period;
        final Runnable task;
        final long order;
        final Task origin;
        volatile boolean cancelled;

        Task(Instant due, Duration period, Runnable task, long order, Task origin) {
            this.due = due;
            this.period = period;
            this.task = task;
            this.order = order;
            this.origin = origin == null ? this : origin.origin;
        }

        @Override
        public int compareTo(Task o) {
            int c = due.compareTo(o.due);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** Reads the scheduler's time; only {@link #advance} moves it. */
    private static final class ManualClock extends Clock {
        volatile Instant now;

        ManualClock(Instant start) {
            this.now = start;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("a manual clock is UTC");
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public long millis() {
            return now.toEpochMilli();
        }
    }
}
