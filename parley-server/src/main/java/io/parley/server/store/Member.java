package io.parley.server.store;

/**
 * A member of a conversation with their receipt cursors (each only moves forward; deliveredSeq >= readSeq).
 * {@code joinedSeq} is the conversation's last seq when they joined: messages up to it were sent before they were a
 * member, and receipts of those never name them.
 */
public record Member(
        String userId,
        String username,
        Role role,
        long joinedAt,
        long readSeq,
        long deliveredSeq,
        long joinedSeq,
        String displayName) {}
