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
    /** The token's device session was revoked (or issued before a logout everywhere): log in again. */
    SESSION_REVOKED("session_revoked", 401, false),
    /** Unknown or expired refresh token: log in again. Nothing changed. */
    INVALID_REFRESH_TOKEN("invalid_refresh_token", 401, false),
    /** A refresh token presented a second time: the session it belongs to is revoked now. Log in again. */
    REFRESH_TOKEN_REUSED("refresh_token_reused", 401, false),
    /** No such session of the caller's (another user's session counts as none), or it was revoked already. */
    SESSION_NOT_FOUND("session_not_found", 404, false),
    /** No such push device of the caller's (another user's device counts as none). */
    DEVICE_NOT_FOUND("device_not_found", 404, false),
    /**
     * Too many requests of this kind: nothing was done. Retry the same request after {@code retryAfterMs} (the
     * {@code error} frame's field; REST: the {@code Retry-After} header, in seconds).
     */
    RATE_LIMITED("rate_limited", 429, true),
    /** Attachments: the declared size is above {@code attachments.max-bytes}, or the bytes uploaded exceed it. */
    ATTACHMENT_TOO_LARGE("attachment_too_large", 413, false),
    /** Attachments: the declared (or sniffed) type is not in {@code attachments.allowed-types}. */
    ATTACHMENT_TYPE_UNSUPPORTED("attachment_type_unsupported", 415, false),
    /** Attachments: the bytes are of another type than the one declared (sniffed from their magic numbers). */
    ATTACHMENT_TYPE_MISMATCH("attachment_type_mismatch", 422, false),
    /** Attachments: a declared size of zero bytes. */
    ATTACHMENT_EMPTY("attachment_empty", 400, false),
    /** Attachments: a file name with a path, control or bidirectional characters, or empty or too long. */
    ATTACHMENT_NAME_INVALID("attachment_name_invalid", 400, false),
    /** Attachments: the upload slot expired before its bytes were uploaded and finalized; ask for a new slot. */
    ATTACHMENT_SLOT_EXPIRED("attachment_slot_expired", 410, false),
    /** Attachments: finalize of an attachment already finalized. */
    ATTACHMENT_ALREADY_FINALIZED("attachment_already_finalized", 409, false),
    /** Attachments: finalize before the bytes are uploaded, or with another size than declared. */
    ATTACHMENT_INCOMPLETE("attachment_incomplete", 409, false),
    /** Attachments: the uploaded bytes do not have the SHA-256 declared with the slot. */
    ATTACHMENT_CHECKSUM_MISMATCH("attachment_checksum_mismatch", 422, false),
    /** Attachments: a download of an attachment still being scanned; try again after its ready event. */
    ATTACHMENT_NOT_READY("attachment_not_ready", 409, true),
    /**
     * Attachments: a message refers to an attachment that belongs to another conversation, is not finalized, was
     * rejected, or is already part of a message.
     */
    ATTACHMENT_NOT_USABLE("attachment_not_usable", 422, false),
    /**
     * Attachments: no such attachment, or one the user may not see (not a member of its conversation, removed, its
     * message deleted, rejected, someone else's upload): the cases are indistinguishable on purpose.
     */
    ATTACHMENT_NOT_FOUND("attachment_not_found", 404, false),
    /**
     * Talk to a stranger: another session of the user holds the one matching session; send the join again with
     * {@code takeover: true} to move it here.
     */
    MATCH_SESSION_TAKEN("match_session_taken", 409, false),
    /**
     * A username (registration, {@code admin create-user}) or display name ({@code PATCH /me}) in the form of a
     * stranger's pseudonym ({@code stranger-...}, in any case): reserved, so that nobody passes for a stranger. Nothing
     * is changed; choose another name.
     */
    NAME_RESERVED("name_reserved", 400, false),
    /** Search: the query has no word to search for (empty, blank, only punctuation or control characters). */
    QUERY_EMPTY("query_empty", 400, false),
    /** Search: the query has more than 256 characters or more than 16 terms. */
    QUERY_TOO_LONG("query_too_long", 400, false),
    /**
     * The user is muted in this conversation (by an owner, an admin or a server admin): sends, edits and reactions are
     * refused and nothing is stored until the mute ends; reading goes on. Not retryable.
     */
    MUTED("muted", 403, false);

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
