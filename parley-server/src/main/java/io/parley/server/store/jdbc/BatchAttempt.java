package io.parley.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at a batch on the {@link Writer}'s connection: begin, lock the batch's conversations, run its writes,
 * commit. The writer decides what follows an attempt that did not commit (roll back, run again isolated, back off).
 * Used on the writer thread only.
 */
final class BatchAttempt {
    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

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
    static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Thrown inside an attempt when the whole batch must run again. */
    static final class Conflict extends Exception {
        final SQLException cause;

        Conflict(SQLException cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }
    }

    private final SqlDialect dialect;
    private final Connection connection;
    private final Statement control;
    private final Tx tx;

    BatchAttempt(SqlDialect dialect, Connection connection, Statement control, Tx tx) {
        this.dialect = dialect;
        this.connection = connection;
        this.control = control;
        this.tx = tx;
    }

    enum Outcome {
        COMMITTED,
        OPERATION_FAILED
    }

    /**
     * One attempt at the batch: begin, lock its conversations, run its operations, commit. Without {@code isolate},
     * the first failing operation ends the attempt (OPERATION_FAILED, transaction still open for the caller to roll
     * back); with it, each runs in a savepoint and a failure fails only that operation.
     *
     * <p>With {@code deferred} (PostgreSQL, a writer not stopping), conversations another node's batch holds are
     * skipped rather than waited for: their jobs leave {@code batch} for {@code deferred}, in order, and the writer
     * runs them in its next batch (see {@link #lockConversations}).
     */
    Outcome run(List<WriteJob<?>> batch, boolean isolate, List<WriteJob<?>> deferred) throws SQLException, Conflict {
        for (WriteJob<?> job : batch) {
            job.reset();
        }
        control.execute(dialect.begin);
        tx.locked.clear();
        lockConversations(batch, deferred);
        for (int i = 0; i < batch.size(); ) {
            WriteJob<?> job = batch.get(i);
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

    /**
     * After this many deferrals a job's batch waits for its conversation's lock (in id order, as without skipping),
     * so a conversation that other nodes write to all the time still gets its turn.
     */
    static final int MAX_DEFERRALS = 2;

    /**
     * Takes the row locks of every conversation the batch writes to, in id order, in one statement.
     *
     * <p>Without {@code deferred}, or when a job of the batch was deferred {@link #MAX_DEFERRALS} times already, it
     * waits for rows another node's batch holds. Otherwise it takes only the free rows ({@code SKIP LOCKED}): the
     * jobs of a conversation held elsewhere move to {@code deferred} (all of that conversation's jobs, so its writes
     * keep their order) and wait for this node's next batch instead of making this whole batch, and every node's
     * batch queued behind it, wait for the other node's commit. When every job of the batch is held elsewhere there
     * is nothing to run meanwhile: then it waits for those rows, holding none (so no lock cycle can form).
     */
    private void lockConversations(List<WriteJob<?>> batch, List<WriteJob<?>> deferred) throws SQLException, Conflict {
        if (dialect.lockConversations == null) {
            return;
        }
        TreeSet<String> ids = new TreeSet<>();
        boolean mayDefer = deferred != null && dialect.lockFreeConversations != null;
        for (WriteJob<?> job : batch) {
            if (job.conversationId != null) {
                ids.add(job.conversationId);
                mayDefer &= job.deferrals < MAX_DEFERRALS;
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        if (!mayDefer) {
            lock(dialect.lockConversations, ids);
            return;
        }
        lock(dialect.lockFreeConversations, ids);
        ids.removeAll(tx.locked);
        if (ids.isEmpty()) {
            return;
        }
        // Not locked: held by another transaction, or no such conversation (its write fails as it would have).
        Set<String> held = select(dialect.existingConversations, ids);
        if (held.isEmpty()) {
            return;
        }
        boolean othersToRun = false;
        for (WriteJob<?> job : batch) {
            othersToRun |= job.conversationId == null || !held.contains(job.conversationId);
        }
        if (!othersToRun) {
            lock(dialect.lockConversations, new TreeSet<>(held));
            return;
        }
        for (Iterator<WriteJob<?>> it = batch.iterator(); it.hasNext(); ) {
            WriteJob<?> job = it.next();
            if (job.conversationId != null && held.contains(job.conversationId)) {
                it.remove();
                job.deferrals++;
                deferred.add(job);
            }
        }
    }

    /** Runs a lock statement over {@code ids}; the ids it returned are the batch's. */
    private void lock(String sql, TreeSet<String> ids) throws SQLException, Conflict {
        tx.locked.addAll(select(sql, ids));
    }

    private Set<String> select(String sql, Set<String> ids) throws SQLException, Conflict {
        PreparedStatement ps = tx.ps(sql);
        ps.setArray(1, connection.createArrayOf("text", ids.toArray()));
        Set<String> found = new HashSet<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(rs.getString(1));
            }
        } catch (SQLException e) {
            rethrow(e);
        }
        return found;
    }

    /** Runs consecutive jobs of one group in one call; false when the call failed (recorded on the first job). */
    private boolean runGroup(List<WriteJob<?>> jobs) throws Conflict {
        List<Object> inputs = new ArrayList<>(jobs.size());
        for (WriteJob<?> job : jobs) {
            inputs.add(job.input);
        }
        List<WriteGroup.Done> done;
        try {
            done = jobs.get(0).group.runAll(tx, inputs);
        } catch (SQLException e) {
            if (RETRY_BATCH.contains(e.getSQLState())) {
                throw new Conflict(e);
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
    private <T> boolean runPlain(WriteJob<T> job) throws Conflict {
        tx.emitted = job.events;
        try {
            job.result = job.op.run(tx);
            return true;
        } catch (SQLException e) {
            if (RETRY_BATCH.contains(e.getSQLState())) {
                throw new Conflict(e);
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

    private <T> void runInSavepoint(WriteJob<T> job) throws SQLException, Conflict {
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
                    throw new Conflict(sql);
                }
                job.failure = e;
                job.events.clear();
                control.execute("ROLLBACK TO SAVEPOINT op");
                control.execute("RELEASE SAVEPOINT op");
            } finally {
                tx.emitted = null;
            }
            if (!(job.failure instanceof SQLException sql)
                    || !RETRY_OPERATION.contains(sql.getSQLState())
                    || attempt == OPERATION_ATTEMPTS) {
                return;
            }
            LOG.debug("retrying a write after {} ({})", sql.getSQLState(), sql.getMessage());
        }
    }

    /** Rethrows {@code e}, as a {@link Conflict} when the whole batch should run again. */
    private static void rethrow(SQLException e) throws SQLException, Conflict {
        if (RETRY_BATCH.contains(e.getSQLState())) {
            throw new Conflict(e);
        }
        throw e;
    }
}
