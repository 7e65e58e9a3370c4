package io.parley.server.store;

/**
 * A moderation action in a conversation: {@code action} is "message_deleted" (an owner or admin deleted someone
 * else's message; targetMessageId and targetUserId, the sender) or "member_removed" (someone else removed
 * targetUserId).
 */
public record AuditEntry(
        long id,
        String conversationId,
        String actorId,
        String action,
        String targetMessageId,
        String targetUserId,
        Long seq,
        long createdAt) {}
