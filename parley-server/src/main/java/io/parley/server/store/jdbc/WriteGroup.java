package io.parley.server.store.jdbc;

import io.parley.server.store.Committed;
import java.sql.SQLException;
import java.util.List;

/**
 * Write operations of one kind that can run together: consecutive jobs of one group in a batch run in one call (on
 * PostgreSQL, many statements in one round trip). When the batch must isolate its operations, each job runs its own
 * {@link Writer.Op} instead, in a savepoint; both must give the same outcome.
 */
@FunctionalInterface
interface WriteGroup<I> {
    /**
     * One outcome per input, in order, as if each had run alone in that order. A failure that wrote nothing is an
     * outcome; an exception fails the attempt (the batch then runs again, isolated).
     */
    List<Done> runAll(Tx tx, List<I> inputs) throws SQLException;

    /** The outcome of one input: its result and events, or the failure (nothing written). */
    record Done(Object result, List<Committed> events, RuntimeException failure) {
        static Done of(Object result, List<Committed> events) {
            return new Done(result, events, null);
        }

        static Done failed(RuntimeException failure) {
            return new Done(null, List.of(), failure);
        }
    }
}
