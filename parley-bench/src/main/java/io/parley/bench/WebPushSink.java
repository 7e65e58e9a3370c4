package io.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parley.server.push.WebPushCrypto;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Web Push service on 127.0.0.1 (port 0) for the offline users' push devices ({@code offline.push.devices}): each
 * {@link #subscription} is a browser's PushSubscription with a real P-256 key pair and a 16-byte auth secret, so the
 * server's RFC 8291 encryption and VAPID signing run for real. The service only counts: every POST that carries an
 * {@code aes128gcm} body and a {@code vapid} authorization is a push received (201 Created); anything else is
 * refused (400) and counted apart. It does not decrypt or verify (the server's WebPushServiceTest does that); the
 * browsers' private keys are dropped at once.
 */
final class WebPushSink implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final HttpServer http;
    private final ExecutorService executor;
    private final SecureRandom random = new SecureRandom();
    private final KeyPairGenerator keys;
    private final LongAdder pushes = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder refused = new LongAdder();

    WebPushSink() throws IOException {
        try {
            keys = KeyPairGenerator.getInstance("EC");
            keys.initialize(new ECGenParameterSpec("secp256r1"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no P-256 key generator", e);
        }
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/push/", this::handle);
        // Two threads: the server's push workers send from a few threads; one would serialize their requests.
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-push-sink");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.start();
    }

    /** A new browser's subscription (PushSubscription.toJSON()) for {@code POST /api/v1/devices}. */
    synchronized ObjectNode subscription(String browser) {
        byte[] auth = new byte[16];
        random.nextBytes(auth);
        ObjectNode sub = JSON.createObjectNode().put("endpoint", "http://127.0.0.1:" + port() + "/push/" + browser);
        sub.putObject("keys")
                .put("p256dh", B64.encodeToString(WebPushCrypto.uncompressed((ECPublicKey)
                        keys.generateKeyPair().getPublic())))
                .put("auth", B64.encodeToString(auth));
        return sub;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            long n = ex.getRequestBody().readAllBytes().length;
            String authz = ex.getRequestHeaders().getFirst("Authorization");
            if (!"POST".equals(ex.getRequestMethod())
                    || !"aes128gcm".equals(ex.getRequestHeaders().getFirst("Content-Encoding"))
                    || authz == null
                    || !authz.startsWith("vapid ")) {
                refused.increment();
                ex.sendResponseHeaders(400, -1);
                return;
            }
            pushes.increment();
            bytes.add(n);
            ex.getResponseHeaders().add("Location", "/message/" + pushes.sum());
            ex.sendResponseHeaders(201, -1);
        }
    }

    int port() {
        return http.getAddress().getPort();
    }

    /** Pushes received (answered 201) so far. */
    long pushes() {
        return pushes.sum();
    }

    /** Bytes of the pushes' bodies (the encrypted payloads) so far. */
    long bytes() {
        return bytes.sum();
    }

    /** Requests refused as no Web Push message (not a POST, not aes128gcm, no VAPID authorization). */
    long refused() {
        return refused.sum();
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
