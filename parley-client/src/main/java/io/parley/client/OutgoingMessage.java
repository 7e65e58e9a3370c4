package io.parley.client;

import io.parley.protocol.ServerFrame;
import java.util.concurrent.CompletableFuture;

/**
 * A message handed to {@link ParleyClient#send}. Its state moves PENDING -> SENT or PENDING -> FAILED;
 * {@link ParleyClient#retry} moves FAILED back to PENDING with the same clientMsgId, so the server stores it at most
 * once whatever happens in between.
 */
public final class OutgoingMessage {
    private final String conversationId;
    private final String clientMsgId;
    private final String body;
    private String replyTo;
    private volatile long queuedAtNanos;
    private volatile MessageState state = MessageState.PENDING;
    private volatile ServerFrame.Ack ack;
    private volatile String errorCode;
    private volatile CompletableFuture<ServerFrame.Ack> acked = new CompletableFuture<>();

    OutgoingMessage(String conversationId, String clientMsgId, String body, long createdAtNanos) {
        this.conversationId = conversationId;
        this.clientMsgId = clientMsgId;
        this.body = body;
        this.queuedAtNanos = createdAtNanos;
    }

    public String conversationId() {
        return conversationId;
    }

    public String clientMsgId() {
        return clientMsgId;
    }

    private int retries;

    /** Counts a resend after a transient refusal; returns the attempt number (0 for the first). */
    int nextRetry() {
        return retries++;
    }

    /** The message this one replies to, or null. */
    public String replyTo() {
        return replyTo;
    }

    OutgoingMessage replyingTo(String messageId) {
        this.replyTo = messageId;
        return this;
    }

    public String body() {
        return body;
    }

    public MessageState state() {
        return state;
    }

    /** The server's ack (messageId, seq, createdAt) once SENT; null before. */
    public ServerFrame.Ack ack() {
        return ack;
    }

    /** Why it FAILED: a protocol error code, or {@code "timeout"} / {@code "closed"}; null otherwise. */
    public String errorCode() {
        return errorCode;
    }

    /** Completes with the ack when SENT; completes exceptionally when FAILED. A retry gives a new future. */
    public CompletableFuture<ServerFrame.Ack> acked() {
        return acked;
    }

    /** When it entered the outbox (again, after a retry): the send timeout counts from here. */
    long queuedAtNanos() {
        return queuedAtNanos;
    }

    void markSent(ServerFrame.Ack a) {
        ack = a;
        state = MessageState.SENT;
        acked.complete(a);
    }

    void markFailed(String code, String message) {
        errorCode = code;
        state = MessageState.FAILED;
        acked.completeExceptionally(new SendFailedException(clientMsgId, code, message));
    }

    void requeue(long nowNanos) {
        queuedAtNanos = nowNanos;
        errorCode = null;
        acked = new CompletableFuture<>();
        state = MessageState.PENDING;
    }

    @Override
    public String toString() {
        return "OutgoingMessage{" + clientMsgId + " -> " + conversationId + ", " + state + "}";
    }

    /** Why a send failed. */
    public static final class SendFailedException extends Exception {
        private final String code;

        SendFailedException(String clientMsgId, String code, String message) {
            super("message " + clientMsgId + " failed: " + code + (message == null ? "" : " (" + message + ")"));
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
