package io.parley.client;

/**
 * A request (edit, delete, react, presence query) was refused: {@code code} is the server's error code
 * (docs/protocol.md), or {@code "disconnected"} / {@code "offline"} when the connection ended before the answer or
 * was not up. Such requests are safe to repeat.
 */
public final class ParleyException extends RuntimeException {
    private final String code;

    public ParleyException(String code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
