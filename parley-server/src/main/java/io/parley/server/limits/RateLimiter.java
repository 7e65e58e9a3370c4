package io.parley.server.limits;

import io.parley.server.config.Config;
import java.util.concurrent.CompletableFuture;

/**
 * Token buckets, one per {@code (bucket, key)}: a bucket holds up to {@code rate.burst()} tokens and gains
 * {@code rate.burst()} per {@code rate.period()}, and each {@link #acquire} takes one. The buckets behave as the
 * generic cell rate algorithm does (one timestamp per bucket, the time it is full again), which is a token bucket
 * without a refill timer.
 * <p>
 * Contract:
 * <ul>
 *   <li>{@code acquire} completes with 0 when a token was taken, or with the milliseconds until one will be there
 *       (at least 1) when none was; a refusal takes nothing, so a client that waits that long and retries is
 *       admitted unless others took the token meanwhile;
 *   <li>a fresh bucket is full: the first {@code burst} acquires in a row succeed;
 *   <li>{@code acquire} never blocks the calling thread and never fails: an implementation that cannot reach shared
 *       state decides from state of its own instead (and counts that in a metric);
 *   <li>the in-process implementation completes before {@code acquire} returns, on the calling thread; a shared one
 *       may complete later on a thread of its own, and completes one caller's acquires in the order they were
 *       made;
 *   <li>buckets of different names or keys are independent; a bucket not touched for a whole period is forgotten
 *       (it would be full), so the state is bounded by the keys active in the last period.
 * </ul>
 */
public interface RateLimiter extends AutoCloseable {
    /** The answer of an acquire that took its token; shared, so that the in-process path allocates nothing. */
    CompletableFuture<Long> TAKEN = CompletableFuture.completedFuture(0L);

    /** Takes one token of {@code bucket}'s bucket for {@code key} (see the class comment). */
    CompletableFuture<Long> acquire(String bucket, Config.Rate rate, String key);

    /** Stops the implementation's timers (nothing for one without); the buckets still answer after close. */
    @Override
    default void close() {}
}
