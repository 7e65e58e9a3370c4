package io.parley.server.store;

import io.parley.protocol.EventKind;

/**
 * One committed entry of a conversation's log. Fields that do not apply to {@link #kind} are null.
 * {@code recipients} is who should receive it live: the members at commit time (plus the removed member for
 * member_removed); it is empty for events read back from the log.
 */
public record LogEvent(String conversationId, long seq, EventKind kind, long createdAt, String actorId,
                       String messageId, String clientMsgId, String body, String memberId, Role role, String title,
                       java.util.List<String> recipients) {

    public LogEvent withoutRecipients() {
        return new LogEvent(conversationId, seq, kind, createdAt, actorId, messageId, clientMsgId, body, memberId,
                role, title, java.util.List.of());
    }
}
