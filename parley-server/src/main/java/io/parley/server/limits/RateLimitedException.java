package io.parley.server.limits;

import io.parley.protocol.ErrorCode;

/**
 * A request refused by a rate limit: nothing was done. The WebSocket face answers {@code error} with
 * {@link ErrorCode#RATE_LIMITED} and {@code retryAfterMs}; the REST face 429 with {@code Retry-After}.
 */
public final class RateLimitedException extends RuntimeException {
    private final String limit;
    private final long retryAfterMs;

    public RateLimitedException(String limit, long retryAfterMs, String what) {
        super("too many " + what + "; retry in " + retryAfterMs + " ms", null, false, false);
        this.limit = limit;
        this.retryAfterMs = retryAfterMs;
    }

    public ErrorCode code() {
        return ErrorCode.RATE_LIMITED;
    }

    /** The limit's name, as in its metric's {@code limit} tag (send, typing, login-address, ...). */
    public String limit() {
        return limit;
    }

    /** How long to wait before the same request can be admitted (at least 1). */
    public long retryAfterMs() {
        return retryAfterMs;
    }

    /** The same delay in whole seconds, rounded up, for an HTTP {@code Retry-After} header (at least 1). */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfterMs + 999) / 1000);
    }
}
