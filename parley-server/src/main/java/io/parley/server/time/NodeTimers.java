package io.parley.server.time;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schedulers of one node, handed out by the composition root. In production each part that waits gets a named
 * thread of its own ({@link ExecutorScheduler}: a slow batch of one part never delays another's timers, and a thread
 * dump says whose timer is whose), all on one clock and all stopped by {@link #close()}. Under test one given scheduler
 * (a manual one) times every part, so advancing it moves the whole node's time.
 */
public final class NodeTimers implements AutoCloseable {
    private final Clock clock;
    private final Scheduler shared;
    private final Map<String, ExecutorScheduler> threads = new LinkedHashMap<>();

    private NodeTimers(Clock clock, Scheduler shared) {
        this.clock = clock;
        this.shared = shared;
    }

    /** A thread per part, on {@code clock}. */
    public static NodeTimers threads(Clock clock) {
        return new NodeTimers(clock, null);
    }

    /** {@code scheduler} for every part; {@link #close()} leaves it running (it is the caller's). */
    public static NodeTimers shared(Scheduler scheduler) {
        return new NodeTimers(scheduler.clock(), scheduler);
    }

    /** The node's clock: the one every scheduler here is timed by. */
    public Clock clock() {
        return clock;
    }

    /** The given scheduler if shared; else the thread named {@code name}, started on first use. */
    public synchronized Scheduler thread(String name) {
        if (shared != null) {
            return shared;
        }
        return threads.computeIfAbsent(name, n -> new ExecutorScheduler(n, clock));
    }

    /** The scheduler every part shares, or null when each has a thread of its own (production). */
    public Scheduler sharedOrNull() {
        return shared;
    }

    /** Stops the threads started here, in the order they were started. */
    @Override
    public synchronized void close() {
        threads.values().forEach(ExecutorScheduler::close);
        threads.clear();
    }
}
