package io.parley.server.store;

/** A message to append; {@code messageId} and {@code createdAt} are chosen by the caller for a new message. */
public record NewMessage(String conversationId, String senderId, String clientMsgId, String body, String messageId,
                         long createdAt) {}
