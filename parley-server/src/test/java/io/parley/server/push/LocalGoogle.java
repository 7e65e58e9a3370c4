package io.parley.server.push;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Google's two parts of an FCM send, played on 127.0.0.1: the OAuth2 token endpoint (RFC 7523 JWT bearer: it checks
 * the assertion's RS256 signature against the service account's public key, and its iss, scope, aud and exp against
 * the test's clock) and the FCM v1 send endpoint (it checks the bearer token is one it issued and not expired, and
 * the message JSON). What a send gets is chosen by the device token: {@code ok}, {@code gone} (404 UNREGISTERED),
 * {@code busy} (429, Retry-After: 30), {@code broken} (500), {@code bad} (400 INVALID_ARGUMENT), {@code slow} (no
 * answer until the test ends).
 */
final class LocalGoogle implements AutoCloseable {
    static final String PROJECT = "parley-test";
    static final String EMAIL = "push@parley-test.iam.gserviceaccount.com";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final RSAPublicKey accountKey;
    private final Clock clock;
    private final CountDownLatch release = new CountDownLatch(1);
    /** Tokens issued, by value: true while the FCM endpoint accepts them. */
    private final Map<String, Boolean> tokens = new ConcurrentHashMap<>();

    final AtomicInteger exchanges = new AtomicInteger();
    final List<String> refusals = new CopyOnWriteArrayList<>();
    final List<JsonObject> messages = new CopyOnWriteArrayList<>();
    final List<String> bearers = new CopyOnWriteArrayList<>();
    /** Every send answers 401, whatever its token (credentials revoked). */
    volatile boolean refuseAll;

    LocalGoogle(RSAPublicKey accountKey, Clock clock) throws IOException {
        this.accountKey = accountKey;
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/token", this::token);
        server.createContext("/v1/projects/" + PROJECT + "/messages:send", this::send);
        server.start();
    }

    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String tokenUri() {
        return origin() + "/token";
    }

    /** The FCM endpoint takes {@code token} no longer (it expired early, as Google may say). */
    void expire(String token) {
        tokens.put(token, false);
    }

    private void token(HttpExchange ex) throws IOException {
        exchanges.incrementAndGet();
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            form.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String problem = checkAssertion(form);
        if (problem != null) {
            refusals.add(problem);
            answer(ex, 400, new JsonObject().put("error", "invalid_grant").put("error_description", problem), null);
            return;
        }
        String token = "ya29.test-" + exchanges.get();
        tokens.put(token, true);
        answer(
                ex,
                200,
                new JsonObject()
                        .put("access_token", token)
                        .put("expires_in", 3599)
                        .put("token_type", "Bearer"),
                null);
    }

    private String checkAssertion(Map<String, String> form) {
        if (!GoogleAccessTokens.GRANT.equals(form.get("grant_type"))) {
            return "grant_type " + form.get("grant_type");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(form.get("assertion"));
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())
                    || !jwt.verify(new RSASSAVerifier(accountKey))) {
                return "bad RS256 signature";
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            if (!EMAIL.equals(c.getIssuer())) {
                return "iss " + c.getIssuer();
            }
            if (!"https://www.googleapis.com/auth/firebase.messaging".equals(c.getStringClaim("scope"))) {
                return "scope " + c.getStringClaim("scope");
            }
            if (!List.of(tokenUri()).equals(c.getAudience())) {
                return "aud " + c.getAudience();
            }
            long now = clock.millis();
            if (c.getIssueTime() == null || Math.abs(c.getIssueTime().getTime() - now) > 60_000) {
                return "iat not now";
            }
            if (c.getExpirationTime() == null
                    || c.getExpirationTime().getTime() <= now
                    || c.getExpirationTime().getTime() - c.getIssueTime().getTime()
                            > Duration.ofHours(1).toMillis()) {
                return "exp not within the hour after iat";
            }
            return null;
        } catch (Exception e) {
            return "unreadable assertion: " + e;
        }
    }

    private void send(HttpExchange ex) throws IOException {
        String authz = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
        String token = authz.startsWith("Bearer ") ? authz.substring(7) : "";
        bearers.add(token);
        JsonObject body = new JsonObject(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (refuseAll || !Boolean.TRUE.equals(tokens.get(token))) {
            answer(ex, 401, error(401, "UNAUTHENTICATED", null), null);
            return;
        }
        String problem = checkMessage(body);
        if (problem != null) {
            refusals.add(problem);
            answer(ex, 400, error(400, "INVALID_ARGUMENT", null), null);
            return;
        }
        messages.add(body);
        switch (body.getJsonObject("message").getString("token")) {
            case "ok" -> answer(ex, 200, new JsonObject().put("name", "projects/" + PROJECT + "/messages/1"), null);
            case "gone" -> answer(ex, 404, error(404, "NOT_FOUND", "UNREGISTERED"), null);
            case "busy" -> answer(ex, 429, error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), "30");
            case "broken" -> answer(ex, 500, error(500, "INTERNAL", "INTERNAL"), null);
            case "slow" -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.close();
            }
            default -> answer(ex, 400, error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"), null);
        }
    }

    /** The v1 schema's rules a real FCM enforces: string data values, one target, known android fields. */
    private static String checkMessage(JsonObject body) {
        if (body.size() != 1 || !(body.getValue("message") instanceof JsonObject m)) {
            return "no message";
        }
        if (!(m.getValue("token") instanceof String)) {
            return "no token";
        }
        if (m.getValue("data") instanceof JsonObject data) {
            for (Object v : data.getMap().values()) {
                if (!(v instanceof String)) {
                    return "data values must be strings";
                }
            }
        }
        if (m.getValue("android") instanceof JsonObject a
                && !Set.of("collapse_key", "priority", "notification").containsAll(a.fieldNames())) {
            return "unknown android fields " + a.fieldNames();
        }
        return null;
    }

    private static JsonObject error(int code, String status, String fcmCode) {
        JsonObject e = new JsonObject().put("code", code).put("message", "test").put("status", status);
        if (fcmCode != null) {
            e.put(
                    "details",
                    new JsonArray()
                            .add(new JsonObject()
                                    .put("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError")
                                    .put("errorCode", fcmCode)));
        }
        return new JsonObject().put("error", e);
    }

    private static void answer(HttpExchange ex, int status, JsonObject body, String retryAfter) throws IOException {
        byte[] b = body.encode().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (retryAfter != null) {
            ex.getResponseHeaders().add("Retry-After", retryAfter);
        }
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
