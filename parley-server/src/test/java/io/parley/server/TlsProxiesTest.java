package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.parley.client.OutgoingMessage;
import io.parley.client.ParleyClient;
import io.parley.client.ParleyRest;
import io.parley.client.Rest.Auth;
import io.parley.client.TrustStore;
import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped deploy/haproxy.cfg and deploy/nginx.conf, run by the real HAProxy and nginx (Debian packages; .ci/run
 * installs them) in front of a real node speaking plain HTTP: TLS terminated at the proxy with a certificate of a CA
 * made for the test, HSTS from the proxy, /metrics not let out, and the Java SDK over wss through it. Only the ports,
 * the certificate paths and nginx's pid file are replaced in the files; everything else is as shipped.
 */
class TlsProxiesTest {
    private static final Path DEPLOY = Path.of("..", "deploy");

    @TempDir
    Path dir;

    private final TestCa ca = new TestCa("Parley Proxy Test CA");
    private TestServer node;
    private TestCa.Leaf leaf;
    private Process proxy;
    private int plainPort;
    private int tlsPort;

    @BeforeEach
    void start() throws IOException {
        node = new TestServer(Files.createDirectories(dir.resolve("node"))).start();
        leaf = ca.issue(dir, "proxy");
        plainPort = freePort();
        tlsPort = freePort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (proxy != null) {
            proxy.destroy(); // SIGTERM to the proxy this test started
            if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
            }
        }
        node.stop();
    }

    @Test
    void haproxy_terminatesTls_forRestAndWss_andHidesMetrics() throws Exception {
        String haproxy = binary("haproxy");
        Path pem = Files.writeString(
                dir.resolve("haproxy.pem"), Files.readString(leaf.certFile()) + Files.readString(leaf.keyFile()));
        ProcessBuilder b = new ProcessBuilder(
                haproxy, "-db", "-f", DEPLOY.resolve("haproxy.cfg").toString());
        Map<String, String> env = b.environment();
        env.put("LB_PORT", Integer.toString(plainPort));
        env.put("LB_TLS_PORT", Integer.toString(tlsPort));
        env.put("TLS_PEM", pem.toString());
        env.put("NODE1_PORT", Integer.toString(node.port()));
        env.put("NODE2_PORT", Integer.toString(node.port()));
        env.put("NODE3_PORT", Integer.toString(node.port()));
        proxy = b.redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile())
                .start();
        checkTlsEntryPoint("haproxy.log");
        // The plain frontend (cluster.sh's) also keeps /metrics in.
        HttpResponse<String> plainMetrics =
                get(HttpClient.newHttpClient(), "http://127.0.0.1:" + plainPort + "/metrics");
        assertThat(plainMetrics.statusCode()).isEqualTo(404);
    }

    @Test
    void nginx_terminatesTls_forRestAndWss_redirectsPlainHttp_andHidesMetrics() throws Exception {
        String nginx = binary("nginx");
        String conf = Files.readString(DEPLOY.resolve("nginx-tls.conf"));
        for (String upstream : List.of("127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083")) {
            assertThat(conf).contains(upstream);
            conf = conf.replace(upstream, "127.0.0.1:" + node.port());
        }
        conf = replaceOnce(conf, "listen 127.0.0.1:8080;", "listen 127.0.0.1:" + plainPort + ";");
        conf = replaceOnce(conf, "listen 127.0.0.1:8443 ssl;", "listen 127.0.0.1:" + tlsPort + " ssl;");
        conf = replaceOnce(conf, "https://$host:8443$request_uri", "https://$host:" + tlsPort + "$request_uri");
        conf = replaceOnce(
                conf, "/etc/parley/tls/fullchain.pem", leaf.certFile().toString());
        conf = replaceOnce(conf, "/etc/parley/tls/privkey.pem", leaf.keyFile().toString());
        conf = replaceOnce(conf, "pid /tmp/parley-nginx.pid;", "pid " + dir.resolve("nginx.pid") + ";");
        conf = replaceOnce(conf, "worker_processes auto;", "worker_processes 1;");
        conf = replaceOnce(conf, "worker_connections 20000;", "worker_connections 512;");
        Path file = Files.writeString(dir.resolve("nginx.conf"), conf);
        Files.createDirectories(dir.resolve("logs"));
        proxy = new ProcessBuilder(
                        nginx,
                        "-p",
                        dir.toString(),
                        "-c",
                        file.toString(),
                        "-e",
                        dir.resolve("nginx-error.log").toString(),
                        "-g",
                        "daemon off; error_log " + dir.resolve("nginx-error.log") + ";")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.log").toFile())
                .start();
        checkTlsEntryPoint("nginx-error.log");
        HttpResponse<String> plain = get(HttpClient.newHttpClient(), "http://127.0.0.1:" + plainPort + "/health/ready");
        assertThat(plain.statusCode()).isEqualTo(301);
        assertThat(plain.headers().firstValue("Location")).hasValue("https://127.0.0.1:" + tlsPort + "/health/ready");
    }

    private void checkTlsEntryPoint(String log) throws Exception {
        HttpClient trusting = TrustStore.httpClient(ca.sslContext());
        String base = "https://127.0.0.1:" + tlsPort;
        Poll.until(
                () -> {
                    try {
                        return get(trusting, base + "/health/ready").statusCode() == 200;
                    } catch (Exception e) {
                        return !proxy.isAlive() ? fail(log) : false;
                    }
                },
                Duration.ofSeconds(20),
                "the proxy answering over TLS (see " + dir.resolve(log) + ")");
        HttpResponse<String> ready = get(trusting, base + "/health/ready");
        assertThat(ready.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
        assertThat(servedSerial()).isEqualTo(leaf.cert().getSerialNumber());
        assertThat(get(trusting, base + "/metrics").statusCode()).isEqualTo(404);
        // The node itself still serves /metrics to whoever reaches it directly (Prometheus).
        assertThat(get(HttpClient.newHttpClient(), node.httpUrl() + "/metrics").statusCode())
                .isEqualTo(200);

        ParleyRest anon = ParleyRest.create(URI.create(base), () -> null, trusting);
        Auth amy = anon.register("amy_proxy", "password-amy").get(10, TimeUnit.SECONDS);
        String group = anon.withToken(amy.token())
                .createGroup("through the proxy", List.of())
                .get(10, TimeUnit.SECONDS)
                .id();
        try (ParleyClient c = ParleyClient.builder()
                .uri(URI.create("wss://127.0.0.1:" + tlsPort + "/ws"))
                .tokenSupplier(amy::token)
                .sslContext(ca.sslContext())
                .build()) {
            c.connect().get(10, TimeUnit.SECONDS);
            OutgoingMessage m = c.send(group, "through TLS at the proxy");
            assertThat(m.acked().get(10, TimeUnit.SECONDS).seq()).isPositive();
        }
    }

    private boolean fail(String log) {
        try {
            throw new AssertionError("the proxy exited: " + Files.readString(dir.resolve(log)));
        } catch (IOException e) {
            throw new AssertionError("the proxy exited (no log " + log + ")", e);
        }
    }

    private BigInteger servedSerial() throws IOException {
        try (SSLSocket s = (SSLSocket) ca.sslContext().getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String replaceOnce(String text, String what, String with) {
        assertThat(text).as("deploy/nginx.conf still has " + what).contains(what);
        return text.replace(what, with);
    }

    /** The proxy's binary; with CI=true a missing one fails the test (.ci/run installs it), else the test is skipped. */
    private static String binary(String name) {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")) {
            File f = new File(d, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(name + " is not installed (apt-get install " + name + "; .ci/run does)");
        }
        assumeTrue(false, name + " is not installed");
        return name;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
