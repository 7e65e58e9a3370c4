package io.parley.server.limits;

import io.parley.server.config.Config;
import io.parley.server.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The buckets of one node, in memory: one {@link AtomicLong} per bucket and key (a compare-and-set per acquire, no
 * lock, no allocation once the bucket exists), on the scheduler's clock. Every {@link #SWEEP} the buckets that are
 * full again are dropped, so memory follows the keys active within their period. Thread-safe; {@code acquire}
 * completes on the calling thread before it returns.
 */
public final class LocalRateLimiter implements RateLimiter {
    /** How often full buckets are forgotten. */
    static final Duration SWEEP = Duration.ofSeconds(30);

    private final Map<String, Map<String, AtomicLong>> buckets = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Scheduler.Cancellable sweep;

    public LocalRateLimiter(Scheduler scheduler) {
        this.clock = scheduler.clock();
        this.sweep = scheduler.every(SWEEP, this::sweep);
    }

    @Override
    public CompletableFuture<Long> acquire(String bucket, Config.Rate rate, String key) {
        long wait = take(bucket, rate, key);
        return wait == 0 ? TAKEN : CompletableFuture.completedFuture(wait);
    }

    /** The synchronous form of {@link #acquire}: 0, or the milliseconds until a token is there. */
    public long take(String bucket, Config.Rate rate, String key) {
        if (rate.unlimited()) {
            return 0;
        }
        AtomicLong tat = buckets.computeIfAbsent(bucket, b -> new ConcurrentHashMap<>())
                .computeIfAbsent(key, k -> new AtomicLong());
        return Gcra.take(tat, clock.millis() * 1000, Gcra.intervalMicros(rate), Gcra.periodMicros(rate));
    }

    /** Buckets held now (for tests and the sweep's bound). */
    int size() {
        return buckets.values().stream().mapToInt(Map::size).sum();
    }

    void sweep() {
        long now = clock.millis() * 1000;
        // A bucket whose tat has passed is full; dropping it changes nothing (a racing acquire that had just taken a
        // token from it loses that token's cost, at most one token once).
        buckets.values().forEach(m -> m.values().removeIf(tat -> tat.get() <= now));
    }

    @Override
    public void close() {
        sweep.cancel();
    }
}
