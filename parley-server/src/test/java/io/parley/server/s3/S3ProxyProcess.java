package io.parley.server.s3;

import io.parley.server.Poll;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 implementation for tests: S3Proxy 2.6.0 (Maven Central, {@code org.gaul:s3proxy:2.6.0}, its
 * jar-with-dependencies) with its filesystem backend, run as a separate JVM so that its dependencies (Jetty, jclouds)
 * never meet ours. {@code .ci/run} fetches the jar into the local Maven repository; {@code -Dparley.s3proxy.jar=}
 * names another. With CI=true a missing jar fails the test; elsewhere it is skipped.
 */
public final class S3ProxyProcess implements AutoCloseable {
    public static final String IDENTITY = "parley-test-identity";
    public static final String CREDENTIAL = "parley-test-credential";

    private final Process process;
    private final int port;

    private S3ProxyProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static Path jar() {
        String given = System.getProperty("parley.s3proxy.jar");
        if (given != null) {
            return Path.of(given);
        }
        String repo = System.getProperty("maven.repo.local");
        Path root = repo != null ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return root.resolve("org/gaul/s3proxy/2.6.0/s3proxy-2.6.0-jar-with-dependencies.jar");
    }

    public static S3ProxyProcess start(Path dir) throws IOException {
        Path jar = jar();
        if (!Files.isRegularFile(jar)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("S3Proxy's jar is not at " + jar + " (CI=true: .ci/run fetches it)");
            }
            org.junit.jupiter.api.Assumptions.abort("S3Proxy's jar is not at " + jar + "; skipped outside CI");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = Files.createDirectories(dir.resolve("s3data"));
        Path conf = dir.resolve("s3proxy.properties");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "s3proxy.endpoint=http://127.0.0.1:" + port,
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + IDENTITY,
                        "s3proxy.credential=" + CREDENTIAL,
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + data,
                        ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx128m", "-jar", jar.toString(), "--properties", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("s3proxy.log").toFile())
                .start();
        S3ProxyProcess s3 = new S3ProxyProcess(p, port);
        try {
            Poll.until(
                    () -> {
                        if (!p.isAlive()) {
                            throw new AssertionError("S3Proxy exited; see " + dir.resolve("s3proxy.log"));
                        }
                        try (Socket s = new Socket("127.0.0.1", port)) {
                            return true;
                        } catch (IOException e) {
                            return false;
                        }
                    },
                    Duration.ofSeconds(60),
                    "S3Proxy listens on " + port);
        } catch (RuntimeException | AssertionError e) {
            s3.close();
            throw e;
        }
        return s3;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
