package io.parley.server.push;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.parley.server.TestCa;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * APNs played on 127.0.0.1: HTTP/2 over TLS (ALPN h2 only, as Apple serves it) with a certificate of a {@link TestCa}
 * made for the test. It refuses with 403 what Apple refuses (a provider token whose ES256 signature does not verify
 * with the .p8 key's public key, another kid or iss, an iat older than an hour by the test's clock; the wrong topic or
 * push type, an alert without its alert, badge and thread-id) and otherwise answers by the device token's first two
 * hex digits: {@code aa} 200, {@code bb} 410 Unregistered, {@code cc} 400 BadDeviceToken, {@code dd} 429
 * TooManyRequests (Retry-After: 120), {@code ee} 500 InternalServerError.
 */
final class LocalApns implements AutoCloseable {
    /** One request as the server saw it. */
    record Seen(String token, String jwt, Map<String, String> headers, JsonObject payload) {}

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final ECPublicKey key;
    private final String keyId;
    private final String teamId;
    private final String topic;
    private final Clock clock;

    final List<String> refusals = new CopyOnWriteArrayList<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    LocalApns(TestCa ca, Path dir, ECPublicKey key, String keyId, String teamId, String topic, Clock clock)
            throws Exception {
        this.key = key;
        this.keyId = keyId;
        this.teamId = teamId;
        this.topic = topic;
        this.clock = clock;
        TestCa.Leaf leaf = ca.issue(dir, "apns");
        server = vertx.createHttpServer(new HttpServerOptions()
                .setHost("127.0.0.1")
                .setPort(0)
                .setSsl(true)
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2))
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(leaf.certFile().toString())
                        .setKeyPath(leaf.keyFile().toString())));
        server.requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String origin() {
        return "https://127.0.0.1:" + server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            String problem = req.version() == HttpVersion.HTTP_2 ? null : "not HTTP/2 but " + req.version();
            String path = req.path();
            String token = path.startsWith("/3/device/") ? path.substring("/3/device/".length()) : null;
            if (problem == null && (!"POST".equals(req.method().name()) || token == null)) {
                problem = "not POST /3/device/<token>: " + req.method() + " " + path;
            }
            String authz = String.valueOf(req.getHeader("authorization"));
            String jwt = authz.startsWith("bearer ") ? authz.substring(7) : null;
            if (problem == null) {
                problem = checkToken(jwt);
            }
            JsonObject payload = null;
            if (problem == null) {
                try {
                    payload = body.toJsonObject();
                    problem = checkRequest(req, payload);
                } catch (RuntimeException e) {
                    problem = "payload is not JSON: " + e.getMessage();
                }
            }
            if (problem != null) {
                refusals.add(problem);
                answer(req, 403, "InvalidProviderToken", null);
                return;
            }
            seen.add(new Seen(
                    token,
                    jwt,
                    Map.of(
                            "apns-topic", req.getHeader("apns-topic"),
                            "apns-push-type", req.getHeader("apns-push-type"),
                            "apns-priority", String.valueOf(req.getHeader("apns-priority")),
                            "apns-collapse-id", String.valueOf(req.getHeader("apns-collapse-id")),
                            "apns-expiration", String.valueOf(req.getHeader("apns-expiration"))),
                    payload));
            switch (token.substring(0, 2)) {
                case "aa" ->
                    req.response()
                            .putHeader("apns-id", "5E5B1D38-0000-0000-0000-000000000001")
                            .end();
                case "bb" -> answer(req, 410, "Unregistered", null);
                case "cc" -> answer(req, 400, "BadDeviceToken", null);
                case "dd" -> answer(req, 429, "TooManyRequests", "120");
                default -> answer(req, 500, "InternalServerError", null);
            }
        });
    }

    private String checkToken(String jwt) {
        if (jwt == null) {
            return "no bearer provider token";
        }
        try {
            SignedJWT s = SignedJWT.parse(jwt);
            if (!JWSAlgorithm.ES256.equals(s.getHeader().getAlgorithm()) || !s.verify(new ECDSAVerifier(key))) {
                return "bad ES256 signature";
            }
            if (!keyId.equals(s.getHeader().getKeyID())) {
                return "kid " + s.getHeader().getKeyID();
            }
            JWTClaimsSet c = s.getJWTClaimsSet();
            if (!teamId.equals(c.getIssuer())) {
                return "iss " + c.getIssuer();
            }
            long age = clock.millis() - c.getIssueTime().getTime();
            if (age < -60_000 || age > Duration.ofHours(1).toMillis()) {
                return "ExpiredProviderToken: iat " + age + " ms ago";
            }
            return null;
        } catch (Exception e) {
            return "unreadable provider token: " + e;
        }
    }

    private String checkRequest(HttpServerRequest req, JsonObject payload) {
        if (!topic.equals(req.getHeader("apns-topic"))) {
            return "apns-topic " + req.getHeader("apns-topic");
        }
        String type = String.valueOf(req.getHeader("apns-push-type"));
        String expiration = String.valueOf(req.getHeader("apns-expiration"));
        if (!expiration.matches("\\d+")
                || Long.parseLong(expiration) <= clock.instant().getEpochSecond()) {
            return "apns-expiration not in the future: " + expiration;
        }
        JsonObject aps = payload.getJsonObject("aps");
        if (aps == null) {
            return "no aps";
        }
        if (type.equals("alert")) {
            JsonObject alert = aps.getJsonObject("alert");
            if (alert == null || alert.getString("title") == null || !(aps.getValue("badge") instanceof Integer)) {
                return "alert without alert.title or badge";
            }
            if (!String.valueOf(aps.getString("thread-id")).equals(req.getHeader("apns-collapse-id"))) {
                return "thread-id is not the collapse id";
            }
            return "10".equals(req.getHeader("apns-priority"))
                    ? null
                    : "alert priority " + req.getHeader("apns-priority");
        }
        if (type.equals("background")) {
            // Apple: a background push has content-available and nothing to show, priority 5.
            if (!Integer.valueOf(1).equals(aps.getValue("content-available")) || aps.containsKey("alert")) {
                return "background push that is not content-available only";
            }
            return "5".equals(req.getHeader("apns-priority"))
                    ? null
                    : "background priority " + req.getHeader("apns-priority");
        }
        return "apns-push-type " + type;
    }

    private static void answer(HttpServerRequest req, int status, String reason, String retryAfter) {
        if (retryAfter != null) {
            req.response().putHeader("retry-after", retryAfter);
        }
        req.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(new JsonObject().put("reason", reason).encode());
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
