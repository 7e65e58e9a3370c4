package io.parley.server.store;

/**
 * What {@link SessionStore#rotateRefreshToken} did with a presented refresh token.
 *
 * @param result the verdict
 * @param session the session the token belongs to (null for {@link Result#UNKNOWN})
 * @param revocation the revocation written because of a replay ({@link Result#REUSED}), else null
 */
public record RefreshOutcome(Result result, DeviceSession session, Revocation revocation) {
    public enum Result {
        /** The token was current: it is used up now and the new one is stored. */
        ROTATED,
        /** No such token. Nothing changed. */
        UNKNOWN,
        /** The token expired unused. Nothing changed. */
        EXPIRED,
        /** The session was revoked before. Nothing changed. */
        REVOKED,
        /** The token had been exchanged already: a replay. The whole session (the token family) is revoked now. */
        REUSED
    }
}
