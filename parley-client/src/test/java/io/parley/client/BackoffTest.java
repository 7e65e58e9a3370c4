package io.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void ceiling_doublesPerFailure_upToTheCap_andResets() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), new SplittableRandom(1));
        long[] ceilings = new long[6];
        for (int i = 0; i < ceilings.length; i++) {
            ceilings[i] = b.ceilingMillis();
            b.nextDelayMillis();
        }
        assertThat(ceilings).containsExactly(100, 200, 400, 800, 1000, 1000);
        b.reset();
        assertThat(b.ceilingMillis()).isEqualTo(100);
    }

    @Test
    void delays_areFullJitter_spreadOverZeroToCeiling() {
        RandomGenerator random = new SplittableRandom(42);
        long min = Long.MAX_VALUE;
        long max = 0;
        long sum = 0;
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000), random);
            long d = b.nextDelayMillis();
            assertThat(d).isBetween(0L, 1000L);
            min = Math.min(min, d);
            max = Math.max(max, d);
            sum += d;
        }
        // Uniform on [0, 1000]: the extremes are reached and the mean is near the middle.
        assertThat(min).isLessThan(20);
        assertThat(max).isGreaterThan(980);
        assertThat(sum / (double) n).isBetween(470.0, 530.0);
    }

    @Test
    void manyFailures_neverOverflowPastTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), new SplittableRandom(3));
        for (int i = 0; i < 200; i++) {
            assertThat(b.nextDelayMillis()).isBetween(0L, 30_000L);
        }
    }

    @Test
    void invalidBounds_areRejected() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
