package io.parley.server.store;

import io.parley.protocol.EventKind;

import java.util.List;

/**
 * One committed entry of a conversation's log. Fields that do not apply to {@link #kind} are null.
 * {@code recipients} is who should receive it live: the members at commit time (plus the removed member for
 * member_removed); it is empty for events read back from the log.
 *
 * <p>For message_edited, message_deleted, reaction_added and reaction_removed, {@code messageId} is the message the
 * change applies to. {@code deleted} is true on a message or message_edited entry whose message was deleted later:
 * its body is gone (null).
 */
public record LogEvent(String conversationId, long seq, EventKind kind, long createdAt, String actorId,
                       String messageId, String clientMsgId, String body, String memberId, Role role, String title,
                       String emoji, String replyTo, String replySnippet, boolean deleted, List<String> recipients) {

    /** An event without the message-feature fields (membership changes). */
    public static LogEvent basic(String conversationId, long seq, EventKind kind, long createdAt, String actorId,
                                 String memberId, Role role, String title, List<String> recipients) {
        return new LogEvent(conversationId, seq, kind, createdAt, actorId, null, null, null, memberId, role, title,
                null, null, null, false, recipients);
    }

    public LogEvent withoutRecipients() {
        return new LogEvent(conversationId, seq, kind, createdAt, actorId, messageId, clientMsgId, body, memberId,
                role, title, emoji, replyTo, replySnippet, deleted, List.of());
    }
}
