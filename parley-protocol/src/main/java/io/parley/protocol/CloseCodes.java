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

    private CloseCodes() {}
}
