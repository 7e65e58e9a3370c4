package io.parley.server.store.jdbc;

import io.parley.server.store.CommitListener;
import io.parley.server.store.LogEvent;
import io.parley.server.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The single writer with group commit. Operations queue up; the writer thread takes as many as are waiting (up to
 * {@code maxBatch}), runs them in ONE transaction, commits once, then, in queue order, hands each operation's events
 * to the {@link CommitListener} and completes its future. One fsync serves the whole batch, and nothing is published
 * or acknowledged before the commit returns.
 *
 * <p>With several nodes on one PostgreSQL database (docs/architecture.md, "Writes from several nodes"):
 * <ul>
 *   <li>A batch locks every conversation its operations declared ({@link #submit(String, Op)}) at its start, in one
 *       statement, in id order. Two nodes' batches then never hold one conversation each while waiting for the
 *       other's: they queue behind each other instead of deadlocking.</li>
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
final class Writer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

    /** A write operation; runs on the writer thread inside the batch transaction. */
    @FunctionalInterface
    interface Op<T> {
        T run(Tx tx) throws SQLException;
    }

    /**
     * Operations of one kind that can run together: consecutive jobs of one group run in one call (on PostgreSQL,
     * many statements in one round trip). When the batch must isolate its operations, each job runs its own
     * {@link Op} instead, in a savepoint; both must give the same outcome.
     */
    @FunctionalInterface
    interface Group<I> {
        /**
         * One outcome per input, in order, as if each had run alone in that order. A failure that wrote nothing is
         * an outcome; an exception fails the attempt (the batch then runs again, isolated).
         */
        List<Done> runAll(Tx tx, List<I> inputs) throws SQLException;
    }

    /** The outcome of one input of a {@link Group}: its result and events, or the failure (nothing written). */
    record Done(Object result, List<LogEvent> events, RuntimeException failure) {
        static Done of(Object result, List<LogEvent> events) {
            return new Done(result, events, null);
        }

        static Done failed(RuntimeException failure) {
            return new Done(null, List.of(), failure);
        }
    }

    /** What an operation sees: cached statements, and a place to emit the events it appended. */
    static final class Tx {
        private final Connection connection;
        private final Map<String, PreparedStatement> statements = new HashMap<>();
        /** Conversations this transaction locked at its start (PostgreSQL). */
        private final Set<String> locked = new HashSet<>();
        private List<LogEvent> emitted;

        Tx(Connection connection) {
            this.connection = connection;
        }

        PreparedStatement ps(String sql) throws SQLException {
            PreparedStatement ps = statements.get(sql);
            if (ps == null) {
                ps = connection.prepareStatement(sql);
                statements.put(sql, ps);
            }
            return ps;
        }

        void emit(LogEvent e) {
            emitted.add(e);
        }

        /** True when the batch already holds this conversation's row lock. */
        boolean holds(String conversationId) {
            return locked.contains(conversationId);
        }

        void closeStatements() {
            for (PreparedStatement ps : statements.values()) {
                try {
                    ps.close();
                } catch (SQLException e) {
                    LOG.warn("closing statement failed", e);
                }
            }
            statements.clear();
        }
    }

    private static final class Job<T> {
        final Op<T> op;
        /** The conversation the operation locks, or null. */
        final String conversationId;
        /** Set when the job may run with its neighbours of the same group: then {@code input} is its part. */
        final Group<Object> group;
        final Object input;
        final CompletableFuture<T> future = new CompletableFuture<>();
        final List<LogEvent> events = new ArrayList<>(2);
        T result;
        Throwable failure;

        @SuppressWarnings("unchecked")
        Job(String conversationId, Group<?> group, Object input, Op<T> op) {
            this.conversationId = conversationId;
            this.group = (Group<Object>) group;
            this.input = input;
            this.op = op;
        }

        @SuppressWarnings("unchecked")
        void take(Done done) {
            result = (T) done.result();
            events.addAll(done.events());
            failure = done.failure();
        }

        void reset() {
            result = null;
            failure = null;
            events.clear();
        }

        void complete() {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(result);
            }
        }
    }

    static final String THREAD_NAME = "parley-store-writer";

    private static final Job<Void> POISON = new Job<>(null, null, null, tx -> null);

    /** Opens the writer's connection (again, after one broke). */
    @FunctionalInterface
    interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    /**
     * SQLSTATEs worth running one operation again for, inside the same batch: unique violation (another node stored
     * the same idempotency key, user or direct pair first: the retry finds it). Waiting for that row held no lock of
     * ours that the other node needed, so the retry cannot rebuild a cycle.
     */
    private static final Set<String> RETRY_OPERATION = Set.of("23505");
    private static final int OPERATION_ATTEMPTS = 3;

    /**
     * SQLSTATEs after which the whole transaction is rolled back and the batch runs again: serialization failure,
     * deadlock, lock not available ({@code lock_timeout}). Rolling back releases every lock the batch holds.
     */
    private static final Set<String> RETRY_BATCH = Set.of("40001", "40P01", "55P03");
    static final int BATCH_ATTEMPTS = 6;
    /** First backoff before a batch runs again; doubled each time, capped at {@link #MAX_BACKOFF_NANOS}, +-50%. */
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** How long {@link #close()} lets the writer finish what is queued before it aborts the connection. */
    static final long CLOSE_MILLIS = 3_000;

    /** Thrown inside an attempt when the whole batch must run again. */
    private static final class BatchConflict extends Exception {
        final SQLException cause;

        BatchConflict(SQLException cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }
    }

    private final SqlDialect dialect;
    private final ConnectionFactory factory;
    private Connection connection;
    private Tx tx;
    private final CommitListener listener;
    private final int maxBatch;
    private final LinkedBlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private Statement control;
    private volatile boolean closed;
    /** Set by {@link #close()} when its deadline passed: fail what is left, retry nothing, reconnect nothing. */
    private volatile boolean abandoned;
    /** The connection the writer thread uses now, for {@link #close()} to abort. */
    private volatile Connection current;

    Writer(SqlDialect dialect, ConnectionFactory factory, CommitListener listener, int maxBatch) throws SQLException {
        this.dialect = dialect;
        this.factory = factory;
        this.listener = listener;
        this.maxBatch = maxBatch;
        connect();
        this.thread = new Thread(this::loop, THREAD_NAME);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void connect() throws SQLException {
        connection = factory.open();
        current = connection;
        tx = new Tx(connection);
        control = connection.createStatement();
        for (String setting : dialect.writerSession) {
            control.execute(setting);
        }
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

    /** Queues an operation that locks no existing conversation (users, new conversations). */
    <T> CompletableFuture<T> submit(Op<T> op) {
        return submit(null, op);
    }

    /**
     * Queues an operation that writes to {@code conversationId}'s log or members: on PostgreSQL its batch takes that
     * conversation's row lock at its start, with the others', in id order.
     */
    <T> CompletableFuture<T> submit(String conversationId, Op<T> op) {
        return enqueue(new Job<>(conversationId, null, null, op));
    }

    /**
     * As {@link #submit(String, Op)}, for an operation that may run together with the queued operations of the same
     * {@code group} next to it: {@code input} is its part of the group's call, {@code op} the same write alone.
     */
    <I, T> CompletableFuture<T> submit(String conversationId, Group<I> group, I input, Op<T> op) {
        return enqueue(new Job<>(conversationId, group, input, op));
    }

    private <T> CompletableFuture<T> enqueue(Job<T> job) {
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
        List<Job<?>> batch = new ArrayList<>(maxBatch);
        boolean stopping = false;
        while (!stopping) {
            batch.clear();
            try {
                Job<?> first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            int poison = batch.indexOf(POISON);
            if (poison >= 0) {
                stopping = true;
                // Jobs queued after the poison cannot exist (close() enqueues it last after refusing new jobs),
                // but drain defensively so no future is left pending.
                List<Job<?>> rest = new ArrayList<>(batch.subList(poison + 1, batch.size()));
                batch.subList(poison, batch.size()).clear();
                queue.drainTo(rest);
                batch.addAll(rest);
            }
            if (abandoned) {
                // close() gave up waiting: what is still queued fails now rather than on a new connection.
                failAll(batch, new StoreException.Closed());
            } else if (!batch.isEmpty()) {
                runBatch(batch);
            }
        }
        tx.closeStatements();
    }

    /** Told the duration of each successful group commit (nanoseconds), for metrics. */
    private volatile java.util.function.LongConsumer commitObserver = n -> { };

    void observeCommits(java.util.function.LongConsumer observer) {
        this.commitObserver = observer;
    }

    private void runBatch(List<Job<?>> batch) {
        long started = System.nanoTime();
        // A single operation needs no savepoint: rolling back the transaction undoes exactly its writes.
        boolean isolate = false;
        for (int attempt = 1; ; ) {
            Outcome outcome;
            try {
                outcome = attempt(batch, isolate);
            } catch (BatchConflict conflict) {
                rollback(conflict.cause);
                if (attempt >= BATCH_ATTEMPTS || abandoned) {
                    LOG.warn("a batch of {} writes kept conflicting with another node's ({} attempts): {}",
                            batch.size(), attempt, conflict.getMessage());
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
            if (outcome == Outcome.OPERATION_FAILED) {
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

    private enum Outcome { COMMITTED, OPERATION_FAILED }

    /**
     * One attempt at the batch: begin, lock its conversations, run its operations, commit. Without {@code isolate},
     * the first failing operation ends the attempt (OPERATION_FAILED, transaction still open for the caller to roll
     * back); with it, each runs in a savepoint and a failure fails only that operation.
     */
    private Outcome attempt(List<Job<?>> batch, boolean isolate) throws SQLException, BatchConflict {
        for (Job<?> job : batch) {
            job.reset();
        }
        if (connection.isClosed()) {
            connect();
        }
        control.execute(dialect.begin);
        tx.locked.clear();
        lockConversations(batch);
        for (int i = 0; i < batch.size(); ) {
            Job<?> job = batch.get(i);
            if (isolate) {
                runInSavepoint(job);
                i++;
            } else if (job.group != null) {
                int end = i + 1;
                while (end < batch.size() && batch.get(end).group == job.group) {
                    end++;
                }
                if (!runGroup(batch.subList(i, end))) {
                    return Outcome.OPERATION_FAILED;
                }
                i = end;
            } else if (runPlain(job)) {
                i++;
            } else {
                return Outcome.OPERATION_FAILED;
            }
        }
        try {
            control.execute("COMMIT");
        } catch (SQLException e) {
            rethrow(e);
        }
        return Outcome.COMMITTED;
    }

    /** Takes the row locks of every conversation the batch writes to, in id order, in one statement. */
    private void lockConversations(List<Job<?>> batch) throws SQLException, BatchConflict {
        if (dialect.lockConversations == null) {
            return;
        }
        TreeSet<String> ids = new TreeSet<>();
        for (Job<?> job : batch) {
            if (job.conversationId != null) {
                ids.add(job.conversationId);
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        PreparedStatement ps = tx.ps(dialect.lockConversations);
        ps.setArray(1, connection.createArrayOf("text", ids.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                tx.locked.add(rs.getString(1));
            }
        } catch (SQLException e) {
            rethrow(e);
        }
    }

    /** Runs consecutive jobs of one group in one call; false when the call failed (recorded on the first job). */
    private boolean runGroup(List<Job<?>> jobs) throws BatchConflict {
        List<Object> inputs = new ArrayList<>(jobs.size());
        for (Job<?> job : jobs) {
            inputs.add(job.input);
        }
        List<Done> done;
        try {
            done = jobs.get(0).group.runAll(tx, inputs);
        } catch (SQLException e) {
            if (RETRY_BATCH.contains(e.getSQLState())) {
                throw new BatchConflict(e);
            }
            jobs.get(0).failure = e;
            return false;
        } catch (RuntimeException e) {
            jobs.get(0).failure = e;
            return false;
        }
        for (int i = 0; i < jobs.size(); i++) {
            jobs.get(i).take(done.get(i));
        }
        return true;
    }

    /** Runs the operation in the open transaction; false when it failed (its failure is recorded). */
    private <T> boolean runPlain(Job<T> job) throws BatchConflict {
        tx.emitted = job.events;
        try {
            job.result = job.op.run(tx);
            return true;
        } catch (SQLException e) {
            if (RETRY_BATCH.contains(e.getSQLState())) {
                throw new BatchConflict(e);
            }
            job.failure = e;
            return false;
        } catch (RuntimeException e) {
            job.failure = e;
            return false;
        } finally {
            tx.emitted = null;
        }
    }

    private <T> void runInSavepoint(Job<T> job) throws SQLException, BatchConflict {
        for (int attempt = 1; ; attempt++) {
            job.reset();
            tx.ps("SAVEPOINT op").execute();
            tx.emitted = job.events;
            try {
                job.result = job.op.run(tx);
                tx.ps("RELEASE SAVEPOINT op").execute();
                return;
            } catch (SQLException | RuntimeException e) {
                if (e instanceof SQLException sql && RETRY_BATCH.contains(sql.getSQLState())) {
                    throw new BatchConflict(sql);
                }
                job.failure = e;
                job.events.clear();
                control.execute("ROLLBACK TO SAVEPOINT op");
                control.execute("RELEASE SAVEPOINT op");
            } finally {
                tx.emitted = null;
            }
            if (!(job.failure instanceof SQLException sql) || !RETRY_OPERATION.contains(sql.getSQLState())
                    || attempt == OPERATION_ATTEMPTS) {
                return;
            }
            LOG.debug("retrying a write after {} ({})", sql.getSQLState(), sql.getMessage());
        }
    }

    /** Rethrows {@code e}, as a {@link BatchConflict} when the whole batch should run again. */
    private static void rethrow(SQLException e) throws SQLException, BatchConflict {
        if (RETRY_BATCH.contains(e.getSQLState())) {
            throw new BatchConflict(e);
        }
        throw e;
    }

    /** After the commit, in queue order: the events of each successful write to the listener, then its future. */
    private void publishAndComplete(List<Job<?>> batch) {
        for (Job<?> job : batch) {
            if (job.failure == null) {
                for (LogEvent e : job.events) {
                    try {
                        listener.committed(e);
                    } catch (RuntimeException listenerFailure) {
                        // The write is durable; a failing listener must not turn its ack into an error.
                        LOG.error("commit listener failed for {}#{}", e.conversationId(), e.seq(), listenerFailure);
                    }
                }
            }
            job.complete();
        }
    }

    /** Completes each job with what it recorded (after a rollback: only failures can stand). */
    private static void failOrComplete(List<Job<?>> batch) {
        for (Job<?> job : batch) {
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
        long base = Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(attempt - 1, 20));
        LockSupport.parkNanos(base / 2 + ThreadLocalRandom.current().nextLong(base));
    }

    private static void failAll(List<Job<?>> batch, Throwable e) {
        for (Job<?> job : batch) {
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
        List<Job<?>> late = new ArrayList<>();
        queue.drainTo(late);
        for (Job<?> job : late) {
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
