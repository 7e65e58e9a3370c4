package io.parley.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
     */
    Outcome run(List<WriteJob<?>> batch, boolean isolate) throws SQLException, Conflict {
        for (WriteJob<?> job : batch) {
            job.reset();
        }
        control.execute(dialect.begin);
        tx.locked.clear();
        lockConversations(batch);
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

    /** Takes the row locks of every conversation the batch writes to, in id order, in one statement. */
    private void lockConversations(List<WriteJob<?>> batch) throws SQLException, Conflict {
        if (dialect.lockConversations == null) {
            return;
        }
        TreeSet<String> ids = new TreeSet<>();
        for (WriteJob<?> job : batch) {
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
