package io.parley.server.chat;

import io.parley.server.store.ChatStore;
import io.parley.server.store.LogEntry;
import io.parley.server.store.ReceiptChange;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The reads a WebSocket session makes to catch up (sync and replay): the user's own conversations and their log. They
 * skip the domain's membership checks on purpose, because each names only what the user is a member of (lastSeqs,
 * receiptsSince) or a conversation that lastSeqs returned. Futures complete on store threads.
 */
public final class Feed {
    private final ChatStore store;

    Feed(ChatStore store) {
        this.store = store;
    }

    /** The last seq of every conversation the user is a member of. */
    public CompletableFuture<Map<String, Long>> lastSeqs(String userId) {
        return store.lastSeqs(userId);
    }

    /** Up to {@code limit} events after {@code afterSeq}, in seq order. */
    public CompletableFuture<List<LogEntry>> eventsAfter(String conversationId, long afterSeq, int limit) {
        return store.eventsAfter(conversationId, afterSeq, limit);
    }

    /** Receipt changes in the user's conversations since a time (see {@link ChatStore#receiptsSince}). */
    public CompletableFuture<List<ReceiptChange>> receiptsSince(String userId, long sinceMillis, int maxFanoutMembers) {
        return store.receiptsSince(userId, sinceMillis, maxFanoutMembers);
    }
}
