package io.parley.server.limits;

import io.parley.server.config.Config;
import io.parley.server.metrics.Metrics;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Which request takes a token from which bucket (docs/operations.md, "Rate limits"): a send from the sender's bucket
 * of its conversation; typing, presence queries, receipts, edits and deletes, and reactions each from a bucket of
 * the user's own; every authenticated REST request from the user's REST bucket; a login or registration from the
 * bucket of the client's address and from the bucket of the username tried. The buckets live in the node's
 * {@link RateLimiter} (Redis in a cluster, so a limit holds across nodes).
 * <p>
 * Each check returns a future of the wait (0: go on); {@link #guard} runs the request only after its check allows
 * it, and otherwise fails with {@link RateLimitedException}. For the in-process limiter the check is done when it
 * returns, and {@code guard} runs the request on the calling thread without a hop.
 */
public final class RateLimits {
    private final RateLimiter limiter;
    private final Config.Rates rates;
    private final Metrics metrics;

    public RateLimits(RateLimiter limiter, Config.Rates rates, Metrics metrics) {
        this.limiter = limiter;
        this.rates = rates;
        this.metrics = metrics;
    }

    /** No limits at all (tests of other things that build a session or a service by hand). */
    public static RateLimits none() {
        Config.Rate u = Config.Rate.UNLIMITED;
        return new RateLimits(
                (bucket, rate, key) -> RateLimiter.TAKEN,
                new Config.Rates(u, u, u, u, u, u, u, u, u, u, java.time.Duration.ofSeconds(1)),
                null);
    }

    public Config.Rates rates() {
        return rates;
    }

    /** A send of {@code userId} into {@code conversationId}. */
    public <T> CompletableFuture<T> send(String userId, String conversationId, Supplier<CompletableFuture<T>> request) {
        return guard("send", rates.send(), userId + '|' + conversationId, "messages in this conversation", request);
    }

    public <T> CompletableFuture<T> typing(String userId, Supplier<CompletableFuture<T>> request) {
        return guard("typing", rates.typing(), userId, "typing signals", request);
    }

    public <T> CompletableFuture<T> presence(String userId, Supplier<CompletableFuture<T>> request) {
        return guard("presence", rates.presence(), userId, "presence queries", request);
    }

    public <T> CompletableFuture<T> receipt(String userId, Supplier<CompletableFuture<T>> request) {
        return guard("receipts", rates.receipts(), userId, "receipts", request);
    }

    /** An edit or a delete. */
    public <T> CompletableFuture<T> edit(String userId, Supplier<CompletableFuture<T>> request) {
        return guard("edits", rates.edits(), userId, "edits and deletes", request);
    }

    public <T> CompletableFuture<T> reaction(String userId, Supplier<CompletableFuture<T>> request) {
        return guard("reactions", rates.reactions(), userId, "reactions", request);
    }

    /** Any authenticated REST request of {@code userId}. */
    public <T> CompletableFuture<T> rest(String userId, Supplier<CompletableFuture<T>> request) {
        return guard("rest", rates.rest(), userId, "requests", request);
    }

    /**
     * A login or registration from {@code address} for {@code username}: both buckets must have a token (the
     * address's first, so a guesser spread over many usernames is stopped by it, and one username attacked from many
     * addresses by the second).
     */
    public <T> CompletableFuture<T> login(String address, String username, Supplier<CompletableFuture<T>> request) {
        return guard(
                "login-address",
                rates.loginAddress(),
                String.valueOf(address),
                "login attempts from this address",
                () -> guard(
                        "login-username",
                        rates.loginUsername(),
                        username.toLowerCase(java.util.Locale.ROOT),
                        "login attempts for this username",
                        request));
    }

    private <T> CompletableFuture<T> guard(
            String name, Config.Rate rate, String key, String what, Supplier<CompletableFuture<T>> request) {
        if (rate.unlimited()) {
            return request.get();
        }
        CompletableFuture<Long> check = limiter.acquire(name, rate, key);
        if (check.isDone()) {
            return proceed(check.join(), name, what, request);
        }
        return check.thenCompose(wait -> proceed(wait, name, what, request));
    }

    private <T> CompletableFuture<T> proceed(
            long wait, String name, String what, Supplier<CompletableFuture<T>> request) {
        if (wait == 0) {
            return request.get();
        }
        if (metrics != null) {
            metrics.rateLimited(name);
        }
        return CompletableFuture.failedFuture(new RateLimitedException(name, wait, what));
    }
}
