package io.parley.client;

/** The life of a message sent through the outbox. */
public enum MessageState {
    /** Waiting for its ack; re-sent with the same clientMsgId after every reconnect. */
    PENDING,
    /** Acked: durably stored on the server with a seq. */
    SENT,
    /** Refused by the server (see {@link OutgoingMessage#errorCode()}) or not acked within the send timeout. */
    FAILED
}
