package io.parley.server.store.jdbc;

import io.parley.server.store.CommitListener;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The store's writes, each run by one of its lanes ({@link WriterLane}: a thread, a connection, group commit). SQLite
 * has one lane (one writer per database file). PostgreSQL may have several ({@code store.writers}): a conversation's
 * writes always go to the lane of its id's hash, so they keep their order, and lanes run their batches in parallel on
 * connections of their own, which takes one connection's round trips and one backend's CPU off the send rate's
 * ceiling. Lanes of one node relate to each other as the writers of several nodes do (docs/architecture.md, "Writes
 * from several nodes"): each batch locks the conversations it declared, in id order, and a conflict on other rows
 * rolls the batch back and runs it again. Writes that declare no conversation (users, new conversations) go to the
 * first lane.
 *
 * <p>The {@link CommitListener} is called by each lane's thread after that lane's commits: in commit order for each
 * conversation, and from several threads at once when there are several lanes.
 */
final class Writer implements AutoCloseable {
    /** A write operation; runs on a writer thread inside the batch transaction. */
    @FunctionalInterface
    interface Op<T> {
        T run(Tx tx) throws SQLException;
    }

    /** Opens a writer's connection (again, after one broke). */
    @FunctionalInterface
    interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    /** The first lane's thread; the others' add {@code -1}, {@code -2}, ... */
    static final String THREAD_NAME = "parley-store-writer";

    private final WriterLane[] lanes;

    Writer(SqlDialect dialect, ConnectionFactory factory, CommitListener listener, int maxBatch) throws SQLException {
        this(dialect, factory, listener, maxBatch, 1);
    }

    /** {@code lanes} writers, each with a connection of its own from {@code factory}. */
    Writer(SqlDialect dialect, ConnectionFactory factory, CommitListener listener, int maxBatch, int lanes)
            throws SQLException {
        if (lanes < 1 || (lanes > 1 && dialect == SqlDialect.SQLITE)) {
            throw new IllegalArgumentException("writer lanes: " + lanes + " (SQLite has exactly one)");
        }
        this.lanes = new WriterLane[lanes];
        try {
            for (int i = 0; i < lanes; i++) {
                this.lanes[i] = new WriterLane(
                        dialect,
                        factory,
                        listener,
                        maxBatch,
                        new LinkedBlockingQueue<>(),
                        i == 0 ? THREAD_NAME : THREAD_NAME + "-" + i);
            }
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** One lane with the queue given: tests pass one that can hold a submit between its check and its enqueue. */
    Writer(
            SqlDialect dialect,
            ConnectionFactory factory,
            CommitListener listener,
            int maxBatch,
            LinkedBlockingQueue<WriteJob<?>> queue)
            throws SQLException {
        this.lanes = new WriterLane[] {new WriterLane(dialect, factory, listener, maxBatch, queue, THREAD_NAME)};
    }

    /** How many lanes run the writes. */
    int lanes() {
        return lanes.length;
    }

    /** Queues an operation that locks no existing conversation (users, new conversations). */
    <T> CompletableFuture<T> submit(Op<T> op) {
        return submit(null, op);
    }

    /**
     * Queues an operation that writes to {@code conversationId}'s log or members, on that conversation's lane: on
     * PostgreSQL its batch takes that conversation's row lock at its start, with the others', in id order.
     */
    <T> CompletableFuture<T> submit(String conversationId, Op<T> op) {
        return lane(conversationId).enqueue(new WriteJob<>(conversationId, null, null, op));
    }

    /**
     * As {@link #submit(String, Op)}, for an operation that may run together with the queued operations of the same
     * {@code group} next to it: {@code input} is its part of the group's call, {@code op} the same write alone.
     */
    <I, T> CompletableFuture<T> submit(String conversationId, WriteGroup<I> group, I input, Op<T> op) {
        return lane(conversationId).enqueue(new WriteJob<>(conversationId, group, input, op));
    }

    private WriterLane lane(String conversationId) {
        if (lanes.length == 1 || conversationId == null) {
            return lanes[0];
        }
        return lanes[Math.floorMod(conversationId.hashCode(), lanes.length)];
    }

    /** Told the duration of each successful group commit of every lane (nanoseconds), for metrics. */
    void observeCommits(java.util.function.LongConsumer observer) {
        for (WriterLane lane : lanes) {
            lane.observeCommits(observer);
        }
    }

    /** Closes every lane ({@link WriterLane#close()}: runs what is queued, within its deadline). Idempotent. */
    @Override
    public void close() {
        for (WriterLane lane : lanes) {
            if (lane != null) {
                lane.close();
            }
        }
    }
}
