package io.parley.server.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.util.Date;
import java.util.List;

/**
 * The claim checks every token passes, whatever signed it: {@code exp} is required (a token that never expires cannot
 * be revoked by waiting), {@code nbf} is honoured, {@code iss} and {@code aud} are checked when configured, both
 * times with the configured clock skew, and {@code sub} names the user (1 to 128 characters, as ids in frames).
 * The device session is {@code sid}, else {@code jti} (1 to 128 characters when present).
 */
final class Claims {
    private Claims() {}

    static TokenVerifier.Identity check(
            JWTClaimsSet claims, String issuer, String audience, long skewMillis, long nowMillis)
            throws TokenVerifier.InvalidTokenException {
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new TokenVerifier.InvalidTokenException("token has no exp claim");
        }
        if (exp.getTime() + skewMillis < nowMillis) {
            throw new TokenVerifier.InvalidTokenException("token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.getTime() - skewMillis > nowMillis) {
            throw new TokenVerifier.InvalidTokenException("token not valid yet");
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            throw new TokenVerifier.InvalidTokenException("wrong issuer");
        }
        if (audience != null) {
            List<String> aud = claims.getAudience();
            if (aud == null || !aud.contains(audience)) {
                throw new TokenVerifier.InvalidTokenException("wrong audience");
            }
        }
        String sub = claims.getSubject();
        if (sub == null || sub.isBlank() || sub.length() > 128) {
            throw new TokenVerifier.InvalidTokenException("token has no usable sub claim");
        }
        String sid;
        try {
            sid = claims.getStringClaim("sid");
        } catch (java.text.ParseException e) {
            throw new TokenVerifier.InvalidTokenException("sid claim is not a string");
        }
        if (sid == null) {
            sid = claims.getJWTID();
        }
        if (sid != null && (sid.isBlank() || sid.length() > 128)) {
            throw new TokenVerifier.InvalidTokenException("sid or jti claim must be 1 to 128 characters");
        }
        Date iat = claims.getIssueTime();
        return new TokenVerifier.Identity(sub, exp.getTime(), sid, iat == null ? 0 : iat.getTime());
    }
}
