package io.parley.server.store.jdbc;

import io.parley.server.store.CommitListener;
import io.parley.server.store.Committed;
import io.parley.server.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer with group commit (a lane of the {@link Writer}: SQLite has one, PostgreSQL {@code store.writers}).
 * Operations queue up; the writer thread takes as many as are waiting (up to
 * {@code maxBatch}), runs them in ONE transaction, commits once, then, in queue order, hands each operation's events
 * to the {@link CommitListener} and completes its future. One fsync serves the whole batch, and nothing is published
 * or acknowledged before the commit returns.
 *
 * <p>With several nodes on one PostgreSQL database (docs/architecture.md, "Writes from several nodes"):
 * <ul>
 *   <li>A batch locks every conversation its operations declared ({@link Writer#submit(String, Writer.Op)}) at its start, in one
 *       statement, in id order. Two nodes' batches then never hold one conversation each while waiting for the
 *       other's: they queue behind each other instead of deadlocking.</li>
 *   <li>That lock skips the rows another node's batch holds ({@code SKIP LOCKED}): the writes to those
 *       conversations wait for this node's next batch, first in it and in their order, instead of the whole batch
 *       waiting for the other node's commit (and every batch queued behind this one waiting too). A write deferred
 *       {@link BatchAttempt#MAX_DEFERRALS} times, or a batch with nothing else to run, waits for the lock.</li>
 *   <li>A deadlock, serialization failure or lock timeout that still happens (rows other than conversations) rolls
 *       back the WHOLE transaction, which releases every lock the batch took, and the batch runs again after a
 *       jittered backoff. Retrying one operation inside the transaction would keep those locks and rebuild the
 *       cycle.</li>
 * </ul>
 *
 * <p>Operations run without savepoints, since a batch of writes that all succeed (the usual case) then costs one
 * round trip less per statement pair. When one fails, the transaction is rolled back and the batch runs again with
 * a savepoint per operation, so one failure fails only itself.
 */
final class WriterLane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

    private static final WriteJob<Void> POISON = new WriteJob<>(null, null, null, tx -> null);

    /** How long {@link #close()} lets the writer finish what is queued before it aborts the connection. */
    static final long CLOSE_MILLIS = 3_000;

    private final SqlDialect dialect;
    private final Writer.ConnectionFactory factory;
    private Connection connection;
    private Tx tx;
    private final CommitListener listener;
    private final int maxBatch;
    private final LinkedBlockingQueue<WriteJob<?>> queue;
    private final Thread thread;
    private Statement control;
    private BatchAttempt attempts;
    /** Jobs the last batch left for the next one (their conversation was held by another node); writer thread only. */
    private final List<WriteJob<?>> carry = new ArrayList<>();

    private volatile boolean closed;
    /** Set by {@link #close()} when its deadline passed: fail what is left, retry nothing, reconnect nothing. */
    private volatile boolean abandoned;
    /** The connection the writer thread uses now, for {@link #close()} to abort. */
    private volatile Connection current;

    /** With the queue given: tests pass one that can hold a submit between its check and its enqueue. */
    WriterLane(
            SqlDialect dialect,
            Writer.ConnectionFactory factory,
            CommitListener listener,
            int maxBatch,
            LinkedBlockingQueue<WriteJob<?>> queue,
            String threadName)
            throws SQLException {
        this.queue = queue;
        this.dialect = dialect;
        this.factory = factory;
        this.listener = listener;
        this.maxBatch = maxBatch;
        connect();
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void connect() throws SQLException {
        connection = factory.open();
        current = connection;
        tx = new Tx(connection, dialect);
        control = connection.createStatement();
        for (String setting : dialect.writerSession) {
            control.execute(setting);
        }
        attempts = new BatchAttempt(dialect, connection, control, tx);
    }

    /**
     * After a failed batch: when the connection itself is broken (database restarted, network), open a new one so the
     * next batch can commit. The failed batch's writes were not acknowledged; their clients retry.
     */
    private void reconnectIfBroken() {
        if (abandoned) {
            return;
        }
        try {
            if (connection.isValid(2)) {
                return;
            }
        } catch (SQLException e) {
            LOG.debug("connection check failed", e);
        }
        LOG.warn("the writer's database connection is broken; reconnecting");
        tx.closeStatements();
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing the broken connection failed", e);
        }
        try {
            connect();
        } catch (SQLException e) {
            // Keep the closed connection: the next batch fails fast and tries again.
            LOG.warn("reconnecting the writer failed: {}", e.getMessage());
        }
    }

    /** Queues a job (see {@link Writer#submit(String, Writer.Op)}). */
    <T> CompletableFuture<T> enqueue(WriteJob<T> job) {
        // Checked before and after enqueueing: close() sets the flag, then drains the queue once the writer stopped,
        // so a job added after that drain sees the flag here and takes itself back out.
        if (closed) {
            return CompletableFuture.failedFuture(new StoreException.Closed());
        }
        queue.add(job);
        if (closed && queue.remove(job)) {
            job.future.completeExceptionally(new StoreException.Closed());
        }
        return job.future;
    }

    private void loop() {
        List<WriteJob<?>> batch = new ArrayList<>(maxBatch);
        boolean stopping = false;
        while (!stopping) {
            batch.clear();
            try {
                if (carry.isEmpty()) {
                    WriteJob<?> first = queue.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                } else {
                    // Jobs the last batch left for this one come first, in their order.
                    batch.addAll(carry);
                    carry.clear();
                }
                queue.drainTo(batch, Math.max(0, maxBatch - batch.size()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            int poison = batch.indexOf(POISON);
            if (poison >= 0) {
                stopping = true;
                // Jobs queued after the poison cannot exist (close() enqueues it last after refusing new jobs),
                // but drain defensively so no future is left pending.
                List<WriteJob<?>> rest = new ArrayList<>(batch.subList(poison + 1, batch.size()));
                batch.subList(poison, batch.size()).clear();
                queue.drainTo(rest);
                batch.addAll(rest);
            }
            if (abandoned) {
                // close() gave up waiting: what is still queued fails now rather than on a new connection.
                failAll(batch, new StoreException.Closed());
            } else if (!batch.isEmpty()) {
                // A stopping writer runs everything now: nothing may be left for a next batch.
                runBatch(batch, stopping ? null : carry);
            }
        }
        tx.closeStatements();
    }

    /** Told the duration of each successful group commit (nanoseconds), for metrics. */
    private volatile java.util.function.LongConsumer commitObserver = n -> {};

    void observeCommits(java.util.function.LongConsumer observer) {
        this.commitObserver = observer;
    }

    /**
     * Runs the batch; on PostgreSQL the jobs whose conversation another node's batch holds may leave it for
     * {@code deferred} ({@link BatchAttempt#run}), which the next batch starts with.
     */
    private void runBatch(List<WriteJob<?>> batch, List<WriteJob<?>> deferred) {
        long started = System.nanoTime();
        // Writes run without savepoints first; after a failure the batch runs again with one per write (and a
        // batch of one needs none: rolling back the transaction undoes exactly its writes).
        boolean isolate = false;
        for (int attempt = 1; ; ) {
            BatchAttempt.Outcome outcome;
            try {
                if (connection.isClosed()) {
                    connect();
                }
                outcome = attempts.run(batch, isolate, deferred);
            } catch (BatchAttempt.Conflict conflict) {
                rollback(conflict.cause);
                if (attempt >= BatchAttempt.BATCH_ATTEMPTS || abandoned) {
                    LOG.warn(
                            "a batch of {} writes kept conflicting with another node's ({} attempts): {}",
                            batch.size(),
                            attempt,
                            conflict.getMessage());
                    failAll(batch, conflict.cause);
                    return;
                }
                LOG.debug("batch of {} writes runs again after {}", batch.size(), conflict.cause.getSQLState());
                backoff(attempt++);
                continue;
            } catch (SQLException e) {
                LOG.error("group commit of {} writes failed", batch.size(), e);
                rollback(e);
                failAll(batch, e);
                reconnectIfBroken();
                return;
            }
            if (outcome == BatchAttempt.Outcome.OPERATION_FAILED) {
                rollbackQuietly();
                if (batch.size() == 1 || abandoned) {
                    batch.get(0).events.clear();
                    failOrComplete(batch);
                    return;
                }
                isolate = true;
                continue;
            }
            commitObserver.accept(System.nanoTime() - started);
            publishAndComplete(batch);
            return;
        }
    }

    /** After the commit, in queue order: the events of each successful write to the listener, then its future. */
    private void publishAndComplete(List<WriteJob<?>> batch) {
        for (WriteJob<?> job : batch) {
            if (job.failure == null) {
                if (!job.events.isEmpty()) {
                    try {
                        listener.committedAll(job.events);
                    } catch (RuntimeException listenerFailure) {
                        // The write is durable; a failing listener must not turn its ack into an error.
                        Committed first = job.events.get(0);
                        LOG.error(
                                "commit listener failed for {}#{} ({} events)",
                                first.entry().conversationId(),
                                first.entry().seq(),
                                job.events.size(),
                                listenerFailure);
                    }
                }
            }
            job.complete();
        }
    }

    /** Completes each job with what it recorded (after a rollback: only failures can stand). */
    private static void failOrComplete(List<WriteJob<?>> batch) {
        for (WriteJob<?> job : batch) {
            if (job.failure == null) {
                job.failure = new SQLException("the batch was rolled back");
            }
            job.complete();
        }
    }

    private void rollback(Exception cause) {
        try {
            control.execute("ROLLBACK");
        } catch (SQLException rollback) {
            cause.addSuppressed(rollback);
        }
    }

    private void rollbackQuietly() {
        try {
            control.execute("ROLLBACK");
        } catch (SQLException e) {
            LOG.debug("rollback failed", e);
        }
    }

    private static void backoff(int attempt) {
        long base =
                Math.min(BatchAttempt.MAX_BACKOFF_NANOS, BatchAttempt.FIRST_BACKOFF_NANOS << Math.min(attempt - 1, 20));
        LockSupport.parkNanos(base / 2 + ThreadLocalRandom.current().nextLong(base));
    }

    private static void failAll(List<WriteJob<?>> batch, Throwable e) {
        for (WriteJob<?> job : batch) {
            job.failure = e;
            job.events.clear();
            job.complete();
        }
    }

    /**
     * Refuses new writes, runs what is queued, and stops the thread, within {@link #CLOSE_MILLIS}: when the writer is
     * still busy then (a slow database, a lock another node holds), its connection is aborted, so the statement it
     * waits in fails and every write not committed by then fails (none of them was acknowledged). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(POISON);
        join(CLOSE_MILLIS);
        if (thread.isAlive()) {
            LOG.warn("the store writer is still busy {} ms after close; aborting its connection", CLOSE_MILLIS);
            abandoned = true;
            try {
                current.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                LOG.warn("aborting the writer's connection failed", e);
            }
            thread.interrupt();
            join(CLOSE_MILLIS);
        }
        // Anything that raced past the closed flag after the poison was taken.
        List<WriteJob<?>> late = new ArrayList<>();
        queue.drainTo(late);
        for (WriteJob<?> job : late) {
            if (job != POISON) {
                job.future.completeExceptionally(new StoreException.Closed());
            }
        }
        if (thread.isAlive()) {
            LOG.error("the store writer did not stop; its connection is left to the pool's close");
            return;
        }
        try {
            control.close();
            connection.close();
        } catch (SQLException e) {
            LOG.warn("closing writer connection failed", e);
        }
    }

    private void join(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
