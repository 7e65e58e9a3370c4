package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.parley.server.redis.RedisConnections;
import io.parley.server.redis.RedisSupport;
import io.parley.server.store.jdbc.PostgresSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * A start that fails at any step leaves nothing behind: no listening port, no thread of the node, no Redis connection
 * (counted by the client name the node's URL gives them) and no PostgreSQL connection (counted by the application
 * name its URL gives them). The node uses Redis and PostgreSQL, so every step applies; with CI=true both must be up.
 */
class StartFailureTest {
    private static final long CLEAN_WITHIN_MILLIS = 20_000;
    static final List<String> STEPS = NodeBuilder.STEPS;

    @TempDir
    Path dir;

    private Set<Thread> threadsBefore;
    private String schema;
    private String prefix;
    private int port;

    @BeforeEach
    void setUp() throws IOException {
        RedisSupport.requireRedis();
        PostgresSupport.requirePostgres();
        threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
        schema = PostgresSupport.newSchema();
        prefix = RedisSupport.newPrefix();
        port = freePort();
    }

    @AfterEach
    void tearDown() {
        PostgresSupport.dropSchema(schema);
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }

    @ParameterizedTest(name = "failure after {0}")
    @FieldSource("STEPS")
    void failureInjectedAfterAStep_closesEverythingCreatedSoFar(String step) {
        Throwable failure = startFailing(node(), s -> {
            if (s.equals(step)) {
                throw new IllegalStateException("injected after " + s);
            }
        });

        assertThat(failure).hasMessageContaining("injected after " + step);
        assertNothingLeft();
    }

    @Test
    void unreachableRedis_failsTheStart_andLeavesNothing() throws IOException {
        Map<String, String> node = node();
        node.put("redis.url", "redis://127.0.0.1:" + freePort() + "?clientName=" + prefix);

        assertThat(startFailing(node, s -> {})).hasMessageContaining("cannot connect to Redis");
        assertNothingLeft();
    }

    @Test
    void missingPostgresDatabase_failsTheStart_andLeavesNothing() {
        Map<String, String> node = node();
        node.put("store.url", "postgresql://postgres@127.0.0.1:5432/" + schema + "_missing?ApplicationName=" + schema);

        assertThat(startFailing(node, s -> {})).hasMessageContaining("cannot connect to PostgreSQL");
        assertNothingLeft();
    }

    @Test
    void wrongPostgresPort_failsTheStart_andLeavesNothing() throws IOException {
        Map<String, String> node = node();
        node.put(
                "store.url",
                "postgresql://postgres@127.0.0.1:" + freePort() + "/test?schema=" + schema + "&ApplicationName="
                        + schema);

        assertThat(startFailing(node, s -> {})).hasMessageContaining("cannot connect to PostgreSQL");
        assertNothingLeft();
    }

    @Test
    void httpPortTaken_failsTheStart_andLeavesNothing() throws IOException {
        try (ServerSocket taken = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            assertThat(startFailing(node(), s -> {}))
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + port)
                    .hasStackTraceContaining("Address already in use");
        }
        assertNothingLeft();
    }

    /** A node on Redis and PostgreSQL whose connections carry this test's names, on a port of its own. */
    private Map<String, String> node() {
        Map<String, String> c = new HashMap<>();
        c.put("http.port", Integer.toString(port));
        c.put("store.url", PostgresSupport.url(schema) + "&ApplicationName=" + schema);
        c.put("redis.url", RedisSupport.URL + "?clientName=" + prefix);
        c.put("redis.prefix", prefix);
        return c;
    }

    private Throwable startFailing(Map<String, String> overrides, Consumer<String> afterStep) {
        try {
            ParleyServer server = ParleyServer.start(TestServer.config(dir, overrides), null, afterStep)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            server.stop();
            return fail("the start succeeded");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the start neither failed nor succeeded in time", e);
        }
    }

    /** Polls against a deadline: closing Vert.x, Lettuce and Hikari lets their threads end a moment later. */
    private void assertNothingLeft() {
        // Deadline poll: awaits the threads of closed Vert.x, Lettuce and Hikari ending; no Parley timer.
        if (!Poll.holdsWithin(() -> leftBehind().isEmpty(), Duration.ofMillis(CLEAN_WITHIN_MILLIS))) {
            fail("left behind " + CLEAN_WITHIN_MILLIS + " ms after the failed start: " + leftBehind());
        }
    }

    private List<String> leftBehind() {
        List<String> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            boolean ours = name.startsWith("parley") || name.startsWith("vert.x") || name.startsWith("lettuce");
            if (t.isAlive() && !threadsBefore.contains(t) && (ours || !t.isDaemon())) {
                left.add("thread " + name + (t.isDaemon() ? " (daemon)" : ""));
            }
        }
        if (listening(port)) {
            left.add("a server listening on port " + port);
        }
        if (dataDirLocked()) {
            left.add("the lock of data dir " + dir);
        }
        long redis = redisClients();
        if (redis > 0) {
            left.add(redis + " Redis connection(s) named " + prefix);
        }
        long pg = postgresConnections();
        if (pg > 0) {
            left.add(pg + " PostgreSQL connection(s) of " + schema);
        }
        return left;
    }

    /** True while a node (of this process: the lock says so before trying the file) still holds the data dir. */
    private boolean dataDirLocked() {
        try (DataDirLock free = DataDirLock.acquire(dir, Instant.now())) {
            return false;
        } catch (IllegalStateException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("releasing the test's own lock of " + dir + " failed", e);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private long redisClients() {
        try (RedisConnections r = new RedisConnections(RedisSupport.URL, prefix)) {
            String list = r.async().clientList().get(10, TimeUnit.SECONDS);
            return list.lines().filter(l -> l.contains(" name=" + prefix + " ")).count();
        } catch (Exception e) {
            throw new IllegalStateException("CLIENT LIST failed", e);
        }
    }

    private long postgresConnections() {
        try (Connection c = DriverManager.getConnection(PostgresSupport.ADMIN_JDBC, PostgresSupport.USER, null);
                PreparedStatement s =
                        c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            s.setString(1, schema);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("pg_stat_activity failed", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
