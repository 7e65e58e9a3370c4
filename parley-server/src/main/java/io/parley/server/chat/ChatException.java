package io.parley.server.chat;

import io.parley.protocol.ErrorCode;

/** A request was refused for a documented reason; {@link #code()} goes on the wire, {@link #httpStatus()} on REST. */
public final class ChatException extends RuntimeException {
    private final ErrorCode code;
    private final int httpStatus;

    public ChatException(ErrorCode code, int httpStatus, String message) {
        super(message, null, false, false);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public ErrorCode code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    static ChatException notFound() {
        return new ChatException(ErrorCode.CONVERSATION_NOT_FOUND, 404, "conversation not found");
    }

    static ChatException forbidden(String why) {
        return new ChatException(ErrorCode.FORBIDDEN, 403, why);
    }

    static ChatException invalid(String why) {
        return new ChatException(ErrorCode.INVALID_FIELD, 400, why);
    }
}
