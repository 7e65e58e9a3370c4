package io.parley.protocol;

/** WebSocket close codes Parley uses. docs/protocol.md says what a client should do for each. */
public final class CloseCodes {
    /** Normal closure (client or server ended the session on purpose). */
    public static final int NORMAL = 1000;
    /** The server is shutting down: reconnect (to another node) with backoff and resume. */
    public static final int GOING_AWAY = 1001;
    /** A malformed frame: unmasked, a continuation without a message, a new message inside a fragmented one. */
    public static final int PROTOCOL_ERROR = 1002;
    /** A text message that is not valid UTF-8. */
    public static final int INVALID_DATA = 1007;
    /** A frame (or a fragmented message) was larger than the server's maxFrameBytes. */
    public static final int TOO_BIG = 1009;
    /**
     * The node admits no more connections now (its session ceiling, or its rate of new connections): reconnect after
     * the delay in the close reason, {@code retryAfterMs=<n>}, which the server spreads over a window so that a crowd
     * refused together comes back spread out. Parse it with {@link #retryAfterMs(String)}.
     */
    public static final int TRY_AGAIN_LATER = 1013;
    /** Missing, invalid or expired token, or no auth frame in time. Do not retry with the same token. */
    public static final int UNAUTHORIZED = 4001;
    /**
     * The device session of the token was revoked (signed out from another device, logout everywhere, a password
     * change, a replayed refresh token). Do not reconnect with this token; log in again.
     */
    public static final int SESSION_REVOKED = 4003;
    /** No frame or pong within the idle timeout: the connection was presumed dead. Reconnect and resume. */
    public static final int IDLE_TIMEOUT = 4004;
    /** The session could not keep up (outbound queue full) or missed events: reconnect and resume with sync. */
    public static final int RESYNC = 4008;

    /** The close reason of {@link #TRY_AGAIN_LATER} carrying {@code millis}. */
    public static String retryAfterReason(long millis) {
        return "retryAfterMs=" + millis;
    }

    /** The delay of a {@link #TRY_AGAIN_LATER} close reason, or -1 when the reason carries none. */
    public static long retryAfterMs(String reason) {
        if (reason == null || !reason.startsWith("retryAfterMs=")) {
            return -1;
        }
        try {
            long n = Long.parseLong(reason.substring("retryAfterMs=".length()).trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private CloseCodes() {}
}
