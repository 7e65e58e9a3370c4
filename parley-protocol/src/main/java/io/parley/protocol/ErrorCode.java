package io.parley.protocol;

/**
 * Error codes of {@code error} frames and of REST error bodies: the one place that says what each code means. Their
 * wire names, HTTP statuses and retryability are stable API. docs/protocol.md lists each with its meaning, the
 * clients derive their permanent-error sets from {@link #retryable()}, and tests fail when either drifts from here.
 */
public enum ErrorCode {
    /** The frame is not valid JSON, or not a JSON object. */
    BAD_JSON("bad_json", 400, false),
    /** The {@code type} field names no known frame. */
    UNKNOWN_TYPE("unknown_type", 400, false),
    /** A required field is absent or null. */
    MISSING_FIELD("missing_field", 400, false),
    /** A field has the wrong JSON type or an invalid value. */
    INVALID_FIELD("invalid_field", 400, false),
    /** The message body is empty or only white space. */
    BODY_EMPTY("body_empty", 400, false),
    /** The message body is longer than the configured limit. */
    BODY_TOO_LONG("body_too_long", 400, false),
    /** No such conversation, or the user is not a member of it: the two are indistinguishable on purpose. */
    CONVERSATION_NOT_FOUND("conversation_not_found", 404, false),
    /** No such message in this conversation (or it was deleted, for edits, reactions and replies). */
    MESSAGE_NOT_FOUND("message_not_found", 404, false),
    /** The edit window of the message has passed. */
    EDIT_WINDOW_CLOSED("edit_window_closed", 403, false),
    /** The user does not have the role this action needs (e.g. only owners and admins add members). */
    FORBIDDEN("forbidden", 403, false),
    /** No such user. */
    USER_NOT_FOUND("user_not_found", 404, false),
    /** REST: no valid bearer token (WebSocket sessions are closed with 4001 instead). */
    UNAUTHORIZED("unauthorized", 401, true),
    /** A name is taken (e.g. a username at registration). */
    CONFLICT("conflict", 409, false),
    /** Wrong username or password at login. */
    BAD_CREDENTIALS("bad_credentials", 401, false),
    /** A request the current state does not allow (e.g. a sync while one is running). */
    BAD_REQUEST("bad_request", 400, false),
    /** REST: no route has this path (under /api/v1 or elsewhere). */
    NOT_FOUND("not_found", 404, false),
    /** REST: the path exists but not with this method (the message names the method; docs/api.md lists each path's). */
    METHOD_NOT_ALLOWED("method_not_allowed", 405, false),
    /** REST: the request body is larger than {@code limits.max-frame-bytes}. */
    PAYLOAD_TOO_LARGE("payload_too_large", 413, false),
    /** REST: a request body whose Content-Type is not {@code application/json}. */
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, false),
    /** The store could not commit; nothing was stored; retry with the same clientMsgId. */
    UNAVAILABLE("unavailable", 503, true),
    /** Unexpected server failure; nothing was acked. Retry with the same clientMsgId. */
    INTERNAL("internal", 500, true),
    /** Search: the query has no word to search for (empty, blank, only punctuation or control characters). */
    QUERY_EMPTY("query_empty", 400, false),
    /** Search: the query has more than 256 characters or more than 16 terms. */
    QUERY_TOO_LONG("query_too_long", 400, false);

    private final String wire;
    private final int httpStatus;
    private final boolean retryable;

    ErrorCode(String wire, int httpStatus, boolean retryable) {
        this.wire = wire;
        this.httpStatus = httpStatus;
        this.retryable = retryable;
    }

    public String wire() {
        return wire;
    }

    /** The status of a REST response that carries this code. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * Whether the same request may succeed when sent again unchanged (with the same clientMsgId for a send): true
     * when nothing was stored ({@code unavailable}, {@code internal}) or after a new token ({@code unauthorized}).
     * A client drops a pending send refused with a code that is not retryable.
     */
    public boolean retryable() {
        return retryable;
    }

    /** The code with this wire name, or null for a name this version does not know. */
    public static ErrorCode fromWire(String wire) {
        for (ErrorCode c : values()) {
            if (c.wire.equals(wire)) {
                return c;
            }
        }
        return null;
    }
}
