package io.parley.server.auth;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.util.concurrent.CompletableFuture;

/**
 * Hands each token to the verifier of its {@code alg}: HS256 to the shared secret's ({@link HmacJwt}, which also
 * signs the tokens of built-in accounts), RS256 and ES256 to the public keys' ({@link PublicKeyJwt}) when they are
 * configured. Any other algorithm, {@code none} included, is refused.
 */
public final class ByAlgorithm implements TokenVerifier {
    private final HmacJwt hmac;
    private final PublicKeyJwt publicKeys;

    /** {@code publicKeys} may be null: then only HS256 tokens are accepted. */
    public ByAlgorithm(HmacJwt hmac, PublicKeyJwt publicKeys) {
        this.hmac = hmac;
        this.publicKeys = publicKeys;
    }

    @Override
    public Identity verify(String token) throws InvalidTokenException {
        return pick(token).verify(token);
    }

    @Override
    public CompletableFuture<Identity> verifyAsync(String token) {
        try {
            return pick(token).verifyAsync(token);
        } catch (InvalidTokenException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private TokenVerifier pick(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("missing token");
        }
        Algorithm alg;
        try {
            // JWTParser, not SignedJWT: an unsecured token ("alg": "none") is then refused by name, not as malformed.
            alg = JWTParser.parse(token).getHeader().getAlgorithm();
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token");
        }
        if (JWSAlgorithm.HS256.equals(alg)) {
            return hmac;
        }
        if (publicKeys != null && alg instanceof JWSAlgorithm jws && PublicKeyJwt.ALGORITHMS.contains(jws)) {
            return publicKeys;
        }
        throw new InvalidTokenException("unsupported algorithm " + alg);
    }
}
