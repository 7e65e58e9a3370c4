package io.parley.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.config.Config;
import io.parley.server.limits.LocalRateLimiter;
import io.parley.server.limits.RateLimiter;
import io.parley.server.limits.RateLimiterContract;
import io.parley.server.metrics.Metrics;
import io.parley.server.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract on the machine's Redis (a key prefix per test), plus what only a shared limiter does. */
class RedisRateLimiterTest extends RateLimiterContract {
    private final String prefix = RedisSupport.newPrefix();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @Override
    protected RateLimiter create() {
        RedisSupport.requireRedis();
        return node(RedisSupport.URL, new Metrics());
    }

    private RedisRateLimiter node(String url, Metrics metrics) {
        RedisConnections redis = new RedisConnections(url, prefix);
        opened.add(redis);
        return new RedisRateLimiter(redis, new LocalRateLimiter(new ManualScheduler()), metrics);
    }

    @Override
    protected void pass(Duration d) throws InterruptedException {
        // Redis's own clock: real time must pass.
        Thread.sleep(d.toMillis());
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }

    @Test
    void twoNodes_shareOneBucket() throws Exception {
        RedisRateLimiter other = node(RedisSupport.URL, new Metrics());
        int taken = 0;
        for (int i = 0; i < 10; i++) {
            RateLimiter node = i % 2 == 0 ? limiter : other;
            if (node.acquire("send", FIVE, "u1").get(10, TimeUnit.SECONDS) == 0) {
                taken++;
            }
        }
        // Five per node would be ten: the limit holds across nodes.
        assertThat(taken).isBetween(5, 6);
        other.close();
    }

    @Test
    void redisDown_fallsBackToTheNodesOwnBuckets_andSaysSoInTheMetrics() throws Exception {
        try (RedisSupport.Private own = new RedisSupport.Private()) {
            Metrics metrics = new Metrics();
            RedisRateLimiter node = node(own.url(), metrics);
            assertThat(node.acquire("send", FIVE, "u1").get(10, TimeUnit.SECONDS))
                    .isZero();
            assertThat(metrics.scrape()).contains("parley_rate_limit_shared 1.0");
            own.kill();
            // Refused at once while the connection is down; decided by the node's own buckets (fresh: 5 more).
            int taken = 0;
            for (int i = 0; i < 8; i++) {
                if (node.acquire("send", FIVE, "u1").get(10, TimeUnit.SECONDS) == 0) {
                    taken++;
                }
            }
            assertThat(taken).isEqualTo(5);
            String text = metrics.scrape();
            assertThat(text).contains("parley_rate_limit_shared 0.0");
            assertThat(text).contains("parley_rate_limit_fallbacks_total 8.0");
            node.close();
            metrics.close();
        }
    }

    @Test
    void unlimited_sendsNothingToRedis() throws Exception {
        assertThat(limiter.acquire("send", Config.Rate.UNLIMITED, "u1")).isSameAs(RateLimiter.TAKEN);
    }
}
