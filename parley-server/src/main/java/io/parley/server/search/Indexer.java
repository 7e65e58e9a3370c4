package io.parley.server.search;

import io.parley.server.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's {@link SearchIndex} up to date: every {@code interval} it works through the store's backlog in
 * batches of {@code batch} until the backlog is shorter than a batch. A batch that comes back full (the backlog holds
 * more) makes the next one of the run twice as large, up to {@link #MAX_GROWTH} times {@code batch}: one batch is
 * one index transaction and a few round trips, so under a send rate that outruns batches of the configured size, the
 * indexer takes larger ones (cheaper per message) instead of falling further behind. It starts with whatever the backlog holds (the
 * backfill after an upgrade, what a crash left queued, a rebuild), and resumes there after any failure, because a
 * batch leaves the backlog only when its transaction commits. The send path never calls it: a message is queued in
 * its own transaction and found once the next run has indexed it (the lag is at most one interval plus the
 * batches ahead of it).
 *
 * <p>Runs on the scheduler it is given (a thread of its own in production: it waits for its batches) and never on
 * an event loop. {@link #close()} stops the runs; a batch already running finishes.
 */
public final class Indexer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
    /** How much larger than the configured batch a run's batches may grow while the backlog keeps them full. */
    static final int MAX_GROWTH = 8;

    /** The longest a run waits for one batch before giving up until the next run. */
    private static final long BATCH_TIMEOUT_SECONDS = 60;

    private final SearchIndex index;
    private final int batch;
    private final Clock clock;
    private final LongConsumer lagMillis;
    private final Scheduler.Cancellable task;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong indexed = new java.util.concurrent.atomic.AtomicLong();

    /**
     * {@code lagMillis} is told, for each message indexed, how long after its last change (creation, edit, deletion)
     * its batch committed, by {@code clock}: the node's {@code parley_search_index_lag_seconds}.
     */
    public Indexer(
            SearchIndex index, Scheduler scheduler, Duration interval, int batch, Clock clock, LongConsumer lagMillis) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, was " + batch);
        }
        this.index = index;
        this.batch = batch;
        this.clock = clock;
        this.lagMillis = lagMillis;
        this.task = scheduler.every(interval, this::run);
    }

    /** Indexes until the backlog is shorter than one batch; returns how many messages it took off the backlog. */
    public long run() {
        long total = 0;
        int size = batch;
        while (!closed) {
            int n;
            try {
                n = index.indexQueued(size, this::lag).get(BATCH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return total;
            } catch (ExecutionException | TimeoutException e) {
                // Left queued; the next run tries again (the store may be restarting).
                LOG.warn("indexing a batch of the search backlog failed; it stays queued", e);
                return total;
            }
            total += n;
            indexed.addAndGet(n);
            if (n < size) {
                break;
            }
            size = (int) Math.min((long) batch * MAX_GROWTH, 2L * size);
        }
        return total;
    }

    private void lag(long changedAt) {
        if (changedAt > 0) {
            lagMillis.accept(Math.max(0, clock.millis() - changedAt));
        }
    }

    /** How many messages this indexer has indexed since it started. */
    public long indexed() {
        return indexed.get();
    }

    @Override
    public void close() {
        closed = true;
        task.cancel();
    }
}
