package io.parley.server.store;

import java.util.List;

/**
 * A message as history shows it now: the current body (null when deleted), when it was last edited (null if never),
 * the message it replies to with a snippet of that message (null when the parent was deleted), and its reactions.
 */
public record MessageView(
        String conversationId,
        long seq,
        String messageId,
        String senderId,
        String clientMsgId,
        String body,
        long createdAt,
        Long editedAt,
        boolean deleted,
        String replyTo,
        String replySnippet,
        List<Reaction> reactions) {

    /** One emoji on a message: how many users reacted with it, and who (in the order they reacted). */
    public record Reaction(String emoji, int count, List<String> userIds) {}
}
