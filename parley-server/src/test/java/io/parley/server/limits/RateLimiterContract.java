package io.parley.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link RateLimiter} contract, run once per implementation. Time moves through {@link #pass}: the manual clock
 * in process, real time for Redis (whose buckets run on Redis's own clock).
 */
public abstract class RateLimiterContract {
    /** 5 at once, 5 more per 2 s (one per 400 ms). */
    protected static final Config.Rate FIVE = new Config.Rate(5, Duration.ofSeconds(2));

    protected RateLimiter limiter;

    protected abstract RateLimiter create() throws Exception;

    protected abstract void pass(Duration d) throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        limiter = create();
    }

    @AfterEach
    void tearDown() {
        limiter.close();
    }

    protected long take(String bucket, String key) throws Exception {
        return limiter.acquire(bucket, FIVE, key).get(10, TimeUnit.SECONDS);
    }

    @Test
    void freshBucket_allowsTheBurst_thenRefusesWithTheWaitUntilTheNextToken() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(take("send", "u1")).as("acquire %d", i).isZero();
        }
        long wait = take("send", "u1");
        // One token per 400 ms; the clock may have moved a little since the burst.
        assertThat(wait).isBetween(1L, 400L);
    }

    @Test
    void refusal_takesNothing_andAfterTheWaitOneMoreIsAllowed() throws Exception {
        for (int i = 0; i < 5; i++) {
            take("send", "u1");
        }
        long first = take("send", "u1");
        long second = take("send", "u1");
        assertThat(second).as("a refusal took no token").isBetween(1L, first);
        pass(Duration.ofMillis(first + 50));
        assertThat(take("send", "u1")).isZero();
        assertThat(take("send", "u1")).isPositive();
    }

    @Test
    void bucketsOfOtherKeysOrNames_areIndependent() throws Exception {
        for (int i = 0; i < 5; i++) {
            take("send", "u1");
        }
        assertThat(take("send", "u1")).isPositive();
        assertThat(take("send", "u2")).isZero();
        assertThat(take("typing", "u1")).isZero();
    }

    @Test
    void afterAWholePeriod_theBucketIsFullAgain() throws Exception {
        for (int i = 0; i < 5; i++) {
            take("send", "u1");
        }
        pass(Duration.ofMillis(2100));
        for (int i = 0; i < 5; i++) {
            assertThat(take("send", "u1")).as("acquire %d", i).isZero();
        }
        assertThat(take("send", "u1")).isPositive();
    }

    @Test
    void manyAcquiresAtOnce_takeExactlyTheBurst() throws Exception {
        List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(limiter.acquire("send", FIVE, "crowd"));
        }
        int taken = 0;
        for (CompletableFuture<Long> f : all) {
            if (f.get(10, TimeUnit.SECONDS) == 0) {
                taken++;
            }
        }
        // Within the few ms the acquires take, at most one more token may have been refilled.
        assertThat(taken).isBetween(5, 6);
    }

    @Test
    void unlimitedRate_neverRefuses() throws Exception {
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.acquire("send", Config.Rate.UNLIMITED, "u1").get(10, TimeUnit.SECONDS))
                    .isZero();
        }
    }
}
