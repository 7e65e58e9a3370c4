package io.parley.server.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.config.Config;
import io.parley.server.limits.LocalRateLimiter;
import io.parley.server.limits.RateLimiter;
import io.parley.server.metrics.Metrics;
import io.parley.server.redis.RedisConnections;
import io.parley.server.redis.RedisRateLimiter;
import io.parley.server.redis.RedisSupport;
import io.parley.server.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reputation's send-rate signal ({@code moderation.send-rate}) counts a sender's sends on every node: two nodes'
 * reputations, each with its own {@link RedisRateLimiter} on the machine's Redis under one key prefix (what the node
 * builder gives them), see one bucket per user, so a sender spread over both is over the rate after the burst
 * between them; with node-local buckets (what the signal was before, and what a node falls back to while Redis does
 * not answer) each node allows a burst of its own. Redis's clock is real time: a token takes 12 minutes to come
 * back, which does not pass during the test.
 */
class ReputationClusterTest {
    private static final Config.Moderation SETTINGS =
            new Config.Moderation(true, 50, Duration.ofDays(1), new Config.Rate(5, Duration.ofHours(1)), 0.25);

    private final String prefix = RedisSupport.newPrefix();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void requireRedis() {
        RedisSupport.requireRedis();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }

    /** One node's reputation: its own clock and limiter; every account is old, so only the rate costs. */
    private Reputation node(RateLimiter limiter, ManualScheduler time) {
        return new Reputation(
                SETTINGS, time.clock(), id -> CompletableFuture.completedFuture(Optional.of(0L)), limiter);
    }

    private RateLimiter redisLimiter(ManualScheduler time) {
        RedisConnections redis = new RedisConnections(RedisSupport.URL, prefix);
        opened.add(redis);
        RedisRateLimiter limiter = new RedisRateLimiter(redis, new LocalRateLimiter(time), new Metrics());
        opened.add(limiter);
        return limiter;
    }

    private RateLimiter localLimiter(ManualScheduler time) {
        LocalRateLimiter limiter = new LocalRateLimiter(time);
        opened.add(limiter);
        return limiter;
    }

    private static int score(Reputation r, String user, String body) throws Exception {
        return r.judge(user, body).get(10, TimeUnit.SECONDS).score();
    }

    @Test
    void aSenderSpreadOverTwoNodes_isOverTheRateAfterTheBurstBetweenThem_becauseTheBucketIsInRedis() throws Exception {
        ManualScheduler timeA = new ManualScheduler();
        ManualScheduler timeB = new ManualScheduler();
        Reputation a = node(redisLimiter(timeA), timeA);
        Reputation b = node(redisLimiter(timeB), timeB);

        for (int i = 0; i < 3; i++) {
            assertThat(score(a, "spammer", "a" + i)).isEqualTo(100);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(score(b, "spammer", "b" + i)).isEqualTo(100);
        }
        Reputation.Verdict sixth = b.judge("spammer", "b2").get(10, TimeUnit.SECONDS);

        assertThat(sixth.score())
                .as("the sixth send in the hour, on either node")
                .isEqualTo(70);
        assertThat(sixth.reason()).isNull();
        assertThat(score(a, "spammer", "a3")).isEqualTo(70);
        assertThat(score(a, "someone-else", "hi")).as("buckets are per user").isEqualTo(100);
    }

    @Test
    void withNodeLocalBuckets_eachNodeAllowsABurstOfItsOwn() throws Exception {
        ManualScheduler timeA = new ManualScheduler();
        ManualScheduler timeB = new ManualScheduler();
        Reputation a = node(localLimiter(timeA), timeA);
        Reputation b = node(localLimiter(timeB), timeB);

        for (int i = 0; i < 5; i++) {
            assertThat(score(a, "spammer", "a" + i)).isEqualTo(100);
        }
        assertThat(score(a, "spammer", "a5")).isEqualTo(70);
        for (int i = 0; i < 5; i++) {
            assertThat(score(b, "spammer", "b" + i))
                    .as("node B counts only its own sends")
                    .isEqualTo(100);
        }
    }
}
