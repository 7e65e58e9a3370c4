package io.parley.server.limits;

import io.parley.server.config.Config;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The node's admission of new WebSocket connections: at most {@code ws.max-connections} sessions, and new
 * connections at {@code ws.connect-rate} (a token bucket of this node alone: admission protects this node's CPU,
 * whatever the others do). A refused connection is told when to come back: the time until the bucket has a token
 * again plus a uniformly random part of {@code ws.admission-window}, drawn per refusal, so that a crowd refused in
 * the same second (every client of a node that restarted) returns spread over the window instead of together.
 * Thread-safe and lock-free: one compare-and-set per upgrade.
 */
public final class Admission {
    /** Random numbers from the calling thread's own generator (any thread may admit). */
    public static final RandomGenerator RANDOM =
            () -> java.util.concurrent.ThreadLocalRandom.current().nextLong();

    private final int maxSessions;
    private final Config.Rate rate;
    private final long windowMillis;
    private final java.time.Clock clock;
    private final RandomGenerator random;
    private final AtomicLong tat = new AtomicLong();

    public Admission(int maxSessions, Config.Rates rates, java.time.Clock clock, RandomGenerator random) {
        this.maxSessions = maxSessions;
        this.rate = rates.connect();
        this.windowMillis = rates.admissionWindow().toMillis();
        this.clock = clock;
        this.random = random;
    }

    /** Why a connection was refused, and when it may come back. */
    public record Refusal(String reason, long retryAfterMs) {}

    /** Null when a new connection is admitted (taking a token), else the refusal with its spread delay. */
    public Refusal admit(int sessions) {
        if (maxSessions > 0 && sessions >= maxSessions) {
            // Sessions leave at the pace of their users, not of a clock: only the window spreads the retries.
            return new Refusal("max-connections", spread(0));
        }
        if (rate.unlimited()) {
            return null;
        }
        long wait = Gcra.take(tat, clock.millis() * 1000, Gcra.intervalMicros(rate), Gcra.periodMicros(rate));
        return wait == 0 ? null : new Refusal("connect-rate", spread(wait));
    }

    private long spread(long wait) {
        return Math.max(1, wait) + (windowMillis > 0 ? random.nextLong(windowMillis) : 0);
    }
}
