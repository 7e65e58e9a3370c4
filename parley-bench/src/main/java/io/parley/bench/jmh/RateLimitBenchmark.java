package io.parley.bench.jmh;

import io.parley.server.config.Config;
import io.parley.server.limits.LocalRateLimiter;
import io.parley.server.limits.RateLimits;
import io.parley.server.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The send path's rate-limit check on one node (docs/performance.md, "Rate limits: the cost"): the session's
 * {@code RateLimits.send} around a request that is already done, over 10,000 users in 1,000 conversations (10,000
 * buckets, so the map lookups miss the CPU caches as a busy node's would), against the same call with limits off.
 * The rate is high enough that every check is allowed: the path every admitted send takes (key, lookup, clock read,
 * compare-and-set), which costs the same whatever the rate. The difference is what every send pays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RateLimitBenchmark {
    private static final CompletableFuture<String> DONE = CompletableFuture.completedFuture("ack");

    /** Clock only: the sweep of the limiter never runs in the measurement. */
    private static final Scheduler CLOCK_ONLY = new Scheduler() {
        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public Cancellable after(Duration delay, Runnable task) {
            return () -> {};
        }

        @Override
        public Cancellable every(Duration period, Runnable task) {
            return () -> {};
        }
    };

    private final LocalRateLimiter limiter = new LocalRateLimiter(CLOCK_ONLY);
    private final RateLimits limits =
            new RateLimits(limiter, rates(new Config.Rate(1_000_000, Duration.ofSeconds(1))), null);
    private final RateLimits off = RateLimits.none();
    private final String[] users = new String[10_000];
    private final String[] conversations = new String[1_000];
    private int next;

    public RateLimitBenchmark() {
        for (int i = 0; i < users.length; i++) {
            users[i] = "u_" + Integer.toString(i * 7919, 36) + "x9k2m";
        }
        for (int i = 0; i < conversations.length; i++) {
            conversations[i] = "c_" + Integer.toString(i * 104729, 36) + "q1z";
        }
    }

    private static Config.Rates rates(Config.Rate send) {
        Config.Rate u = Config.Rate.UNLIMITED;
        return new Config.Rates(send, u, u, u, u, u, u, u, u, u, Duration.ofSeconds(1));
    }

    @Benchmark
    public CompletableFuture<String> sendWithLimit() {
        int i = next++ & 0x3fff_ffff;
        return limits.send(users[i % users.length], conversations[i % conversations.length], () -> DONE);
    }

    @Benchmark
    public CompletableFuture<String> sendWithoutLimit() {
        int i = next++ & 0x3fff_ffff;
        return off.send(users[i % users.length], conversations[i % conversations.length], () -> DONE);
    }

    @TearDown
    public void close() {
        limiter.close();
    }
}
