package io.parley.server.store;

/**
 * A signed-in device (docs/api.md, "Sessions"): created by a login, or by the first connection with a token minted
 * by an external backend ({@code external}: its id is the token's {@code sid} or {@code jti} claim). {@code name},
 * {@code platform}, {@code ip} and {@code userAgent} may be null; {@code revokedAt} is 0 while the session is valid.
 */
public record DeviceSession(
        String id,
        String userId,
        String name,
        String platform,
        long createdAt,
        long lastSeenAt,
        String ip,
        String userAgent,
        boolean external,
        long revokedAt) {
    public boolean revoked() {
        return revokedAt != 0;
    }
}
