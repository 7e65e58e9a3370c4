package io.parley.client;

import java.util.HashMap;
import java.util.Map;

/**
 * The highest seq processed per conversation. Events at or below the cursor are duplicates (a replay overlapping
 * live delivery, a resend after reconnect) and are dropped; anything above moves the cursor. A jump of more than one
 * is legitimate (the user joined the conversation at that seq). Not thread-safe.
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
