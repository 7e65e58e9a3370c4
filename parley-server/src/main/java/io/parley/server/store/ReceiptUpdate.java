package io.parley.server.store;

/**
 * A member reports receipt cursors: received everything up to {@code deliveredSeq}, read up to {@code readSeq}
 * (0: no news for that cursor). Reading implies receiving.
 */
public record ReceiptUpdate(String conversationId, String userId, long deliveredSeq, long readSeq) {}
