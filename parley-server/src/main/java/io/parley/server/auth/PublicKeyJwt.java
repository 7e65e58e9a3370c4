package io.parley.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * RS256 and ES256 tokens, verified against public keys: one PEM public key ({@code auth.jwt-public-key}), or the keys
 * of a JWKS document ({@code auth.jwks-url}, {@link Jwks}: fetched at start, refreshed periodically, and fetched
 * again when a token names a key id it does not know, at most once per {@code auth.jwks-min-refetch}). A token's
 * {@code kid} picks its key; a token without one is verified with the only key of its type. The claims pass the same
 * checks as HS256 tokens ({@link Claims}).
 */
public final class PublicKeyJwt implements TokenVerifier {
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    /** Where the keys come from: a fixed list, or a JWKS document that may be fetched again. */
    interface KeySource {
        List<JWK> keys();

        /** Fetches the keys again if allowed now; completes (true) once new keys are in, false when not fetched. */
        CompletableFuture<Boolean> refetch();
    }

    private final KeySource keys;
    private final String issuer;
    private final String audience;
    private final Clock clock;
    private final long skewMillis;

    PublicKeyJwt(KeySource keys, String issuer, String audience, Clock clock, Duration skew) {
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
        this.skewMillis = skew.toMillis();
    }

    /** Verifies against the one public key of a PEM file ({@code -----BEGIN PUBLIC KEY-----}, RSA or EC P-256). */
    public static PublicKeyJwt fromPem(Path file, String issuer, String audience, Clock clock, Duration skew) {
        List<JWK> one = List.of(parsePem(file));
        return new PublicKeyJwt(
                new KeySource() {
                    @Override
                    public List<JWK> keys() {
                        return one;
                    }

                    @Override
                    public CompletableFuture<Boolean> refetch() {
                        return CompletableFuture.completedFuture(false);
                    }
                },
                issuer,
                audience,
                clock,
                skew);
    }

    /** Verifies against the keys of a JWKS document, which {@code jwks} fetches and refreshes. */
    public static PublicKeyJwt fromJwks(Jwks jwks, String issuer, String audience, Clock clock, Duration skew) {
        return new PublicKeyJwt(jwks, issuer, audience, clock, skew);
    }

    @Override
    public Identity verify(String token) throws InvalidTokenException {
        Parsed p = parse(token);
        JWK key = keyFor(p);
        if (key == null) {
            throw new UnknownKey(p.kid);
        }
        return check(p, key);
    }

    @Override
    public CompletableFuture<Identity> verifyAsync(String token) {
        try {
            return CompletableFuture.completedFuture(verify(token));
        } catch (UnknownKey e) {
            // A rotated key the node has not fetched yet, or a made-up kid: fetch again (rate-limited), then decide.
            return keys.refetch().thenApply(fetched -> {
                try {
                    return verify(token);
                } catch (InvalidTokenException again) {
                    throw new CompletionException(again);
                }
            });
        } catch (InvalidTokenException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private record Parsed(SignedJWT jwt, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {}

    private static Parsed parse(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("missing token");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
            if (!ALGORITHMS.contains(alg)) {
                throw new InvalidTokenException("unsupported algorithm " + alg);
            }
            return new Parsed(jwt, alg, jwt.getHeader().getKeyID(), jwt.getJWTClaimsSet());
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token");
        }
    }

    /**
     * The key the token names; without a kid, or for a key without an id (a PEM key), the only key that can verify
     * its algorithm; null if none.
     */
    private JWK keyFor(Parsed p) {
        List<JWK> candidates = new ArrayList<>();
        for (JWK k : keys.keys()) {
            if (fits(k, p.alg) && (p.kid == null || k.getKeyID() == null || p.kid.equals(k.getKeyID()))) {
                candidates.add(k);
            }
        }
        return candidates.size() == 1 ? candidates.get(0) : null;
    }

    private static boolean fits(JWK k, JWSAlgorithm alg) {
        if (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse())) {
            return false;
        }
        if (k.getAlgorithm() != null && !alg.equals(k.getAlgorithm())) {
            return false;
        }
        if (JWSAlgorithm.RS256.equals(alg)) {
            return k instanceof RSAKey;
        }
        return k instanceof ECKey ec && Curve.P_256.equals(ec.getCurve());
    }

    private Identity check(Parsed p, JWK key) throws InvalidTokenException {
        try {
            JWSVerifier verifier = key instanceof RSAKey rsa
                    ? new RSASSAVerifier(rsa.toRSAPublicKey())
                    : new ECDSAVerifier(((ECKey) key).toECPublicKey());
            if (!p.jwt.verify(verifier)) {
                throw new InvalidTokenException("bad signature");
            }
        } catch (JOSEException e) {
            throw new InvalidTokenException("cannot verify signature: " + e.getMessage());
        }
        return Claims.check(p.claims, issuer, audience, skewMillis, clock.millis());
    }

    /** No key of this node matches the token (yet). */
    static final class UnknownKey extends InvalidTokenException {
        private static final long serialVersionUID = 1L;

        UnknownKey(String kid) {
            super(kid == null ? "no key for this token" : "unknown key id " + kid);
        }
    }

    /** An RSA or EC (P-256) public key from a PEM file (SubjectPublicKeyInfo, {@code BEGIN PUBLIC KEY}). */
    static JWK parsePem(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read auth.jwt-public-key " + file + ": " + e.getMessage(), e);
        }
        int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = text.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(
                    "auth.jwt-public-key " + file + " holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 26, end));
        for (String type : List.of("RSA", "EC")) {
            try {
                PublicKey key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
                if (key instanceof RSAPublicKey rsa) {
                    return new RSAKey.Builder(rsa).keyUse(KeyUse.SIGNATURE).build();
                }
                if (key instanceof ECPublicKey ec) {
                    Curve curve = Curve.forECParameterSpec(ec.getParams());
                    if (!Curve.P_256.equals(curve)) {
                        throw new IllegalArgumentException(
                                "auth.jwt-public-key " + file + ": EC keys must be on P-256 (ES256), not " + curve);
                    }
                    return new ECKey.Builder(curve, ec).keyUse(KeyUse.SIGNATURE).build();
                }
            } catch (GeneralSecurityException notThisType) {
                // try the next key type; none fitting is reported below
            }
        }
        throw new IllegalArgumentException("auth.jwt-public-key " + file + " is neither an RSA nor an EC public key");
    }
}
