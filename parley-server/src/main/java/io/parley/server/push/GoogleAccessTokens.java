package io.parley.server.push;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.CompletableFuture;

/**
 * OAuth2 access tokens for a service account (RFC 7523, Google's "service account" flow): an RS256 JWT signed with the
 * account's key ({@code iss} the client email, {@code scope}, {@code aud} the key file's {@code token_uri}, {@code iat}, {@code exp} one
 * hour later) is exchanged at the token URI for a bearer token. The token is kept until {@link #MARGIN} before it
 * expires; concurrent callers share one exchange. A token the API refuses (401) is dropped by {@link #invalidate} so
 * the next call makes a new one.
 */
final class GoogleAccessTokens {
    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    static final String GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);
    /** A token this close to its expiry is replaced before use, so none expires in flight. */
    static final Duration MARGIN = Duration.ofMinutes(5);

    /** The token endpoint gave no token; {@code result} is the verdict for the send that needed it. */
    static final class Unavailable extends RuntimeException {
        final PushResult result;

        Unavailable(PushResult result) {
            super(result.reason(), null, false, false);
            this.result = result;
        }
    }

    private record Token(String value, Instant refreshAt) {}

    private final GoogleServiceAccount account;
    private final URI tokenUri;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private CompletableFuture<Token> current;

    GoogleAccessTokens(GoogleServiceAccount account, URI tokenUri, HttpClient http, Duration timeout, Clock clock) {
        this.account = account;
        this.tokenUri = tokenUri;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** A valid access token; fails with {@link Unavailable} when the token endpoint refuses or cannot be reached. */
    synchronized CompletableFuture<String> token() {
        CompletableFuture<Token> c = current;
        if (c == null
                || c.isCompletedExceptionally()
                || (c.isDone() && !clock.instant().isBefore(c.join().refreshAt()))) {
            c = exchange();
            current = c;
        }
        return c.thenApply(Token::value);
    }

    /** Drops {@code token} if it is the cached one (the API answered 401 to it). */
    synchronized void invalidate(String token) {
        CompletableFuture<Token> c = current;
        if (c != null
                && c.isDone()
                && !c.isCompletedExceptionally()
                && c.join().value().equals(token)) {
            current = null;
        }
    }

    private CompletableFuture<Token> exchange() {
        String assertion;
        try {
            assertion = assertion();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // a bug (the key cannot sign): the send's future fails
        }
        String body = "grant_type=" + URLEncoder.encode(GRANT, StandardCharsets.UTF_8) + "&assertion="
                + URLEncoder.encode(assertion, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(tokenUri)
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        Instant sent = clock.instant();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, t) -> {
            if (t != null) {
                throw new Unavailable(ProviderHttp.transportFailure(t));
            }
            return parse(r, sent);
        });
    }

    private Token parse(HttpResponse<String> r, Instant sent) {
        int s = r.statusCode();
        if (s == 429 || s >= 500) {
            throw new Unavailable(new PushResult(
                    PushResult.Kind.RETRY, s, ProviderHttp.retryAfter(r, clock), "oauth2 token endpoint " + s));
        }
        JsonObject json;
        try {
            json = new JsonObject(r.body());
        } catch (DecodeException e) {
            json = new JsonObject();
        }
        if (s != 200) {
            // RFC 6749 5.2: {"error": "invalid_grant", ...}; bad credentials do not heal by retrying.
            throw new Unavailable(new PushResult(
                    PushResult.Kind.FAILED, s, null, "oauth2 " + json.getString("error", "status " + s)));
        }
        Object token = json.getValue("access_token");
        Object expires = json.getValue("expires_in");
        if (!(token instanceof String t) || !(expires instanceof Number n)) {
            throw new Unavailable(
                    new PushResult(PushResult.Kind.RETRY, s, null, "oauth2 answer without access_token/expires_in"));
        }
        return new Token(t, sent.plusSeconds(n.longValue()).minus(MARGIN));
    }

    /** The signed JWT-bearer assertion (RFC 7523 section 3). */
    String assertion() {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(account.clientEmail())
                .audience(account.tokenUri().toString())
                .claim("scope", SCOPE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(new RSASSASigner(account.privateKey()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the OAuth2 assertion", e);
        }
        return jwt.serialize();
    }
}
