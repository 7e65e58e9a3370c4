package io.parley.bench;

import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The servers' own delivery latency from their /metrics histogram (parley_message_delivery_latency_seconds: a
 * message's creation, before its commit, to its write to a recipient's socket), beside what the bench measures at its
 * sockets: the difference is the generator's share (its receive threads, on the same cores) and the loopback. The
 * histogram has fixed buckets (1 ms to 60 s), so a percentile is known only as the bucket it falls in: "p99 <= 20 ms".
 */
final class ServerLatency {
    private ServerLatency() {}

    /** Cumulative counts observed between two reads ({@code after - before}, bucket by bucket). */
    static SortedMap<Double, Double> difference(Map<Double, Double> after, Map<Double, Double> before) {
        SortedMap<Double, Double> out = new TreeMap<>();
        after.forEach((le, n) -> out.put(le, n - before.getOrDefault(le, 0.0)));
        return out;
    }

    /**
     * The upper bound, in milliseconds, of the bucket holding the {@code percentile}th observation; +Infinity when it
     * is past the last finite bound, NaN when nothing was observed.
     */
    static double atMost(SortedMap<Double, Double> cumulative, double percentile) {
        if (cumulative.isEmpty()) {
            return Double.NaN;
        }
        double total = cumulative.get(cumulative.lastKey());
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = Math.ceil(total * percentile / 100.0);
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                return e.getKey() * 1000.0;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** The observations in the window. */
    static double count(SortedMap<Double, Double> cumulative) {
        return cumulative.isEmpty() ? 0 : cumulative.get(cumulative.lastKey());
    }

    /** "p50 <= 5 ms, p99 <= 50 ms (N deliveries)", or why there is nothing to say. */
    static String describe(SortedMap<Double, Double> cumulative) {
        return describe(cumulative, "deliveries, creation to socket write");
    }

    /** "p50 <= 5 ms, p99 <= 50 ms (N {@code what}, the nodes' /metrics buckets)", or "not read". */
    static String describe(SortedMap<Double, Double> cumulative, String what) {
        if (count(cumulative) <= 0) {
            return "not read";
        }
        return String.format(
                Locale.ROOT,
                "p50 <= %s, p99 <= %s (%.0f %s, the nodes' /metrics buckets)",
                bound(atMost(cumulative, 50)),
                bound(atMost(cumulative, 99)),
                count(cumulative),
                what);
    }

    static String bound(double ms) {
        return Double.isInfinite(ms) ? "(past 60 s)" : String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
