package io.parley.server.limits;

import io.parley.server.config.Config;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The token bucket of {@link RateLimiter} as the generic cell rate algorithm: a bucket is one number, the
 * theoretical arrival time {@code tat} (microseconds), the time at which it would be full again. A token costs
 * {@code interval = period / burst}; taking one moves {@code tat} to {@code max(tat, now) + interval}, allowed while
 * that stays within {@code period} of now. The same arithmetic runs in Redis ({@code redis.RedisRateLimiter}).
 */
final class Gcra {
    private Gcra() {}

    static long intervalMicros(Config.Rate rate) {
        return rate.period().toNanos() / 1000 / rate.burst();
    }

    static long periodMicros(Config.Rate rate) {
        return rate.period().toNanos() / 1000;
    }

    /** Takes a token from {@code tat} at {@code nowMicros}: 0, or the milliseconds (at least 1) until one is there. */
    static long take(AtomicLong tat, long nowMicros, long intervalMicros, long periodMicros) {
        while (true) {
            long t = tat.get();
            long next = Math.max(t, nowMicros) + intervalMicros;
            long waitMicros = next - periodMicros - nowMicros;
            if (waitMicros > 0) {
                return Math.max(1, (waitMicros + 999) / 1000);
            }
            if (tat.compareAndSet(t, next)) {
                return 0;
            }
        }
    }
}
