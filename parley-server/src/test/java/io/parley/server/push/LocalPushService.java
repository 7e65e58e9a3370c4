package io.parley.server.push;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Web Push service on a loopback port, for tests against a real server (issue 15 item 8): it checks every request
 * as a push service does (the VAPID JWT's ES256 signature against the key in {@code k=}, which must be the server's
 * published key, its {@code aud} and {@code sub}; {@code Content-Encoding: aes128gcm}; {@code TTL}) and decrypts the
 * body as the subscribed browser would (RFC 8291 / RFC 8188, written from the RFC). Each {@link #subscribe}d browser
 * has its own key pair. A test scripts answers ({@link #answerNext}) or takes the service down ({@link #down}).
 */
public final class LocalPushService implements AutoCloseable {
    /** One request the service accepted: the browser it was for, its Topic and the decrypted payload. */
    public record Received(String browser, String topic, String urgency, JsonObject payload) {}

    private record Browser(KeyPair keys, byte[] auth) {}

    /** A scripted answer: status and an optional Retry-After. */
    private record Answer(int status, String retryAfter) {}

    private final HttpServer http;
    private final Map<String, Browser> browsers = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final Deque<Answer> script = new ArrayDeque<>();
    private volatile String vapidKey;
    private volatile boolean down;
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

    public LocalPushService() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/push/", this::handle);
        http.start();
    }

    /** The server's VAPID public key (GET /api/v1/push/vapid-public-key): requests signed with another are refused. */
    public void expectVapidKey(String base64Url) {
        this.vapidKey = base64Url;
    }

    /** A new browser's subscription (PushSubscription.toJSON()), for POST /api/v1/devices. */
    public JsonObject subscribe(String browser) {
        KeyPair keys = WebPushCrypto.ephemeral();
        byte[] auth = new byte[16];
        new SecureRandom().nextBytes(auth);
        browsers.put(browser, new Browser(keys, auth));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return new JsonObject()
                .put("endpoint", "http://127.0.0.1:" + http.getAddress().getPort() + "/push/" + browser)
                .put(
                        "keys",
                        new JsonObject()
                                .put("p256dh", b64.encodeToString(WebPushCrypto.uncompressed((ECPublicKey)
                                        keys.getPublic())))
                                .put("auth", b64.encodeToString(auth)));
    }

    /** The next request gets {@code status} (with Retry-After when not null) instead of 201, and is not delivered. */
    public synchronized void answerNext(int status, String retryAfter) {
        script.add(new Answer(status, retryAfter));
    }

    /** While down, every request gets 503 (the provider's outage). */
    public void down(boolean down) {
        this.down = down;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> receivedBy(String browser) {
        List<Received> out = new ArrayList<>();
        for (Received r : received) {
            if (r.browser().equals(browser)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Requests that failed the service's checks (a test asserts there are none). */
    public List<String> refusals() {
        return List.copyOf(refusals);
    }

    /** Every request that reached the service, answered or not. */
    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            Answer scripted;
            synchronized (this) {
                scripted = script.poll();
            }
            if (down) {
                ex.sendResponseHeaders(503, -1);
                return;
            }
            if (scripted != null) {
                if (scripted.retryAfter() != null) {
                    ex.getResponseHeaders().add("Retry-After", scripted.retryAfter());
                }
                ex.sendResponseHeaders(scripted.status(), -1);
                return;
            }
            String browser = ex.getRequestURI().getPath().substring("/push/".length());
            Browser b = browsers.get(browser);
            if (b == null) {
                ex.sendResponseHeaders(410, -1);
                return;
            }
            String problem = checkVapid(ex.getRequestHeaders().getFirst("Authorization"));
            if (problem == null && !"aes128gcm".equals(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                problem = "Content-Encoding is not aes128gcm";
            }
            if (problem == null && ex.getRequestHeaders().getFirst("TTL") == null) {
                problem = "no TTL";
            }
            JsonObject payload = null;
            if (problem == null) {
                try {
                    payload = new JsonObject(new String(decrypt(b, body), StandardCharsets.UTF_8));
                } catch (Exception e) {
                    problem = "cannot decrypt: " + e;
                }
            }
            if (problem != null) {
                refusals.add(problem);
                ex.sendResponseHeaders(problem.startsWith("cannot") ? 400 : 401, -1);
                return;
            }
            received.add(new Received(
                    browser,
                    ex.getRequestHeaders().getFirst("Topic"),
                    ex.getRequestHeaders().getFirst("Urgency"),
                    payload));
            ex.getResponseHeaders().add("Location", "/message/" + received.size());
            ex.sendResponseHeaders(201, -1);
        }
    }

    private String checkVapid(String authz) {
        try {
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
            if (vapidKey != null && !vapidKey.equals(k)) {
                return "not the server's published VAPID key";
            }
            KeyPair any = browsers.values().iterator().next().keys();
            ECPublicKey key = WebPushCrypto.publicKey(Base64.getUrlDecoder().decode(k), (ECPublicKey) any.getPublic());
            SignedJWT jwt = SignedJWT.parse(t);
            if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new ECDSAVerifier(key))) {
                return "bad VAPID signature";
            }
            String origin = "http://127.0.0.1:" + http.getAddress().getPort();
            if (!jwt.getJWTClaimsSet().getAudience().equals(List.of(origin))) {
                return "wrong aud " + jwt.getJWTClaimsSet().getAudience();
            }
            if (jwt.getJWTClaimsSet().getSubject() == null
                    || jwt.getJWTClaimsSet().getExpirationTime() == null) {
                return "no sub or exp";
            }
            return null;
        } catch (Exception e) {
            return "bad VAPID token: " + e;
        }
    }

    private static byte[] decrypt(Browser b, byte[] body) throws Exception {
        return decrypt(b.keys(), b.auth(), body);
    }

    /**
     * The browser's side, written from the RFCs and not shared with the sender apart from the key schedule's HMAC
     * steps: RFC 8188 header, ECDH with the sender's key from keyid, RFC 8291 keys, AES-128-GCM, the last-record
     * delimiter. {@code keys} is the subscription's key pair, {@code auth} its secret.
     */
    static byte[] decrypt(KeyPair browser, byte[] auth, byte[] body) throws Exception {
        ByteBuffer buf = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        buf.get(salt);
        if (buf.getInt() < 18) {
            throw new IllegalStateException("record size below the minimum of 18");
        }
        byte[] asPublic = new byte[buf.get() & 0xff];
        buf.get(asPublic);
        byte[] record = new byte[buf.remaining()];
        buf.get(record);
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(browser.getPrivate());
        ka.doPhase(WebPushCrypto.publicKey(asPublic, (ECPublicKey) browser.getPublic()), true);
        byte[] uaPublic = WebPushCrypto.uncompressed((ECPublicKey) browser.getPublic());
        byte[][] keys = WebPushCrypto.keys(ka.generateSecret(), auth, uaPublic, asPublic, salt);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keys[0], "AES"), new GCMParameterSpec(128, keys[1]));
        byte[] padded = c.doFinal(record);
        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) {
            end--;
        }
        if (end < 0 || padded[end] != 2) {
            throw new IllegalStateException("no last-record delimiter");
        }
        return Arrays.copyOf(padded, end);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
