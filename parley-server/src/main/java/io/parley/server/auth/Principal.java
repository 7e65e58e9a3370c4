package io.parley.server.auth;

/**
 * Who a connection or request is, once its token passed {@link Authenticator}: the user, the device session the
 * token belongs to (null for an external token with neither {@code sid} nor {@code jti}) and when the token was issued
 * (epoch millis; 0 when it says not), which a logout everywhere compares against.
 */
public record Principal(String userId, String sessionId, long issuedAt) {
    /** A principal with no session, for callers (and tests) that only know the user. */
    public static Principal of(String userId) {
        return new Principal(userId, null, 0);
    }
}
