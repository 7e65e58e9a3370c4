package io.parley.protocol;

/**
 * Error codes of {@code error} frames and of REST error bodies. Their wire names are stable API; docs/protocol.md
 * lists each with its meaning.
 */
public enum ErrorCode {
    /** The frame is not valid JSON, or not a JSON object. */
    BAD_JSON("bad_json"),
    /** The {@code type} field names no known frame. */
    UNKNOWN_TYPE("unknown_type"),
    /** A required field is absent or null. */
    MISSING_FIELD("missing_field"),
    /** A field has the wrong JSON type or an invalid value. */
    INVALID_FIELD("invalid_field"),
    /** The message body is empty or only white space. */
    BODY_EMPTY("body_empty"),
    /** The message body is longer than the configured limit. */
    BODY_TOO_LONG("body_too_long"),
    /** No such conversation, or the user is not a member of it: the two are indistinguishable on purpose. */
    CONVERSATION_NOT_FOUND("conversation_not_found"),
    /** No such message in this conversation (or it was deleted, for edits, reactions and replies). */
    MESSAGE_NOT_FOUND("message_not_found"),
    /** The edit window of the message has passed. */
    EDIT_WINDOW_CLOSED("edit_window_closed"),
    /** The user does not have the role this action needs (e.g. only owners and admins add members). */
    FORBIDDEN("forbidden"),
    /** No such user. */
    USER_NOT_FOUND("user_not_found"),
    /** REST: no valid bearer token (WebSocket sessions are closed with 4001 instead). */
    UNAUTHORIZED("unauthorized"),
    /** A name is taken (e.g. a username at registration). */
    CONFLICT("conflict"),
    /** Wrong username or password at login. */
    BAD_CREDENTIALS("bad_credentials"),
    /** A request the current state does not allow (e.g. a sync while one is running). */
    BAD_REQUEST("bad_request"),
    /** The store could not commit; nothing was stored; retry with the same clientMsgId. */
    UNAVAILABLE("unavailable"),
    /** Unexpected server failure; nothing was acked. Retry with the same clientMsgId. */
    INTERNAL("internal");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
