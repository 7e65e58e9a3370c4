package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ServerLatencyTest {
    private static SortedMap<Double, Double> buckets(double... boundAndCount) {
        SortedMap<Double, Double> m = new TreeMap<>();
        for (int i = 0; i < boundAndCount.length; i += 2) {
            m.put(boundAndCount[i], boundAndCount[i + 1]);
        }
        return m;
    }

    @Test
    void aPercentileIsTheUpperBoundOfTheBucketItFallsIn() {
        // 100 observations: 60 within 5 ms, 98 within 20 ms, 99 within 50 ms, one past the last bound.
        SortedMap<Double, Double> m =
                buckets(0.001, 0, 0.005, 60, 0.02, 98, 0.05, 99, 60.0, 99, Double.POSITIVE_INFINITY, 100);
        assertThat(ServerLatency.atMost(m, 50)).isEqualTo(5.0);
        assertThat(ServerLatency.atMost(m, 99)).isEqualTo(50.0);
        assertThat(ServerLatency.atMost(m, 100)).isInfinite();
        assertThat(ServerLatency.count(m)).isEqualTo(100);
        assertThat(ServerLatency.describe(m)).startsWith("p50 <= 5 ms, p99 <= 50 ms (100 deliveries");
    }

    @Test
    void theWindowIsTheDifferenceOfTwoReads_andNothingObservedSaysSo() {
        Map<Double, Double> before = buckets(0.01, 10, Double.POSITIVE_INFINITY, 10);
        Map<Double, Double> after = buckets(0.01, 15, Double.POSITIVE_INFINITY, 30);
        SortedMap<Double, Double> w = ServerLatency.difference(after, before);
        assertThat(w).containsEntry(0.01, 5.0).containsEntry(Double.POSITIVE_INFINITY, 20.0);
        assertThat(ServerLatency.atMost(w, 25)).isEqualTo(10.0);
        assertThat(ServerLatency.atMost(w, 50)).isInfinite();
        assertThat(ServerLatency.describe(ServerLatency.difference(before, before)))
                .isEqualTo("not read");
        assertThat(ServerLatency.atMost(new TreeMap<>(), 50)).isNaN();
    }
}
