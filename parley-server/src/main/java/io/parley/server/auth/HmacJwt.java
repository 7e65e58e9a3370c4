package io.parley.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;

/**
 * HS256 JSON Web Tokens with one shared secret: verifies tokens minted by an application backend, and issues tokens
 * for built-in accounts. {@code exp} is required (a token that never expires cannot be revoked by waiting);
 * {@code iss} and {@code aud} are checked when configured, with the configured clock skew ({@link Claims}).
 */
public final class HmacJwt implements TokenVerifier {
    /** The clock skew tolerated when no other is configured ({@code auth.clock-skew}). */
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);

    private final MACSigner signer;
    private final MACVerifier verifier;
    private final String issuer;
    private final String audience;
    private final Clock clock;
    private final long skewMillis;

    public HmacJwt(byte[] secret, String issuer, String audience, Clock clock) {
        this(secret, issuer, audience, clock, DEFAULT_SKEW);
    }

    public HmacJwt(byte[] secret, String issuer, String audience, Clock clock, Duration skew) {
        try {
            this.signer = new MACSigner(secret);
            this.verifier = new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("JWT secret unusable for HS256: " + e.getMessage(), e);
        }
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
        this.skewMillis = skew.toMillis();
    }

    /** Issues a token for {@code userId} valid for {@code ttl}, naming no session. */
    public String issue(String userId, Duration ttl) {
        return issue(userId, null, ttl);
    }

    /** Issues an access token for {@code userId} in device session {@code sessionId} (claim {@code sid}). */
    public String issue(String userId, String sessionId, Duration ttl) {
        long now = clock.millis();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(userId)
                .claim("sid", sessionId)
                // Two tokens of one session issued in one second differ (a refresh right after the login).
                .jwtID(sessionId == null ? null : java.util.UUID.randomUUID().toString())
                .issueTime(new Date(now))
                .expirationTime(new Date(now + ttl.toMillis()));
        if (issuer != null) {
            claims.issuer(issuer);
        }
        if (audience != null) {
            claims.audience(audience);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
        return jwt.serialize();
    }

    @Override
    public Identity verify(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("missing token");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new InvalidTokenException(
                    "unsupported algorithm " + jwt.getHeader().getAlgorithm());
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new InvalidTokenException("bad signature");
            }
        } catch (JOSEException e) {
            throw new InvalidTokenException("cannot verify signature: " + e.getMessage());
        }
        return Claims.check(claims, issuer, audience, skewMillis, clock.millis());
    }
}
