package io.parley.client;

import java.util.HashMap;
import java.util.Map;

/**
 * The highest seq processed per conversation. Events at or below the cursor are duplicates (a replay overlapping
 * live delivery, a resend after reconnect) and are dropped; anything above moves the cursor. The client checks
 * {@link #skips} before: a live event more than one above a cursor is a gap, filled by a sync instead. A conversation
 * without a cursor takes any seq (the user joined it there); leaving one forgets its cursor, as the server's session
 * does, so that a later re-add is a first event again rather than a gap. Not thread-safe.
 */
final class Cursors {
    private final Map<String, Long> bySeq = new HashMap<>();

    Cursors(Map<String, Long> initial) {
        bySeq.putAll(initial);
    }

    /** True when the event is new (and records it); false for a duplicate. */
    boolean accept(String conversationId, long seq) {
        Long current = bySeq.get(conversationId);
        if (current != null && seq <= current) {
            return false;
        }
        bySeq.put(conversationId, seq);
        return true;
    }

    /** The conversation's cursor, or null when there is none. */
    Long get(String conversationId) {
        return bySeq.get(conversationId);
    }

    /** True when the event skips at least one seq above this conversation's cursor (there is a cursor). */
    boolean skips(String conversationId, long seq) {
        Long current = bySeq.get(conversationId);
        return current != null && seq > current + 1;
    }

    /** This user left (or was removed from) the conversation. */
    void forget(String conversationId) {
        bySeq.remove(conversationId);
    }

    /**
     * After {@code synced}: a conversation the client holds no cursor for starts at the last seq the server
     * reports, so the next resume asks only for what came after (docs/protocol.md, "Resume").
     */
    void adoptMissing(Map<String, Long> lastSeqs) {
        if (lastSeqs != null) {
            lastSeqs.forEach(bySeq::putIfAbsent);
        }
    }

    Map<String, Long> snapshot() {
        return Map.copyOf(bySeq);
    }
}
