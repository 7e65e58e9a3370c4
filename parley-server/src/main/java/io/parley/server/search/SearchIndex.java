package io.parley.server.search;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * The search index of a store's messages, fed from the store's durable backlog and never from the send path.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li><b>Backlog.</b> Every message the store commits, and every edit and deletion of one, is queued in the same
 *       transaction (or, on SQLite, found past the index's mark: the log's rowids grow in commit order), so a commit
 *       is never lost to the index, whatever crashes when. {@link #indexQueued} takes up to {@code max} queued
 *       messages, indexes each in its current state (its current text; a deleted message is removed) and takes it
 *       off the queue when that commits; a batch that fails leaves its messages queued. Safe to call from several
 *       threads and several nodes at once.
 *   <li><b>Scope.</b> {@link #search} returns only messages of conversations {@code userId} is a member of when the
 *       read runs, never a deleted message (from the moment the deletion commits), and never a message whose text
 *       changed after it was indexed (an edit hides the old text at once; the new text is found once indexed).
 *   <li><b>Order.</b> {@link Sort#RELEVANCE}: best match first (BM25 on SQLite, ts_rank on PostgreSQL), newer first
 *       among equals, then conversation and seq; {@link Sort#NEWEST}: newest first, then conversation and seq
 *       descending. Both orders are total, so pages do not overlap.
 *   <li><b>Threads.</b> Every method runs its SQL off the caller's thread (the store's readers or writer) and
 *       completes its future there; none blocks the caller.
 * </ul>
 */
public interface SearchIndex {
    enum Sort {
        RELEVANCE,
        NEWEST
    }

    /**
     * Where a page starts: {@code offset} hits into the relevance order, or after the hit at ({@code createdAt},
     * {@code conversationId}, {@code seq}) in the date order.
     */
    record After(int offset, long createdAt, String conversationId, long seq) {
        public static final After START = new After(0, Long.MAX_VALUE, null, Long.MAX_VALUE);
    }

    /** One search. Null filters do not filter; {@code afterMillis} inclusive, {@code beforeMillis} exclusive. */
    record Request(
            String userId,
            SearchQuery query,
            String conversationId,
            String senderId,
            Long afterMillis,
            Long beforeMillis,
            Sort sort,
            After after,
            int limit) {}

    /** A message that matched, in its current state. {@code score}: higher is better (relevance order only). */
    record Hit(
            String conversationId,
            long seq,
            String messageId,
            String senderId,
            String body,
            long createdAt,
            Long editedAt,
            double score) {}

    /** Up to {@code request.limit()} hits in the request's order. */
    CompletableFuture<List<Hit>> search(Request request);

    /** Indexes up to {@code max} queued messages; completes with how many it took off the queue. */
    default CompletableFuture<Integer> indexQueued(int max) {
        return indexQueued(max, changedAt -> {});
    }

    /**
     * {@link #indexQueued(int)}, telling {@code changedAt}, once each part of the batch has committed, when each
     * message it took off the queue last changed (its creation, edit or deletion, epoch milliseconds; 0 for one gone
     * from the log): the indexer's lag is the time from there to that call.
     */
    CompletableFuture<Integer> indexQueued(int max, LongConsumer changedAt);

    /** How many messages are queued for indexing. */
    CompletableFuture<Long> backlog();

    /**
     * Queues every message of the store again (the online rebuild): the index keeps answering from what it has while
     * the indexers work through the queue, each message replaced in place. Completes with how many were queued.
     */
    CompletableFuture<Long> queueAll();
}
