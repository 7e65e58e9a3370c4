package io.parley.server.store;

/**
 * A message to append; {@code messageId} and {@code createdAt} are chosen by the caller for a new message.
 * {@code replyTo} (nullable) is the id of a message of the same conversation this one answers.
 */
public record NewMessage(
        String conversationId,
        String senderId,
        String clientMsgId,
        String body,
        String messageId,
        long createdAt,
        String replyTo) {

    public NewMessage(
            String conversationId, String senderId, String clientMsgId, String body, String messageId, long createdAt) {
        this(conversationId, senderId, clientMsgId, body, messageId, createdAt, null);
    }
}
