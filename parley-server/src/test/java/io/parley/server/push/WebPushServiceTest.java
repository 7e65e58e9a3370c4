package io.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local HTTP server plays the Web Push service (issue 15 item 8): it checks the request as a push service does
 * (RFC 8030 headers, the VAPID JWT's ES256 signature against the key in {@code k=}, its {@code aud} and {@code exp},
 * RFC 8292) and decrypts the body with the subscription's private key (RFC 8291 / RFC 8188), the browser's part. The
 * decryption here is written from the RFC, not shared with the sender, apart from the key schedule's HMAC steps.
 */
class WebPushServiceTest {
    @TempDir
    Path dir;

    private HttpServer service;
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> headers = new CopyOnWriteArrayList<>();
    /** The browser's side of the subscription. */
    private KeyPair browser;

    private final byte[] auth = new byte[16];

    @BeforeEach
    void start() throws Exception {
        browser = WebPushCrypto.ephemeral();
        new java.security.SecureRandom().nextBytes(auth);
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/push/", ex -> {
            String problem = null;
            try {
                byte[] body = ex.getRequestBody().readAllBytes();
                String authz = ex.getRequestHeaders().getFirst("Authorization");
                problem = checkVapid(
                        authz, "http://127.0.0.1:" + service.getAddress().getPort());
                if (problem == null
                        && !"aes128gcm".equals(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                    problem = "Content-Encoding is not aes128gcm";
                }
                if (problem == null && ex.getRequestHeaders().getFirst("TTL") == null) {
                    problem = "no TTL";
                }
                if (problem == null) {
                    delivered.add(new String(decrypt(body), StandardCharsets.UTF_8));
                    headers.add(Map.of(
                            "Topic", String.valueOf(ex.getRequestHeaders().getFirst("Topic")),
                            "Urgency", String.valueOf(ex.getRequestHeaders().getFirst("Urgency")),
                            "TTL", ex.getRequestHeaders().getFirst("TTL")));
                }
            } catch (Exception e) {
                problem = "cannot decrypt: " + e;
            }
            if (problem != null) {
                refusals.add(problem);
                ex.sendResponseHeaders(problem.startsWith("cannot") ? 400 : 401, -1);
            } else {
                ex.getResponseHeaders().add("Location", "/message/1");
                ex.sendResponseHeaders(201, -1);
            }
            ex.close();
        });
        service.start();
    }

    @AfterEach
    void stop() {
        service.stop(0);
    }

    private String checkVapid(String authz, String origin) throws Exception {
        if (authz == null || !authz.startsWith("vapid ")) {
            return "no vapid authorization";
        }
        String t = null;
        String k = null;
        for (String part : authz.substring(6).split(",")) {
            String p = part.trim();
            if (p.startsWith("t=")) {
                t = p.substring(2);
            } else if (p.startsWith("k=")) {
                k = p.substring(2);
            }
        }
        if (t == null || k == null) {
            return "vapid without t or k";
        }
        ECPublicKey key = WebPushCrypto.publicKey(Base64.getUrlDecoder().decode(k), (ECPublicKey) browser.getPublic());
        SignedJWT jwt = SignedJWT.parse(t);
        if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new ECDSAVerifier(key))) {
            return "bad VAPID signature";
        }
        if (!jwt.getJWTClaimsSet().getAudience().equals(List.of(origin))) {
            return "wrong aud " + jwt.getJWTClaimsSet().getAudience();
        }
        long exp = jwt.getJWTClaimsSet().getExpirationTime().getTime();
        if (exp < System.currentTimeMillis()
                || exp > System.currentTimeMillis() + Duration.ofHours(24).toMillis()) {
            return "exp not within 24 h";
        }
        if (jwt.getJWTClaimsSet().getSubject() == null) {
            return "no sub";
        }
        return null;
    }

    /** The browser's part (LocalPushService.decrypt, written from the RFCs). */
    private byte[] decrypt(byte[] body) throws Exception {
        return LocalPushService.decrypt(browser, auth, body);
    }

    private WebPushRequest.Subscription subscription() {
        String p256dh = Base64.getUrlEncoder().withoutPadding().encodeToString(WebPushCrypto.uncompressed((ECPublicKey)
                browser.getPublic()));
        return WebPushRequest.Subscription.of(
                "http://127.0.0.1:" + service.getAddress().getPort() + "/push/sub-1",
                p256dh,
                Base64.getUrlEncoder().withoutPadding().encodeToString(auth));
    }

    private HttpResponse<Void> send(java.net.http.HttpRequest r) throws Exception {
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void aMessage_passesTheServicesVapidCheck_andTheBrowserDecryptsIt() throws Exception {
        VapidKeys vapid = VapidKeys.loadOrCreate(dir);
        String payload = "{\"title\":\"New message\",\"conversationId\":\"c_1\",\"badge\":3}";

        HttpResponse<Void> r = send(WebPushRequest.build(
                subscription(),
                payload.getBytes(StandardCharsets.UTF_8),
                Duration.ofHours(1),
                "normal",
                "c_1",
                vapid,
                "mailto:ops@example.org",
                Clock.systemUTC()));

        assertThat(refusals).isEmpty();
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(delivered).containsExactly(payload);
        assertThat(headers.get(0)).containsEntry("Topic", "c_1").containsEntry("TTL", "3600");
    }

    @Test
    void aTamperedBody_orAForeignVapidKey_isRefusedByTheService() throws Exception {
        VapidKeys vapid = VapidKeys.loadOrCreate(dir);
        java.net.http.HttpRequest good = WebPushRequest.build(
                subscription(),
                "hi".getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(1),
                "high",
                null,
                vapid,
                "mailto:ops@example.org",
                Clock.systemUTC());
        // Signed with one key, presented with another: the signature check must fail.
        String forged = WebPushRequest.authorization(
                        good.uri(), VapidKeys.generate(), "mailto:ops@example.org", Clock.systemUTC())
                .replaceAll("k=.*", "k=" + vapid.publicKeyBase64Url());
        HttpResponse<Void> r = send(java.net.http.HttpRequest.newBuilder(good.uri())
                .header("Authorization", forged)
                .header("Content-Encoding", "aes128gcm")
                .header("TTL", "60")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(WebPushCrypto.encrypt(
                        "hi".getBytes(StandardCharsets.UTF_8),
                        WebPushCrypto.uncompressed((ECPublicKey) browser.getPublic()),
                        auth)))
                .build());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(refusals).containsExactly("bad VAPID signature");

        byte[] body = WebPushCrypto.encrypt(
                "hi".getBytes(StandardCharsets.UTF_8),
                WebPushCrypto.uncompressed((ECPublicKey) browser.getPublic()),
                auth);
        body[body.length - 1] ^= 1;
        HttpResponse<Void> tampered = send(java.net.http.HttpRequest.newBuilder(good.uri())
                .header(
                        "Authorization",
                        good.headers().firstValue("Authorization").orElseThrow())
                .header("Content-Encoding", "aes128gcm")
                .header("TTL", "60")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
        assertThat(tampered.statusCode()).isEqualTo(400);
        assertThat(delivered).isEmpty();
    }

    @Test
    void vapidKeys_areGeneratedOnce_andKeptOwnerOnly() throws Exception {
        VapidKeys first = VapidKeys.loadOrCreate(dir);
        VapidKeys again = VapidKeys.loadOrCreate(dir);
        assertThat(again.publicKeyBase64Url()).isEqualTo(first.publicKeyBase64Url());
        assertThat(Base64.getUrlDecoder().decode(first.publicKeyBase64Url())).hasSize(65);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve(VapidKeys.FILE))))
                .isEqualTo("rw-------");
    }
}
