package io.parley.server.store.jdbc;

import io.parley.server.store.CommitListener;
import io.parley.server.store.LogEvent;
import io.parley.server.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The single writer with group commit. Operations queue up; the writer thread takes as many as are waiting (up to
 * {@code maxBatch}), runs each inside its own savepoint of ONE transaction, commits once, then, in queue order,
 * hands each operation's events to the {@link CommitListener} and completes its future. One fsync serves the whole
 * batch, and nothing is published or acknowledged before the commit returns.
 */
final class Writer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

    /** A write operation; runs on the writer thread inside the batch transaction. */
    @FunctionalInterface
    interface Op<T> {
        T run(Tx tx) throws SQLException;
    }

    /** What an operation sees: cached statements, and a place to emit the events it appended. */
    static final class Tx {
        private final Connection connection;
        private final Map<String, PreparedStatement> statements = new HashMap<>();
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
        final CompletableFuture<T> future = new CompletableFuture<>();
        final List<LogEvent> events = new ArrayList<>(2);
        T result;
        Throwable failure;

        Job(Op<T> op) {
            this.op = op;
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

    private static final Job<Void> POISON = new Job<>(tx -> null);

    /** Opens the writer's connection (again, after one broke). */
    @FunctionalInterface
    interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    /**
     * SQLSTATEs worth running an operation again for, inside the same batch: serialization failure, deadlock (another
     * node's transaction locked the same conversations in another order), unique violation (another node stored the
     * same idempotency key or direct pair first: the retry finds it).
     */
    private static final java.util.Set<String> RETRYABLE = java.util.Set.of("40001", "40P01", "23505");
    private static final int ATTEMPTS = 3;

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
        tx = new Tx(connection);
        control = connection.createStatement();
    }

    /**
     * After a failed batch: when the connection itself is broken (database restarted, network), open a new one so the
     * next batch can commit. The failed batch's writes were not acknowledged; their clients retry.
     */
    private void reconnectIfBroken() {
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

    <T> CompletableFuture<T> submit(Op<T> op) {
        Job<T> job = new Job<>(op);
        // Checked before and after enqueueing: close() drains the queue after setting the flag, so a job that
        // slipped in is still run or failed, never left hanging.
        if (closed) {
            return CompletableFuture.failedFuture(new StoreException.Closed());
        }
        queue.add(job);
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
            if (!batch.isEmpty()) {
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
        try {
            if (connection.isClosed()) {
                connect();
            }
            control.execute(dialect.begin);
        } catch (SQLException e) {
            failAll(batch, e);
            reconnectIfBroken();
            return;
        }
        for (Job<?> job : batch) {
            runInSavepoint(job);
        }
        try {
            control.execute("COMMIT");
            commitObserver.accept(System.nanoTime() - started);
        } catch (SQLException e) {
            LOG.error("group commit of {} writes failed", batch.size(), e);
            try {
                control.execute("ROLLBACK");
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            failAll(batch, e);
            reconnectIfBroken();
            return;
        }
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

    private <T> void runInSavepoint(Job<T> job) {
        for (int attempt = 1; ; attempt++) {
            job.failure = null;
            try {
                tx.ps("SAVEPOINT op").execute();
                tx.emitted = job.events;
                try {
                    job.result = job.op.run(tx);
                    tx.ps("RELEASE SAVEPOINT op").execute();
                    return;
                } catch (SQLException | RuntimeException e) {
                    job.failure = e;
                    job.events.clear();
                    control.execute("ROLLBACK TO SAVEPOINT op");
                    control.execute("RELEASE SAVEPOINT op");
                }
            } catch (SQLException e) {
                job.failure = e;
                job.events.clear();
                return;
            } finally {
                tx.emitted = null;
            }
            if (!(job.failure instanceof SQLException sql) || !RETRYABLE.contains(sql.getSQLState()) || attempt == ATTEMPTS) {
                return;
            }
            LOG.debug("retrying a write after {} ({})", sql.getSQLState(), sql.getMessage());
        }
    }

    private static void failAll(List<Job<?>> batch, Throwable e) {
        for (Job<?> job : batch) {
            job.failure = e;
            job.events.clear();
            job.complete();
        }
    }

    /** Refuses new writes, runs what is queued, and stops the thread. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(POISON);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Anything that raced past the closed flag after the poison was taken.
        List<Job<?>> late = new ArrayList<>();
        queue.drainTo(late);
        for (Job<?> job : late) {
            if (job != POISON) {
                job.future.completeExceptionally(new StoreException.Closed());
            }
        }
        try {
            control.close();
            connection.close();
        } catch (SQLException e) {
            LOG.warn("closing writer connection failed", e);
        }
    }
}
