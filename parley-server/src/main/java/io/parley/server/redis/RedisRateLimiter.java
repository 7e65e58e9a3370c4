package io.parley.server.redis;

import io.lettuce.core.ScriptOutputType;
import io.parley.server.config.Config;
import io.parley.server.limits.LocalRateLimiter;
import io.parley.server.limits.RateLimiter;
import io.parley.server.metrics.Metrics;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buckets of the whole cluster, in Redis: one key per bucket holding its theoretical arrival time (microseconds,
 * Redis's own clock), read and moved by one Lua script per acquire, so that two nodes taking from the same bucket
 * at once cannot both take its last token. A key lives only until its bucket would be full again.
 * <p>
 * When Redis does not answer (down, or the command connection lost) an acquire is decided by this node's own
 * buckets ({@link LocalRateLimiter}): each node then allows up to the limit by itself, so a user spread over N nodes
 * gets up to N times it until Redis is back. That is counted in {@code parley_rate_limit_fallbacks_total} and shown
 * by {@code parley_rate_limit_shared} (0 while falling back). Commands fail at once while the connection is down
 * ({@link RedisConnections}); a Redis that hangs without dropping the connection delays acquires until Lettuce's
 * command timeout.
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.limits");

    /** KEYS: the bucket. ARGV: interval us, period us. Returns 0 (taken) or the wait in ms. */
    static final String ACQUIRE = "local t = redis.call('TIME') "
            + "local now = tonumber(t[1]) * 1000000 + tonumber(t[2]) "
            + "local interval = tonumber(ARGV[1]) local period = tonumber(ARGV[2]) "
            + "local tat = tonumber(redis.call('GET', KEYS[1])) or 0 "
            + "if tat < now then tat = now end "
            + "local nxt = tat + interval "
            + "local wait = nxt - period - now "
            + "if wait > 0 then return math.ceil(wait / 1000) end "
            + "redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', math.ceil((nxt - now) / 1000) + 1) "
            + "return 0";

    private final RedisConnections redis;
    private final LocalRateLimiter fallback;
    private final Metrics metrics;
    private final String keyPrefix;
    private final String sha;
    private volatile boolean fallingBack;

    /** Loads the script (blocking, at start-up). {@code fallback} decides while Redis does not answer. */
    public RedisRateLimiter(RedisConnections redis, LocalRateLimiter fallback, Metrics metrics) {
        this.redis = redis;
        this.fallback = fallback;
        this.metrics = metrics;
        this.keyPrefix = redis.key("rl:");
        try {
            this.sha = redis.async()
                    .scriptLoad(ACQUIRE)
                    .toCompletableFuture()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the rate-limit script", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot load the rate-limit script into Redis: " + e, e);
        }
    }

    @Override
    public CompletableFuture<Long> acquire(String bucket, Config.Rate rate, String key) {
        if (rate.unlimited()) {
            return TAKEN;
        }
        String[] keys = {keyPrefix + bucket + ":" + key};
        long interval = rate.period().toNanos() / 1000 / rate.burst();
        String[] args = {Long.toString(interval), Long.toString(rate.period().toNanos() / 1000)};
        return redis.async()
                .<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args)
                .toCompletableFuture()
                .exceptionallyCompose(err -> {
                    String m = String.valueOf(err.getMessage());
                    // Redis restarted (or SCRIPT FLUSH): the script is sent whole once, which loads it again.
                    return m.contains("NOSCRIPT")
                            ? redis.async()
                                    .<Long>eval(ACQUIRE, ScriptOutputType.INTEGER, keys, args)
                                    .toCompletableFuture()
                            : CompletableFuture.failedFuture(err);
                })
                .handle((wait, err) -> {
                    if (err == null) {
                        if (fallingBack) {
                            fallingBack = false;
                            LOG.info("rate limits are checked in Redis again");
                        }
                        metrics.rateLimitShared(true);
                        return wait;
                    }
                    if (!fallingBack) {
                        fallingBack = true;
                        LOG.warn(
                                "Redis did not answer a rate-limit check ({}); this node uses its own buckets until"
                                        + " it does",
                                err.toString());
                    }
                    metrics.rateLimitShared(false);
                    return fallback.take(bucket, rate, key);
                });
    }

    @Override
    public void close() {
        fallback.close();
    }
}
