package io.parley.server.store;

import java.util.List;

/**
 * A conversation as one member sees it: its members, the last message (null when none), the last seq of the log and
 * the member's unread count (messages by others with seq above the member's read cursor), and the member's notify
 * level in force ({@link NotifyLevel#effective}).
 */
public record ConversationSummary(
        String id,
        ConversationKind kind,
        String title,
        String createdBy,
        long createdAt,
        long lastSeq,
        List<Member> members,
        LogEntry lastMessage,
        long readSeq,
        long unreadCount,
        NotifyLevel notifyLevel) {}
