package io.parley.server.chat;

import io.parley.protocol.ErrorCode;

/**
 * A request was refused for a documented reason; {@link #code()} goes on the wire. The domain knows no transport:
 * the REST status is the code's own ({@link ErrorCode#httpStatus()}), applied by the api layer.
 */
public final class ChatException extends RuntimeException {
    private final ErrorCode code;

    public ChatException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    static ChatException notFound() {
        return new ChatException(ErrorCode.CONVERSATION_NOT_FOUND, "conversation not found");
    }

    static ChatException forbidden(String why) {
        return new ChatException(ErrorCode.FORBIDDEN, why);
    }

    static ChatException invalid(String why) {
        return new ChatException(ErrorCode.INVALID_FIELD, why);
    }
}
