package io.parley.protocol;

/** A client frame was rejected; {@link #code()} is what goes on the wire. */
public final class ProtocolException extends Exception {
    private final ErrorCode code;
    private final String ref;

    public ProtocolException(ErrorCode code, String message, String ref) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
    }

    public ErrorCode code() {
        return code;
    }

    /** The frame type or clientMsgId the error refers to, when known; may be null. */
    public String ref() {
        return ref;
    }
}
