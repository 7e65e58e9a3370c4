package io.parley.client;

import io.parley.protocol.ServerFrame;
import java.util.concurrent.CompletableFuture;

/**
 * A message handed to {@link ParleyClient#send}. Its state moves PENDING -> SENT, PENDING -> FAILED (refused: not
 * stored) or PENDING -> UNCONFIRMED (no answer in time, or the client closed first: stored or not is unknown), and
 * UNCONFIRMED -> SENT or FAILED when the answer comes after all; {@link ParleyClient#retry} moves FAILED back to
 * PENDING with the same clientMsgId, so the server stores it at most once whatever happens in between. See
 * {@link MessageState}.
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

    /** Why it FAILED: a permanent protocol error code, or {@code "closed"} (handed to a closed client); else null. */
    public String errorCode() {
        return errorCode;
    }

    /**
     * Completes with the ack when SENT; exceptionally with {@link SendFailedException} when FAILED, and with
     * {@link UnconfirmedException} when the client closed before it knew. An UNCONFIRMED message of a running client
     * leaves it incomplete: a late ack still completes it. A retry gives a new future.
     */
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

    /** No answer in time: the client keeps re-sending it; a late ack or permanent refusal still settles it. */
    void markUnconfirmed() {
        state = MessageState.UNCONFIRMED;
    }

    /** The client closed before an answer: it stays UNCONFIRMED, and this client will not settle it any more. */
    void abandon() {
        state = MessageState.UNCONFIRMED;
        acked.completeExceptionally(new UnconfirmedException(clientMsgId));
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

    /**
     * The client was closed before it knew whether the message is stored. Re-send it with the same clientMsgId from
     * a later session ({@link ParleyClient#resend}): the server stores it at most once.
     */
    public static final class UnconfirmedException extends Exception {
        UnconfirmedException(String clientMsgId) {
            super("message " + clientMsgId + " unconfirmed: the client closed before its ack; re-send it with the same"
                    + " clientMsgId to learn its fate");
        }
    }

    /** Why a send failed: the message is not stored. */
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
