package io.parley.server.auth;

/**
 * Validates a bearer token and names the user it stands for. Implementations: {@link HmacJwt} (HS256 shared
 * secret). RS256 public keys and JWKS plug in here as further implementations; callers depend only on this.
 * Must be thread-safe and must not block (JWKS fetching, when it comes, refreshes keys in the background).
 */
public interface TokenVerifier {

    /**
     * @return the verified identity
     * @throws InvalidTokenException when the token is malformed, wrongly signed, expired, not yet valid, has the
     *         wrong issuer or audience, or has no {@code sub}
     */
    Identity verify(String token) throws InvalidTokenException;

    /** A verified token: {@code userId} is the JWT {@code sub}; {@code expiresAt} epoch millis (0 when none). */
    record Identity(String userId, long expiresAt) {}

    final class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }
}
