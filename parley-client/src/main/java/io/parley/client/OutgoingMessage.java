package io.parley.client;

import io.parley.protocol.ServerFrame;
import java.util.concurrent.CompletableFuture;

/**
 * A message handed to {@link ParleyClient#send}. Its state moves PENDING -> SENT, PENDING -> FAILED (refused: not
 * stored) or PENDING -> UNCONFIRMED (no answer in time, or the client closed first: stored or not is unknown), and
 * UNCONFIRMED -> SENT or FAILED when the answer comes after all; with the moderation queue, PENDING (or UNCONFIRMED)
 * -> HELD (waiting for review, no longer re-sent) -> SENT (approved) or REJECTED; {@link ParleyClient#retry} moves FAILED back to
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
    private volatile CompletableFuture<Answer> answered = new CompletableFuture<>();
    private volatile ServerFrame.Held held;

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
     * leaves it incomplete: a late ack still completes it. A HELD one leaves it incomplete until a server admin
     * decides: approved, it completes with an ack made from the decision (its seq); rejected, it ends with a
     * {@link SendFailedException} whose code is {@link #REJECTED_CODE}. For the first answer, held included, use
     * {@link #answered()}. A retry gives a new future.
     */
    public CompletableFuture<ServerFrame.Ack> acked() {
        return acked;
    }

    /**
     * Completes with the server's first answer to the send: {@link MessageState#SENT} with the ack, or
     * {@link MessageState#HELD} with the {@code held} frame (stored in the moderation queue, no seq yet: show it as
     * waiting for review), or {@link MessageState#REJECTED} (a re-send of a message a server admin had rejected).
     * Exceptionally as {@link #acked()} when FAILED or abandoned by close. What happens to a held message later (the
     * decision) moves {@link #state()}, completes {@link #acked()} and reaches {@link
     * ParleyListener#onMessageStateChanged}, not this future. A retry gives a new future.
     */
    public CompletableFuture<Answer> answered() {
        return answered;
    }

    /** The last {@code held} frame about this message (held, approved or rejected); null when none came. */
    public ServerFrame.Held held() {
        return held;
    }

    /** When it entered the outbox (again, after a retry): the send timeout counts from here. */
    long queuedAtNanos() {
        return queuedAtNanos;
    }

    void markSent(ServerFrame.Ack a) {
        ack = a;
        state = MessageState.SENT;
        acked.complete(a);
        answered.complete(new Answer(MessageState.SENT, a, held));
    }

    /** Answered {@code held}: in the moderation queue. */
    void markHeld(ServerFrame.Held h) {
        held = h;
        state = MessageState.HELD;
        answered.complete(new Answer(MessageState.HELD, null, h));
    }

    /** A server admin rejected it (the decision frame, or the answer to a re-send). */
    void markRejected(ServerFrame.Held h) {
        held = h;
        state = MessageState.REJECTED;
        answered.complete(new Answer(MessageState.REJECTED, null, h));
        acked.completeExceptionally(new SendFailedException(clientMsgId, REJECTED_CODE, "rejected by a server admin"));
    }

    /** No answer in time: the client keeps re-sending it; a late ack or permanent refusal still settles it. */
    void markUnconfirmed() {
        state = MessageState.UNCONFIRMED;
    }

    /** The client closed before an answer: it stays UNCONFIRMED, and this client will not settle it any more. */
    void abandon() {
        state = MessageState.UNCONFIRMED;
        UnconfirmedException e = new UnconfirmedException(clientMsgId);
        acked.completeExceptionally(e);
        answered.completeExceptionally(e);
    }

    /**
     * The client closed while the message waited for review: it stays HELD, but this client will not learn the
     * decision; {@link #acked()} ends with {@link UnconfirmedException} (re-send it later to learn its fate).
     */
    void abandonHeld() {
        acked.completeExceptionally(new UnconfirmedException(clientMsgId));
    }

    void markFailed(String code, String message) {
        errorCode = code;
        state = MessageState.FAILED;
        SendFailedException e = new SendFailedException(clientMsgId, code, message);
        acked.completeExceptionally(e);
        answered.completeExceptionally(e);
    }

    void requeue(long nowNanos) {
        queuedAtNanos = nowNanos;
        errorCode = null;
        acked = new CompletableFuture<>();
        answered = new CompletableFuture<>();
        state = MessageState.PENDING;
    }

    @Override
    public String toString() {
        return "OutgoingMessage{" + clientMsgId + " -> " + conversationId + ", " + state + "}";
    }

    /**
     * {@link SendFailedException#code()} of a message a server admin rejected from the moderation queue (not a
     * protocol error code: the server answered with a {@code held} frame, status {@code rejected}).
     */
    public static final String REJECTED_CODE = "rejected";

    /**
     * The server's answer to a send ({@link #answered()}). {@code state}: {@link MessageState#SENT} ({@code ack} set,
     * with the seq), {@link MessageState#HELD} ({@code held} set: in the moderation queue, no seq) or
     * {@link MessageState#REJECTED} ({@code held} set, status rejected). {@code held} of a SENT answer is the
     * earlier held frame when the message was approved from the queue, else null.
     */
    public record Answer(MessageState state, ServerFrame.Ack ack, ServerFrame.Held held) {}

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
