package io.parley.server.chat;

import io.parley.server.store.ChatStore;
import io.parley.server.store.LogEntry;
import io.parley.server.store.ReceiptChange;
import io.parley.server.wire.Pseudonyms;
import java.util.ArrayList;
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
    private final Pseudonyms pseudonyms;

    Feed(ChatStore store, Pseudonyms pseudonyms) {
        this.store = store;
        this.pseudonyms = pseudonyms;
    }

    /** The last seq of every conversation the user is a member of. */
    public CompletableFuture<Map<String, Long>> lastSeqs(String userId) {
        return store.lastSeqs(userId);
    }

    /** Up to {@code limit} events after {@code afterSeq}, in seq order. */
    public CompletableFuture<List<LogEntry>> eventsAfter(String conversationId, long afterSeq, int limit) {
        return store.eventsAfter(conversationId, afterSeq, limit);
    }

    /**
     * How a conversation's frames name its members: {@link Pseudonyms.Aliases#NONE} at once unless it is a stranger
     * conversation. Replayed event frames pass through its {@code mask}.
     */
    public CompletableFuture<Pseudonyms.Aliases> aliases(String conversationId) {
        return pseudonyms.of(conversationId);
    }

    /**
     * Receipt changes in the user's conversations since a time (see {@link ChatStore#receiptsSince}); those of a
     * stranger conversation name the member by pseudonym.
     */
    public CompletableFuture<List<ReceiptChange>> receiptsSince(String userId, long sinceMillis, int maxFanoutMembers) {
        return store.receiptsSince(userId, sinceMillis, maxFanoutMembers).thenCompose(changes -> {
            CompletableFuture<List<ReceiptChange>> out = CompletableFuture.completedFuture(new ArrayList<>());
            for (ReceiptChange c : changes) {
                out = out.thenCombine(pseudonyms.of(c.conversationId()), (list, a) -> {
                    list.add(new ReceiptChange(
                            c.conversationId(), a.of(c.userId()), c.deliveredSeq(), c.readSeq(), c.recipients()));
                    return list;
                });
            }
            return out;
        });
    }
}
