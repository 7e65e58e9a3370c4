package io.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.config.Config;
import io.parley.server.limits.LocalRateLimiter;
import io.parley.server.limits.RateLimiter;
import io.parley.server.metrics.Metrics;
import io.parley.server.redis.RedisConnections;
import io.parley.server.redis.RedisRateLimiter;
import io.parley.server.redis.RedisSupport;
import io.parley.server.store.DeviceSession;
import io.parley.server.store.NewMessage;
import io.parley.server.store.NotifyLevel;
import io.parley.server.store.PushDevice;
import io.parley.server.store.SessionStore;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.JdbcSessionStore;
import io.parley.server.store.jdbc.SqliteOptions;
import io.parley.server.time.ManualScheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code push.rate} is one bucket per user for the whole cluster (issue 15 item 4): the workers of two nodes on one
 * store, each node with its own {@link RedisRateLimiter} on the machine's Redis (the limiter the node builder gives
 * them, as to every other limit), send at most the user's burst between them, whichever node sends; with node-local
 * buckets (what the limit was before, and what a node falls back to while Redis does not answer) the second node
 * sends a burst of its own. Each node's workers run on a manual scheduler of their own, so the test chooses which
 * node sends; Redis's clock is real time, so the 30 minutes one token takes to come back do not pass.
 */
class PushRateClusterTest {
    private static final Config.Rate TWO_AN_HOUR = new Config.Rate(2, Duration.ofHours(1));
    private static final Config.Push CONFIG = new Config.Push(
            true,
            Duration.ofSeconds(5),
            Duration.ofSeconds(60),
            Config.PushContent.NONE,
            12,
            Duration.ofSeconds(2),
            Duration.ofMinutes(10),
            TWO_AN_HOUR,
            Duration.ofHours(6), // the rounds are run by hand
            Duration.ofSeconds(10),
            "mailto:ops@example.org",
            Duration.ofHours(24));

    @TempDir
    Path dir;

    private final String prefix = RedisSupport.newPrefix();
    private final Instant start = Instant.now();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private LocalPushService service;
    private JdbcChatStore chat;
    private SessionStore sessions;
    private WebPushProvider webPush;

    @BeforeEach
    void open() throws Exception {
        RedisSupport.requireRedis();
        service = new LocalPushService();
        chat = JdbcChatStore.openSqlite(dir.resolve("parley.db"), SqliteOptions.defaults(), c -> {});
        sessions = JdbcSessionStore.openSqlite(dir.resolve("parley.db"));
        VapidKeys vapid = VapidKeys.generate();
        service.expectVapidKey(vapid.publicKeyBase64Url());
        webPush = new WebPushProvider(
                vapid, "mailto:ops@example.org", Duration.ofSeconds(10), Duration.ofHours(24), Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        webPush.close();
        sessions.close();
        chat.close();
        service.close();
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** One node's workers: the node's limiter for push.rate, a scheduler (and so a clock) of their own. */
    private PushWorkers node(RateLimiter limiter, ManualScheduler time) {
        PushWorkers w = new PushWorkers(
                chat.pushStore(),
                Map.of(PushDevice.Platform.WEBPUSH, webPush),
                CONFIG,
                userId -> limiter.acquire("push", CONFIG.rate(), userId),
                new Metrics(),
                time);
        opened.add(w);
        return w;
    }

    private RedisRateLimiter redisLimiter(ManualScheduler time) {
        RedisConnections redis = new RedisConnections(RedisSupport.URL, prefix);
        opened.add(redis);
        RedisRateLimiter limiter = new RedisRateLimiter(redis, new LocalRateLimiter(time), new Metrics());
        opened.add(limiter);
        return limiter;
    }

    /** alice writes to bob in four conversations; bob has one browser and is offline: four pushes are owed. */
    private void fourConversationsOweBobAPush() throws Exception {
        await(chat.createUser("a", "alice", "h"));
        await(chat.createUser("b", "bob", "h"));
        long now = start.toEpochMilli();
        await(sessions.createSession(
                new DeviceSession("s-b", "b", "laptop", "web", now, now, "127.0.0.1", "test", false, 0),
                "hash-s-b",
                now + 3_600_000));
        await(sessions.addDevice(new PushDevice(
                "d-b",
                "b",
                "s-b",
                PushDevice.Platform.WEBPUSH,
                service.subscribe("bob").encode(),
                now)));
        for (int i = 1; i <= 4; i++) {
            String g = "g" + i;
            await(chat.createGroup(g, "a", "group " + i, List.of("b"), now));
            await(chat.pushSettings().setNotify(g, "b", NotifyLevel.ALL));
            await(chat.appendMessage(new NewMessage(g, "a", "c-" + i, "hello " + i, "m-" + i, now)));
        }
    }

    @Test
    void theSecondNode_sendsNoMoreThanTheUsersBurst_becauseTheBucketIsInRedis() throws Exception {
        fourConversationsOweBobAPush();
        ManualScheduler timeA = new ManualScheduler(start);
        ManualScheduler timeB = new ManualScheduler(start);
        PushWorkers a = node(redisLimiter(timeA), timeA);
        PushWorkers b = node(redisLimiter(timeB), timeB);

        timeA.advance(Duration.ofSeconds(6)); // past the grace
        a.run();
        assertThat(service.refusals()).isEmpty();
        assertThat(service.received()).as("node A: bob's burst of 2").hasSize(2);
        assertThat(a.depth()).as("2 wait for bob's next tokens").isEqualTo(2);

        // Node B's clock is past the jobs' next try (30 min): they are due there, but bob's bucket is the cluster's.
        timeB.advance(Duration.ofMinutes(31));
        b.run();
        assertThat(service.received()).as("node B took no token of its own").hasSize(2);
        assertThat(b.depth()).isEqualTo(2);

        // What a per-node limit would have done (and does while Redis does not answer): a fresh burst on node C.
        ManualScheduler timeC = new ManualScheduler(start.plus(Duration.ofMinutes(62)));
        LocalRateLimiter own = new LocalRateLimiter(timeC);
        opened.add(own);
        PushWorkers c = node(own, timeC);
        c.run();
        assertThat(service.received())
                .as("node-local buckets let the second node send its own 2")
                .hasSize(4);
    }
}
