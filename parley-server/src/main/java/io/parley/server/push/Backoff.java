package io.parley.server.push;

import java.time.Duration;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with full jitter: after the {@code n}th failed attempt the next one waits a uniformly random
 * time in [0, min(max, base * 2^(n-1))], and never less than the provider's {@code Retry-After}. The jitter spreads
 * the retries of many jobs that failed together (a provider outage) instead of sending them all back at once.
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    /** Given a bound, a uniformly random value in [0, bound]. */
    private final LongUnaryOperator random;

    Backoff(Duration base, Duration max, LongUnaryOperator random) {
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The wait before the attempt after the {@code attempt}th failure (1-based). */
    long delayMillis(int attempt, Duration retryAfter) {
        int shift = Math.min(Math.max(attempt - 1, 0), 40);
        long cap = baseMillis > (maxMillis >> shift) ? maxMillis : Math.min(maxMillis, baseMillis << shift);
        long wait = random.applyAsLong(cap);
        return retryAfter == null ? wait : Math.max(wait, retryAfter.toMillis());
    }
}
