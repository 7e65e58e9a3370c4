// Generated from io.parley.protocol.ErrorCode by ErrorCodeSourcesTest: do not edit. Regenerate with
// mvn -pl parley-server test -Dtest=ErrorCodeSourcesTest -Dparley.regenerate=true

/**
 * Error codes of error frames and REST error bodies (docs/protocol.md): the HTTP status of a REST answer
 * with the code, and whether the same request may succeed when sent again unchanged (a pending send
 * refused with a code that is not retryable fails at once).
 */
export const ErrorCodes = Object.freeze({
  bad_json: Object.freeze({ status: 400, retryable: false }),
  unknown_type: Object.freeze({ status: 400, retryable: false }),
  missing_field: Object.freeze({ status: 400, retryable: false }),
  invalid_field: Object.freeze({ status: 400, retryable: false }),
  body_empty: Object.freeze({ status: 400, retryable: false }),
  body_too_long: Object.freeze({ status: 400, retryable: false }),
  conversation_not_found: Object.freeze({ status: 404, retryable: false }),
  message_not_found: Object.freeze({ status: 404, retryable: false }),
  edit_window_closed: Object.freeze({ status: 403, retryable: false }),
  forbidden: Object.freeze({ status: 403, retryable: false }),
  user_not_found: Object.freeze({ status: 404, retryable: false }),
  unauthorized: Object.freeze({ status: 401, retryable: true }),
  conflict: Object.freeze({ status: 409, retryable: false }),
  bad_credentials: Object.freeze({ status: 401, retryable: false }),
  bad_request: Object.freeze({ status: 400, retryable: false }),
  not_found: Object.freeze({ status: 404, retryable: false }),
  method_not_allowed: Object.freeze({ status: 405, retryable: false }),
  payload_too_large: Object.freeze({ status: 413, retryable: false }),
  unsupported_media_type: Object.freeze({ status: 415, retryable: false }),
  unavailable: Object.freeze({ status: 503, retryable: true }),
  internal: Object.freeze({ status: 500, retryable: true }),
  session_revoked: Object.freeze({ status: 401, retryable: false }),
  invalid_refresh_token: Object.freeze({ status: 401, retryable: false }),
  refresh_token_reused: Object.freeze({ status: 401, retryable: false }),
  session_not_found: Object.freeze({ status: 404, retryable: false }),
  device_not_found: Object.freeze({ status: 404, retryable: false }),
  rate_limited: Object.freeze({ status: 429, retryable: true }),
  attachment_too_large: Object.freeze({ status: 413, retryable: false }),
  attachment_type_unsupported: Object.freeze({ status: 415, retryable: false }),
  attachment_type_mismatch: Object.freeze({ status: 422, retryable: false }),
  attachment_empty: Object.freeze({ status: 400, retryable: false }),
  attachment_name_invalid: Object.freeze({ status: 400, retryable: false }),
  attachment_slot_expired: Object.freeze({ status: 410, retryable: false }),
  attachment_already_finalized: Object.freeze({ status: 409, retryable: false }),
  attachment_incomplete: Object.freeze({ status: 409, retryable: false }),
  attachment_checksum_mismatch: Object.freeze({ status: 422, retryable: false }),
  attachment_not_ready: Object.freeze({ status: 409, retryable: true }),
  attachment_not_usable: Object.freeze({ status: 422, retryable: false }),
  attachment_not_found: Object.freeze({ status: 404, retryable: false }),
  match_session_taken: Object.freeze({ status: 409, retryable: false }),
  name_reserved: Object.freeze({ status: 400, retryable: false }),
  query_empty: Object.freeze({ status: 400, retryable: false }),
  query_too_long: Object.freeze({ status: 400, retryable: false }),
  muted: Object.freeze({ status: 403, retryable: false }),
});
