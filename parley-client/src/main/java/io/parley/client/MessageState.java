package io.parley.client;

/**
 * The life of a message sent through the outbox. What each state tells a UI:
 *
 * <ul>
 *   <li>{@link #PENDING}: sending; not stored as far as the client knows yet.
 *   <li>{@link #SENT}: stored, with its seq (the ack, or the message's own event, said so).
 *   <li>{@link #FAILED}: known not stored: the server refused it with a permanent error code, or the client was
 *       closed when it was handed over and never sent it. Offer a retry.
 *   <li>{@link #UNCONFIRMED}: unknown: it went out but no answer came in time (the send timeout, or the client was
 *       closed before the ack). It may well be stored, so never show it as failed. A running client keeps it in the
 *       outbox and re-sends it with its clientMsgId on every reconnect, so it still becomes SENT (or FAILED on a
 *       permanent refusal); after {@link ParleyClient#close()} it is in {@link ParleyClient#pending()} for the next
 *       session to re-send with the same clientMsgId.
 *   <li>{@link #HELD}: the server answered {@code held} (docs/protocol.md, "Held messages"): stored in the
 *       moderation queue, not in the log, with no seq; no other member sees it. Show it as waiting for review. The
 *       client no longer re-sends it; a server admin's decision moves it to SENT (approved, with its seq) or
 *       REJECTED. A decision made while this client was away arrives as the message's own event (approved) or not
 *       at all: re-send it with the same clientMsgId from a later session ({@link ParleyClient#resend}) to learn it.
 *   <li>{@link #REJECTED}: a server admin rejected it from the moderation queue: never stored in the log. Not
 *       retryable (a re-send answers rejected again).
 * </ul>
 */
public enum MessageState {
    /** Waiting for its ack; re-sent with the same clientMsgId after every reconnect. */
    PENDING,
    /** Acked, or its own event arrived: durably stored on the server with a seq. */
    SENT,
    /** Not stored: refused by the server (see {@link OutgoingMessage#errorCode()}), or handed to a closed client. */
    FAILED,
    /** Sent without an answer in time, or left unacked by {@code close()}: stored or not is unknown. */
    UNCONFIRMED,
    /** Answered {@code held}: waiting for a server admin's review, not re-sent; approved it becomes SENT. */
    HELD,
    /** Rejected by a server admin from the moderation queue: not stored, never will be. */
    REJECTED
}
