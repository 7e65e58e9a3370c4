package io.parley.server.push;

import java.util.concurrent.CompletableFuture;

/**
 * The per-user push rate ({@code push.rate}): each push takes one token of its user's bucket (a clear takes none); a
 * push over the rate waits until there is a token again, it is not dropped. The node wires this to its rate limiter
 * (the {@code limits.RateLimiter} seam, bucket {@code push} keyed by the user id): in Redis when the node has one, so
 * the rate holds for the user across the whole cluster whichever node sends, and in the node's memory otherwise (and
 * while Redis does not answer, as for every other limit).
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #take} completes with 0 when the token was taken, else with the milliseconds until one will be there
 *       (at least 1), taking nothing;</li>
 *   <li>it never blocks its caller and never fails; it may complete later, on another thread, and one caller's takes
 *       complete in the order they were made.</li>
 * </ul>
 */
@FunctionalInterface
public interface PushRate {
    /** No limit: every push may go at once. */
    PushRate UNLIMITED = userId -> CompletableFuture.completedFuture(0L);

    CompletableFuture<Long> take(String userId);
}
