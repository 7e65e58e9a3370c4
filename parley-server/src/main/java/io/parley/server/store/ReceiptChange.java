package io.parley.server.store;

import java.util.List;

/**
 * A member's receipt cursors after they moved forward. {@code recipients} is who should hear of it live: every
 * member, or only the member themselves in conversations larger than the fanout limit; empty when read back.
 */
public record ReceiptChange(
        String conversationId, String userId, long deliveredSeq, long readSeq, List<String> recipients) {}
