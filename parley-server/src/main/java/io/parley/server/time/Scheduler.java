package io.parley.server.time;

import java.time.Clock;
import java.time.Duration;

/**
 * The one way a part of the server waits: one-shot and periodic tasks, and the clock they are timed by. Injected
 * from the composition root, so a test can give every part a {@code ManualScheduler} and move time on instead of
 * sleeping.
 * <p>
 * Contract:
 * <ul>
 *   <li><b>Clock.</b> {@link #clock()} is the time the tasks are due by: a part that compares timestamps with
 *   what the scheduler runs (an idle check, a TTL) reads this clock, never the system's.</li>
 *   <li><b>One-shot.</b> {@link #after} runs the task once, no earlier than {@code delay} from now.</li>
 *   <li><b>Periodic.</b> {@link #every} runs the task first one {@code period} from now, then again one period after
 *   each run, until cancelled. A run that throws is logged and does not stop later runs.</li>
 *   <li><b>Threads.</b> Tasks run on the scheduler's thread (an implementation says which); a task that must run on
 *   a given thread or event loop hands itself over. Tasks must not block: others wait behind them.</li>
 *   <li><b>Cancel.</b> {@link Cancellable#cancel()} is idempotent; a task cancelled before it is due never runs, one
 *   already running finishes.</li>
 * </ul>
 */
public interface Scheduler {

    /** The time tasks are due by. */
    Clock clock();

    /** Runs {@code task} once, {@code delay} from now. */
    Cancellable after(Duration delay, Runnable task);

    /** Runs {@code task} every {@code period}, the first time one period from now. */
    Cancellable every(Duration period, Runnable task);

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Idempotent: the task does not run again (a run in progress finishes). */
        void cancel();
    }
}
