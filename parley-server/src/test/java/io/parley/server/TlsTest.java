package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.client.ConnectionState;
import io.parley.client.OutgoingMessage;
import io.parley.client.ParleyClient;
import io.parley.client.ParleyListener;
import io.parley.client.ParleyRest;
import io.parley.client.Rest.Auth;
import io.parley.client.TrustStore;
import io.parley.protocol.ServerFrame;
import io.parley.server.config.ConfigException;
import io.parley.server.config.ConfigLoader;
import io.parley.server.time.ManualScheduler;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS and WSS on the node's port (tls.cert-file, tls.key-file) with a CA made for the test: the REST API and the
 * WebSocket through the Java SDK with its own trust store, HSTS on every answer, a client that does not trust the CA
 * refused at the handshake, and a renewed certificate taken up without a restart while open sockets stay.
 */
class TlsTest {
    @TempDir
    Path dir;

    private final TestCa ca = new TestCa("Parley Test CA");
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private TestServer startTls(TestCa.Leaf leaf, ManualScheduler time) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        server = new TestServer(
                data,
                Map.of(
                        "tls.cert-file", leaf.certFile().toString(),
                        "tls.key-file", leaf.keyFile().toString()));
        if (time != null) {
            server.on(time);
        }
        return server.start();
    }

    private String https() {
        return "https://127.0.0.1:" + server.port();
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The serial of the certificate a fresh handshake gets (a fresh SSL context each time: no resumed session). */
    private BigInteger servedSerial() throws IOException {
        try (SSLSocket s = (SSLSocket) ca.sslContext().getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    @Test
    void https_servesTheCaSignedCertificate_withHstsOnEveryAnswer() throws Exception {
        TestCa.Leaf leaf = ca.issue(dir, "server");
        startTls(leaf, null);
        HttpClient trusting = TrustStore.httpClient(ca.sslContext());
        HttpResponse<String> live = get(trusting, https() + "/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
        // The router's own errors carry it too.
        HttpResponse<String> missing = get(trusting, https() + "/no-such-page.html");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
        assertThat(missing.body()).contains("\"not_found\"");
        assertThat(servedSerial()).isEqualTo(leaf.cert().getSerialNumber());
        // A client trusting only the public CAs refuses the certificate.
        HttpClient jdkDefault = HttpClient.newHttpClient();
        assertThatThrownBy(() -> get(jdkDefault, https() + "/health/live")).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void plainHttp_sendsNoHsts() throws Exception {
        server = new TestServer(Files.createDirectories(dir.resolve("plain"))).start();
        HttpResponse<String> live = get(HttpClient.newHttpClient(), server.httpUrl() + "/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.headers().firstValue("Strict-Transport-Security")).isEmpty();
    }

    @Test
    void sdk_overWssAndHttps_withItsOwnTrustStore() throws Exception {
        startTls(ca.issue(dir, "server"), null);
        char[] password = "changeit".toCharArray();
        Path trust = ca.trustStore(dir.resolve("trust.p12"), password);
        ParleyRest anon = ParleyRest.create(
                URI.create(https()), () -> null, TrustStore.httpClient(TrustStore.sslContext(trust, password)));
        Auth amy = anon.register("amy_tls", "password-amy").get(10, TimeUnit.SECONDS);
        Auth bo = anon.register("bo_tls", "password-bo").get(10, TimeUnit.SECONDS);
        String dm = anon.withToken(amy.token())
                .directWithUsername("bo_tls")
                .get(10, TimeUnit.SECONDS)
                .id();
        List<String> boSaw = Collections.synchronizedList(new ArrayList<>());
        try (ParleyClient amyClient = wss(amy.token(), trust, password, new ArrayList<>());
                ParleyClient boClient = wss(bo.token(), trust, password, boSaw)) {
            amyClient.connect().get(10, TimeUnit.SECONDS);
            boClient.connect().get(10, TimeUnit.SECONDS);
            assertThat(amyClient.rest().baseUri()).isEqualTo(URI.create(https()));
            OutgoingMessage hi = amyClient.send(dm, "hi over wss");
            ServerFrame.Ack ack = hi.acked().get(10, TimeUnit.SECONDS);
            Chatter.await(() -> boSaw.contains(ack.seq() + " hi over wss"), Duration.ofSeconds(10), "bo's event");
            // The client's REST calls go over https with the same trust store.
            assertThat(boClient.rest()
                            .history(dm, io.parley.client.Rest.Paging.latest())
                            .get(10, TimeUnit.SECONDS)
                            .messages())
                    .extracting(io.parley.client.Rest.Message::body)
                    .containsExactly("hi over wss");
        }
    }

    private ParleyClient wss(String token, Path trust, char[] password, List<String> saw) {
        return ParleyClient.builder()
                .uri(URI.create("wss://127.0.0.1:" + server.port() + "/ws"))
                .tokenSupplier(() -> token)
                .trustStore(trust, password)
                .listener(new ParleyListener() {
                    @Override
                    public void onEvent(ServerFrame.Event e) {
                        if ("message".equals(e.kind())) {
                            saw.add(e.seq() + " " + e.body());
                        }
                    }
                })
                .build();
    }

    @Test
    void renewedCertificate_isServedWithoutRestart_andOpenSocketsStay() throws Exception {
        ManualScheduler time = new ManualScheduler();
        TestCa.Leaf first = ca.issue(dir, "server");
        startTls(first, time);
        char[] password = "changeit".toCharArray();
        Path trust = ca.trustStore(dir.resolve("trust.p12"), password);
        ParleyRest anon = ParleyRest.create(URI.create(https()), () -> null, TrustStore.httpClient(ca.sslContext()));
        Auth amy = anon.register("amy_renew", "password-amy").get(10, TimeUnit.SECONDS);
        String group = anon.withToken(amy.token())
                .createGroup("renewal", List.of())
                .get(10, TimeUnit.SECONDS)
                .id();
        try (ParleyClient open = wss(amy.token(), trust, password, new ArrayList<>())) {
            open.connect().get(10, TimeUnit.SECONDS);
            assertThat(servedSerial()).isEqualTo(first.cert().getSerialNumber());

            // Half a renewal: the new certificate is in place, its key not yet. The old pair stays served.
            TestCa.Leaf half = ca.issueCertOnly(dir, "server");
            time.advance(Duration.ofMinutes(1));
            assertThat(servedSerial()).isEqualTo(first.cert().getSerialNumber());

            // The whole renewal: both files. Taken up at the next check (tls.reload-interval, 1m by default).
            TestCa.Leaf renewed = ca.issue(dir, "server");
            assertThat(renewed.cert().getSerialNumber())
                    .isNotEqualTo(half.cert().getSerialNumber());
            time.advance(Duration.ofMinutes(1));
            Poll.until(
                    () -> {
                        try {
                            return servedSerial().equals(renewed.cert().getSerialNumber());
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    },
                    Duration.ofSeconds(10),
                    "the renewed certificate served");
            // The socket opened under the first certificate is still live and acked.
            assertThat(open.state()).isEqualTo(ConnectionState.LIVE);
            assertThat(open.send(group, "still here")
                            .acked()
                            .get(10, TimeUnit.SECONDS)
                            .seq())
                    .isPositive();
        }
    }

    @Test
    void certWithoutKey_isRefusedAtLoad_namingBothKeys() {
        assertThatThrownBy(() -> ConfigLoader.defaultsWith(Map.of("tls.cert-file", "/x/cert.pem")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.key-file")
                .hasMessageContaining("tls.cert-file");
    }

    @Test
    void keyOfAnotherCertificate_failsTheStart_namingTheFiles() throws Exception {
        TestCa.Leaf leaf = ca.issue(dir, "server");
        TestCa.Leaf other = ca.issue(dir, "other");
        Path data = Files.createDirectories(dir.resolve("data"));
        TestServer bad = new TestServer(
                data,
                Map.of(
                        "tls.cert-file", leaf.certFile().toString(),
                        "tls.key-file", other.keyFile().toString()));
        assertThatThrownBy(bad::start)
                .rootCause()
                .hasMessageContaining("does not belong to the certificate")
                .hasMessageContaining("tls.key-file");
    }
}
