package io.parley.server;

import io.parley.server.auth.HmacJwt;
import io.parley.server.config.Config;
import io.parley.server.config.ConfigLoader;
import io.parley.server.moderation.ModerationService;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.time.ManualScheduler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Parley node on a free loopback port with its own data dir, for tests. By default on real time; with
 * {@link #on(ManualScheduler)} every part of the node that waits (batches, sweeps, heartbeats, deadlines, the edit
 * window's clock) is timed by the given scheduler, and the test moves time on with {@link ManualScheduler#advance}.
 */
public final class TestServer implements AutoCloseable {
    public static final String SECRET = "test-secret-that-is-at-least-32-bytes-long!";

    private final Path dataDir;
    private final Map<String, String> overrides;
    private ParleyServer server;
    private ManualScheduler time;

    public TestServer(Path dataDir) {
        this(dataDir, Map.of());
    }

    public TestServer(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = overrides;
    }

    public static Config config(Path dataDir, Map<String, String> overrides) {
        Map<String, String> o = new HashMap<>();
        o.put("http.port", "0");
        o.put("data.dir", dataDir.toString());
        o.put("auth.jwt-secret", SECRET);
        o.put("auth.bcrypt-cost", "4");
        // Rate limits and admission off unless a test sets them (RateLimitTest does): other tests send bursts and
        // register users faster than a real deployment's defaults allow one user or address.
        for (String key : ConfigLoader.DEFAULTS.keySet()) {
            if (key.startsWith("rate.") || key.equals("ws.connect-rate")) {
                o.put(key, "0");
            }
        }
        o.putAll(overrides);
        return ConfigLoader.defaultsWith(o);
    }

    /** Times the node by {@code time} from the next start on (call before {@link #start}). */
    public TestServer on(ManualScheduler time) {
        this.time = time;
        return this;
    }

    /** The manual scheduler timing the node, or null on real time. */
    public ManualScheduler time() {
        return time;
    }

    /** Real time given, after each step of {@link #advanceUntil}, for what the step set off to reach the sockets. */
    private static final Duration SETTLE = Duration.ofMillis(250);

    /**
     * On manual time: moves time on by {@code step} at a time, at most {@code budget} in all, until {@code condition}
     * holds, and returns how much time it moved. What a step sets off (a batch, a sweep, an idle close) crosses event
     * loops, the store's threads and sockets, so after each step the condition is polled for a moment in real time
     * before the next step.
     */
    public Duration advanceUntil(
            Duration step, Duration budget, java.util.function.BooleanSupplier condition, String what) {
        if (time == null) {
            throw new IllegalStateException("advanceUntil needs the node on manual time (on(ManualScheduler))");
        }
        Duration advanced = Duration.ZERO;
        while (!condition.getAsBoolean()) {
            if (advanced.compareTo(budget) >= 0) {
                throw new AssertionError("not within " + budget + " of the node's time: " + what);
            }
            time.advance(step);
            advanced = advanced.plus(step);
            Chatter.holdsWithin(condition, SETTLE);
        }
        return advanced;
    }

    /**
     * On manual time: makes {@code userId} (who has signed in already) a server admin, as {@code parley admin grant}
     * does, and moves time on until the node knows it (its admin REST answers that user).
     */
    public void grantAdmin(String userId) throws Exception {
        ((JdbcChatStore) server.store())
                .moderation()
                .setAdmin("test", userId, true, time.clock().millis())
                .get(10, TimeUnit.SECONDS);
        Rest admin = new Rest(httpUrl(), token(userId));
        advanceUntil(
                ModerationService.REFRESH,
                ModerationService.REFRESH.multipliedBy(3),
                () -> admin.get("/api/v1/admin/audit").status() == 200,
                userId + " known as an admin");
    }

    public TestServer start() {
        return startOn(0);
    }

    /** Starts (again) on a given port (0: a free one), on the same data dir. */
    public TestServer startOn(int port) {
        Map<String, String> o = new HashMap<>(overrides);
        o.put("http.port", Integer.toString(port));
        try {
            server = ParleyServer.start(config(dataDir, o), time)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("server did not start", e);
        }
        return this;
    }

    public ParleyServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + port() + "/ws";
    }

    public String httpUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** A token for {@code userId} signed with the test secret, valid for an hour. */
    public static String token(String userId) {
        return new HmacJwt(SECRET.getBytes(StandardCharsets.UTF_8), "parley", null, Clock.systemUTC())
                .issue(userId, Duration.ofHours(1));
    }

    /** A token that expired an hour ago. */
    public static String expiredToken(String userId) {
        Clock past = Clock.offset(Clock.systemUTC(), Duration.ofHours(-3));
        return new HmacJwt(SECRET.getBytes(StandardCharsets.UTF_8), "parley", null, past)
                .issue(userId, Duration.ofHours(1));
    }

    public void stop() {
        if (server != null) {
            try {
                awaitStop(server.stop());
            } catch (Exception e) {
                throw new IllegalStateException("server did not stop", e);
            }
            server = null;
        }
    }

    /** On manual time the stop's own waits (drain bound, close frames) need time moved on, in steps, until it ends. */
    private void awaitStop(CompletableFuture<Void> stopped) throws Exception {
        if (time == null) {
            stopped.get(30, TimeUnit.SECONDS);
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            time.advance(Duration.ofMillis(100));
            try {
                stopped.get(20, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
