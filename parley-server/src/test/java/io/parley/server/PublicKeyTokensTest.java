package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.parley.server.time.ManualScheduler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RS256 and ES256 tokens (issue 18, tokens): against a PEM public key, and against a JWKS document served by a real
 * local HTTP server whose keys rotate mid-test. HS256 keeps working beside them.
 */
class PublicKeyTokensTest {
    private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");

    private static String sign(JWK key, JWSAlgorithm alg, String kid, String sub, Instant now, String issuer)
            throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(sub)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
        if (issuer != null) {
            claims.issuer(issuer);
        }
        JWSHeader header =
                new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build();
        SignedJWT jwt = new SignedJWT(header, claims.build());
        jwt.sign(key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key));
        return jwt.serialize();
    }

    private static String pem(JWK key) throws Exception {
        byte[] der = key instanceof RSAKey rsa
                ? rsa.toPublicKey().getEncoded()
                : ((ECKey) key).toPublicKey().getEncoded();
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static int me(TestServer server, String token) {
        return new Rest(server.httpUrl(), token).get("/api/v1/me").status();
    }

    private static String errorOf(TestServer server, String token) {
        Rest.Response r = new Rest(server.httpUrl(), token).get("/api/v1/me");
        return r.json().getJsonObject("error").getString("message");
    }

    @Test
    void pemPublicKey_acceptsItsRs256Tokens_andHs256StillWorks(@TempDir Path dir) throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
        Path pemFile = dir.resolve("public.pem");
        Files.writeString(pemFile, pem(rsa));
        try (TestServer server =
                new TestServer(dir.resolve("data"), Map.of("auth.jwt-public-key", pemFile.toString())).start()) {
            Instant now = Instant.now();
            assertThat(me(server, sign(rsa, JWSAlgorithm.RS256, null, "rita", now, "parley")))
                    .isEqualTo(200);
            assertThat(me(server, sign(rsa, JWSAlgorithm.RS256, "any-kid", "rita", now, "parley")))
                    .as("a PEM key has no id of its own: it verifies tokens whatever kid they name")
                    .isEqualTo(200);
            assertThat(me(server, TestServer.token("hank"))).as("HS256").isEqualTo(200);
            RSAKey other = new RSAKeyGenerator(2048).generate();
            assertThat(errorOf(server, sign(other, JWSAlgorithm.RS256, null, "rita", now, "parley")))
                    .contains("bad signature");
            assertThat(errorOf(server, sign(rsa, JWSAlgorithm.RS256, null, "rita", now, "someone-else")))
                    .contains("wrong issuer");
            assertThat(errorOf(
                            server,
                            sign(rsa, JWSAlgorithm.RS256, null, "rita", now.minus(Duration.ofHours(2)), "parley")))
                    .contains("expired");
            ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
            assertThat(errorOf(server, sign(ec, JWSAlgorithm.ES256, null, "rita", now, "parley")))
                    .as("an ES256 token when the only key is RSA")
                    .contains("no key");
        }
    }

    @Test
    void pemPublicKey_es256(@TempDir Path dir) throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        Path pemFile = dir.resolve("ec.pem");
        Files.writeString(pemFile, pem(ec));
        try (TestServer server =
                new TestServer(dir.resolve("data"), Map.of("auth.jwt-public-key", pemFile.toString())).start()) {
            assertThat(me(server, sign(ec, JWSAlgorithm.ES256, null, "eve", Instant.now(), "parley")))
                    .isEqualTo(200);
            String unsigned = sign(ec, JWSAlgorithm.ES256, null, "eve", Instant.now(), "parley");
            String[] parts = unsigned.split("\\.", -1);
            String none = Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                    + "." + parts[1] + ".";
            assertThat(errorOf(server, none)).contains("unsupported algorithm");
        }
    }

    /** A JWKS endpoint on 127.0.0.1 serving whatever key set it holds now, counting the fetches. */
    private static final class JwksServer implements AutoCloseable {
        final AtomicReference<JWKSet> keys = new AtomicReference<>();
        final AtomicInteger fetches = new AtomicInteger();
        final HttpServer http;

        JwksServer(JWK... initial) throws Exception {
            keys.set(new JWKSet(List.of(initial)));
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/jwks.json", exchange -> {
                fetches.incrementAndGet();
                byte[] body = keys.get().toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (var out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/jwks.json";
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    @Test
    void jwks_rotatesKeysMidTest_fetchingAgainForAnUnknownKid_atMostOncePerWindow(@TempDir Path dir) throws Exception {
        RSAKey k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey k2 = new RSAKeyGenerator(2048).keyID("k2").generate();
        ECKey e3 = new ECKeyGenerator(Curve.P_256).keyID("e3").generate();
        ManualScheduler time = new ManualScheduler(START);
        try (JwksServer idp = new JwksServer(k1);
                TestServer server = new TestServer(
                                dir,
                                Map.of(
                                        "auth.jwks-url", idp.url(),
                                        "auth.jwks-refresh", "10m",
                                        "auth.jwks-min-refetch", "30s"))
                        .on(time)
                        .start()) {
            assertThat(idp.fetches.get()).as("fetched at start").isEqualTo(1);
            assertThat(me(server, sign(k1, JWSAlgorithm.RS256, "k1", "kim", START, "parley")))
                    .isEqualTo(200);

            // The identity provider rotates: k2 replaces k1.
            idp.keys.set(new JWKSet(List.of(k2, e3)));
            String withK2 = sign(k2, JWSAlgorithm.RS256, "k2", "kim", START, "parley");
            assertThat(errorOf(server, withK2))
                    .as("within 30 s of the last fetch an unknown kid is refused without fetching")
                    .contains("unknown key id k2");
            assertThat(idp.fetches.get()).isEqualTo(1);

            time.advance(Duration.ofSeconds(30));
            assertThat(me(server, withK2))
                    .as("an unknown kid fetches again once the window passed")
                    .isEqualTo(200);
            assertThat(idp.fetches.get()).isEqualTo(2);
            assertThat(me(server, sign(e3, JWSAlgorithm.ES256, "e3", "kim", START, "parley")))
                    .as("ES256 from the same set")
                    .isEqualTo(200);
            assertThat(errorOf(server, sign(k1, JWSAlgorithm.RS256, "k1", "kim", START, "parley")))
                    .as("the rotated-out key is gone")
                    .contains("unknown key id k1");

            // A flood of made-up key ids costs the identity provider nothing within the window.
            for (int i = 0; i < 50; i++) {
                assertThat(me(server, sign(k2, JWSAlgorithm.RS256, "made-up-" + i, "kim", START, "parley")))
                        .isEqualTo(401);
            }
            assertThat(idp.fetches.get()).isEqualTo(2);

            // The periodic refresh fetches without being asked.
            server.advanceUntil(
                    Duration.ofMinutes(10),
                    Duration.ofMinutes(20),
                    () -> idp.fetches.get() >= 3,
                    "the refresh fetched the set");
            assertThat(me(server, TestServer.token("hank")))
                    .as("HS256 beside JWKS")
                    .isEqualTo(200);
        }
    }

    @Test
    void jwks_unreachableAtStart_doesNotStopTheNode(@TempDir Path dir) throws Exception {
        int closedPort;
        try (var s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (TestServer server =
                new TestServer(dir, Map.of("auth.jwks-url", "http://127.0.0.1:" + closedPort + "/jwks.json")).start()) {
            assertThat(me(server, TestServer.token("hank"))).isEqualTo(200);
            RSAKey k = new RSAKeyGenerator(2048).keyID("k").generate();
            assertThat(me(server, sign(k, JWSAlgorithm.RS256, "k", "kim", Instant.now(), "parley")))
                    .isEqualTo(401);
        }
    }
}
