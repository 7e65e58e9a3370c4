package io.parley.client;

import io.parley.protocol.ErrorCode;

/**
 * A request was refused or got no answer. {@code code} is the server's error code (docs/protocol.md, the wire name
 * of an {@link ErrorCode}), or one of the client's own: {@code "offline"} (no connection: not connected, or the
 * HTTP request could not be made), {@code "disconnected"} (the WebSocket ended before the answer) and
 * {@code "unexpected_response"} (an HTTP answer that is not a Parley JSON body). {@link #httpStatus()} is the REST
 * status (0 for WebSocket requests and for no answer at all).
 */
public final class ParleyException extends RuntimeException {
    private final String code;
    private final int httpStatus;

    public ParleyException(String code, String message) {
        this(code, message, 0);
    }

    public ParleyException(String code, String message, int httpStatus) {
        super(code + ": " + message);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The error code, e.g. {@code conversation_not_found}. */
    public String code() {
        return code;
    }

    /** The HTTP status of a REST answer; 0 for WebSocket requests and when no answer came. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The code as a known {@link ErrorCode}, or null for the client's own codes and codes newer than this SDK. */
    public ErrorCode errorCode() {
        return ErrorCode.fromWire(code);
    }

    /**
     * Whether the same request may succeed when made again unchanged: {@link ErrorCode#retryable()} for the server's
     * codes; true for {@code offline} and {@code disconnected} (nothing was answered; requests are safe to repeat,
     * a send with the same clientMsgId included) and for an unexpected answer with a 5xx status.
     */
    public boolean retryable() {
        ErrorCode c = errorCode();
        if (c != null) {
            return c.retryable();
        }
        return code.equals("offline") || code.equals("disconnected") || httpStatus >= 500;
    }
}
