package io.parley.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.config.Config;
import io.parley.server.time.ManualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest extends RateLimiterContract {
    private ManualScheduler time;

    @Override
    protected RateLimiter create() {
        time = new ManualScheduler();
        return new LocalRateLimiter(time);
    }

    @Override
    protected void pass(Duration d) {
        time.advance(d);
    }

    @Test
    void acquire_completesOnTheCallingThreadBeforeReturning() {
        assertThat(limiter.acquire("send", FIVE, "u1")).isDone();
        assertThat(limiter.acquire("send", FIVE, "u1")).isSameAs(RateLimiter.TAKEN);
    }

    @Test
    void sweep_forgetsBucketsThatAreFullAgain_andKeepsTheOthers() {
        LocalRateLimiter local = (LocalRateLimiter) limiter;
        Config.Rate slow = new Config.Rate(1, Duration.ofMinutes(5));
        for (int i = 0; i < 1000; i++) {
            local.take("typing", FIVE, "u" + i);
        }
        local.take("send", slow, "kept");
        assertThat(local.size()).isEqualTo(1001);
        // The sweep runs every 30 s: by then the 2 s buckets are full (forgotten), the 5 min one is not.
        time.advance(LocalRateLimiter.SWEEP);
        assertThat(local.size()).isEqualTo(1);
        assertThat(local.take("send", slow, "kept")).isPositive();
    }

    @Test
    void admission_refusesOverTheRate_withADelaySpreadOverTheWindow() {
        Config.Rate u = Config.Rate.UNLIMITED;
        Config.Rates rates = new Config.Rates(
                u, u, u, u, u, u, u, u, u, new Config.Rate(2, Duration.ofSeconds(1)), Duration.ofSeconds(10));
        Admission admission = new Admission(3, rates, time.clock(), new java.util.Random(7));
        assertThat(admission.admit(0)).isNull();
        assertThat(admission.admit(1)).isNull();
        java.util.Set<Long> delays = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            Admission.Refusal r = admission.admit(2);
            assertThat(r.reason()).isEqualTo("connect-rate");
            // The wait for the next token (at most 500 ms) plus a part of the 10 s window.
            assertThat(r.retryAfterMs()).isBetween(1L, 500L + 10_000L);
            delays.add(r.retryAfterMs());
        }
        assertThat(delays).as("spread, not one delay for all").hasSizeGreaterThan(10);
        time.advance(Duration.ofMillis(500));
        assertThat(admission.admit(2)).isNull();
        Admission.Refusal full = admission.admit(3);
        assertThat(full.reason()).isEqualTo("max-connections");
        assertThat(full.retryAfterMs()).isBetween(1L, 10_000L);
    }
}
