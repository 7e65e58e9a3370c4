package io.parley.server.store.jdbc;

import io.parley.server.store.Committed;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One queued write of the {@link Writer}: the operation, what it declared, and what it came to. */
final class WriteJob<T> {
    final Writer.Op<T> op;
    /** The conversation the operation locks, or null. */
    final String conversationId;
    /** Set when the job may run with its neighbours of the same group: then {@code input} is its part. */
    final WriteGroup<Object> group;

    final Object input;
    final CompletableFuture<T> future = new CompletableFuture<>();
    final List<Committed> events = new ArrayList<>(2);
    T result;
    Throwable failure;
    /**
     * How many batches left this job for the next one because another node held its conversation (PostgreSQL,
     * {@link BatchAttempt}); at {@link BatchAttempt#MAX_DEFERRALS} its batch waits for the lock instead.
     */
    int deferrals;

    @SuppressWarnings("unchecked")
    WriteJob(String conversationId, WriteGroup<?> group, Object input, Writer.Op<T> op) {
        this.conversationId = conversationId;
        this.group = (WriteGroup<Object>) group;
        this.input = input;
        this.op = op;
    }

    @SuppressWarnings("unchecked")
    void take(WriteGroup.Done done) {
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
