package io.parley.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a uniformly random time in
 * [0, min(max, initial * 2^n)]. Full jitter spreads a crowd of clients that lost the same server over the whole
 * window instead of having them reconnect in lockstep. Not thread-safe: used from the client's own thread.
 */
final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final RandomGenerator random;
    private int attempt;

    Backoff(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " / " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The ceiling of the next delay (before jitter). */
    long ceilingMillis() {
        int shift = Math.min(attempt, 30);
        long ceiling = initialMillis << shift;
        return ceiling <= 0 || ceiling > maxMillis ? maxMillis : ceiling;
    }

    /** The delay before the next attempt; each call counts one more failure. */
    long nextDelayMillis() {
        long ceiling = ceilingMillis();
        attempt++;
        return random.nextLong(ceiling + 1);
    }

    /**
     * A delay for the given attempt of something else (a resend), with the same full jitter, not counted as a
     * connection failure; never below 50 ms so a failing store is not hammered.
     */
    long delayForAttempt(int n) {
        int shift = Math.min(n, 30);
        long ceiling = initialMillis << shift;
        ceiling = ceiling <= 0 || ceiling > maxMillis ? maxMillis : ceiling;
        return 50 + random.nextLong(ceiling + 1);
    }

    /**
     * The wait before reconnecting after a 1013 close that carried the server's delay {@code serverMillis}: that
     * delay (the server spreads it over its admission window) plus up to a tenth of it of jitter of the client's own.
     * Not counted as a failure.
     */
    long serverDelayMillis(long serverMillis) {
        return serverMillis + random.nextLong(serverMillis / 10 + 1);
    }

    /** After a successful connection. */
    void reset() {
        attempt = 0;
    }

    int attempt() {
        return attempt;
    }
}
