package io.parley.server.redis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Redis for tests: the machine's Redis at 127.0.0.1:6379 (each test uses its own key prefix and deletes its keys),
 * or a private redis-server process a test starts and kills (outages). With CI=true a missing Redis fails the test;
 * elsewhere it is skipped with a message.
 */
public final class RedisSupport {
    public static final String URL = "redis://127.0.0.1:6379";

    private RedisSupport() {}

    public static void requireRedis() {
        boolean up;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
            up = true;
        } catch (IOException e) {
            up = false;
        }
        if (!up) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("Redis is not reachable at 127.0.0.1:6379 (CI=true: this test needs it)");
            }
            Assumptions.abort("Redis is not reachable at 127.0.0.1:6379; skipped outside CI");
        }
    }

    public static String newPrefix() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** Deletes every key of the prefix (namespaced as {prefix}:...). */
    public static void deleteKeys(String url, String prefix) {
        try (RedisConnections r = new RedisConnections(url, prefix)) {
            String cursor = "0";
            do {
                io.lettuce.core.KeyScanCursor<String> page = r.async()
                        .scan(
                                io.lettuce.core.ScanCursor.of(cursor),
                                io.lettuce.core.ScanArgs.Builder.matches("{" + prefix + "}:*")
                                        .limit(500))
                        .get(10, TimeUnit.SECONDS);
                if (!page.getKeys().isEmpty()) {
                    r.async().del(page.getKeys().toArray(String[]::new)).get(10, TimeUnit.SECONDS);
                }
                cursor = page.getCursor();
            } while (!"0".equals(cursor));
        } catch (Exception e) {
            throw new IllegalStateException("cleaning Redis keys of " + prefix + " failed", e);
        }
    }

    /** A redis-server of the test's own, on a free port, without persistence. */
    public static final class Private implements AutoCloseable {
        public final int port;
        private final Path dir;
        private Process process;

        public Private() throws Exception {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            dir = Files.createTempDirectory("parley-redis");
            start();
        }

        public String url() {
            return "redis://127.0.0.1:" + port;
        }

        public void start() throws Exception {
            process = new ProcessBuilder(
                            "redis-server",
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--dir",
                            dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        throw new IllegalStateException(
                                "private redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
                    }
                    // Deadline poll: awaits the child redis-server process accepting connections.
                    Thread.sleep(50);
                }
            }
        }

        /** Kills the process (as a crash would). */
        public void kill() throws Exception {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            kill();
        }
    }
}
