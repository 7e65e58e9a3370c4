package io.parley.server.auth;

import java.util.concurrent.CompletableFuture;

/**
 * Validates a bearer token and names the user it stands for. Implementations: {@link HmacJwt} (HS256 shared
 * secret), {@link PublicKeyJwt} (RS256 and ES256 against a PEM public key or a JWKS document) and
 * {@link ByAlgorithm}, which hands each token to the one for its {@code alg}; callers depend only on this. Must be
 * thread-safe and must not block: a verifier that has to fetch keys does so in {@link #verifyAsync}.
 */
public interface TokenVerifier {

    /**
     * @return the verified identity
     * @throws InvalidTokenException when the token is malformed, wrongly signed, expired, not yet valid, has the
     *         wrong issuer or audience, or has no {@code sub}
     */
    Identity verify(String token) throws InvalidTokenException;

    /**
     * As {@link #verify}, for verifiers that may need to fetch a key first (an unknown JWKS key id): fails with
     * {@link InvalidTokenException}. The default answers at once.
     */
    default CompletableFuture<Identity> verifyAsync(String token) {
        try {
            return CompletableFuture.completedFuture(verify(token));
        } catch (InvalidTokenException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A verified token: {@code userId} is the JWT {@code sub}; {@code expiresAt} epoch millis (0 when none);
     * {@code sessionId} the device session it belongs to (the {@code sid} claim, else {@code jti}; null when the
     * token has neither); {@code issuedAt} the {@code iat} claim in epoch millis (0 when none).
     */
    record Identity(String userId, long expiresAt, String sessionId, long issuedAt) {
        public Identity(String userId, long expiresAt) {
            this(userId, expiresAt, null, 0);
        }
    }

    /** Not final: a verifier may say more (an unknown key id, which it may fetch before it decides). */
    class InvalidTokenException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }
}
