package io.parley.server.store;

import io.parley.protocol.ErrorCode;

/** An attachment write the store refused for a reason a client is told about ({@link #code()}); nothing changed. */
public final class AttachmentRefused extends StoreException {
    private final ErrorCode code;

    public AttachmentRefused(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
