package io.parley.server.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.server.match.JoinResult;
import io.parley.server.match.Matcher;
import io.parley.server.match.MatcherContract;
import io.parley.server.match.Ticket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis matcher as three nodes (three connections) on one prefix of the machine's Redis. */
class RedisMatcherTest extends MatcherContract {
    private final String prefix = RedisSupport.newPrefix();
    private final List<RedisConnections> connections = new ArrayList<>();

    @BeforeAll
    static void redis() {
        RedisSupport.requireRedis();
    }

    @Override
    protected Matcher node(int i, Matcher.Settings settings) {
        RedisConnections c = new RedisConnections(RedisSupport.URL, prefix);
        connections.add(c);
        return new RedisMatcher(c, settings, storedBlocks());
    }

    /** Redis expires keys on its own clock: polls its TIME until it has moved on by {@code d}. */
    @Override
    protected void pass(Duration d) throws Exception {
        long until = micros() + TimeUnit.NANOSECONDS.toMicros(d.toNanos());
        // Deadline poll on Redis's clock (a real external process).
        io.parley.server.Poll.until(
                () -> {
                    try {
                        return micros() >= until;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                },
                d.plusSeconds(10),
                "Redis's clock moving on by " + d);
    }

    private long micros() throws Exception {
        List<String> t = connections.get(0).async().time().get(10, TimeUnit.SECONDS);
        return Long.parseLong(t.get(0)) * 1_000_000 + Long.parseLong(t.get(1));
    }

    /**
     * Item 6 and 8: Redis killed mid-test. Every call fails (the service answers unavailable) instead of answering
     * from anything a node remembers; after a restart the state is what Redis has (nothing: no persistence), so the
     * user who waited before the crash is not paired from a stale entry, and matching works again.
     */
    @Test
    void redisKilled_everyCallFails_noPairFromStaleState_andMatchingResumesAfterRestart() throws Exception {
        try (RedisSupport.Private redis = new RedisSupport.Private();
                RedisConnections c = new RedisConnections(redis.url(), prefix)) {
            Matcher m = new RedisMatcher(c, SETTINGS, storedBlocks());
            Ticket a = new Ticket("a", "sa", List.of(), null, false);
            Ticket b = new Ticket("b", "sb", List.of(), null, false);
            assertThat(get(m.lock("a", "sa", false)).held()).isTrue();
            assertThat(get(m.join(a, "c1", "x", "y")).outcome()).isEqualTo(JoinResult.Outcome.WAITING);
            redis.kill();
            assertThatThrownBy(() -> get(m.lock("b", "sb", false))).isInstanceOf(ExecutionException.class);
            assertThatThrownBy(() -> get(m.join(b, "c2", "x", "y"))).isInstanceOf(ExecutionException.class);
            assertThatThrownBy(() -> get(m.counts())).isInstanceOf(ExecutionException.class);
            redis.start();
            // Deadline poll: awaits Lettuce's reconnect to the restarted child redis-server.
            io.parley.server.Poll.until(
                    () -> {
                        try {
                            return m.lock("b", "sb", false)
                                    .get(5, TimeUnit.SECONDS)
                                    .held();
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    Duration.ofSeconds(30),
                    "the matcher working again after the restart");
            assertThat(get(m.join(b, "c2", "x", "y")).outcome())
                    .as("a's entry died with Redis; b is not paired with a ghost")
                    .isEqualTo(JoinResult.Outcome.WAITING);
            assertThat(get(m.lock("a", "sa", false)).held()).isTrue();
            assertThat(get(m.join(a, "c3", "x", "y")).outcome()).isEqualTo(JoinResult.Outcome.MATCHED);
        }
    }

    /**
     * Issue 22, "blocking a stranger is permanent": Redis (no persistence here) restarts and loses its copy of the
     * blocks; the join script then asks for them again, and the matcher copies them from the store before pairing.
     */
    @Test
    void redisRestarted_blocksComeBackFromTheStore_theBlockedPairIsStillNotMade() throws Exception {
        try (RedisSupport.Private redis = new RedisSupport.Private();
                RedisConnections c = new RedisConnections(redis.url(), prefix)) {
            stored.put("a", Set.of("b"));
            Matcher m = new RedisMatcher(c, SETTINGS, storedBlocks());
            Ticket a = new Ticket("a", "sa", List.of(), null, false);
            Ticket b = new Ticket("b", "sb", List.of(), null, false);
            assertThat(get(m.lock("a", "sa", false)).held()).isTrue();
            assertThat(get(m.join(a, "c1", "x", "y")).outcome()).isEqualTo(JoinResult.Outcome.WAITING);
            redis.kill();
            redis.start();
            // Deadline poll: awaits Lettuce's reconnect to the restarted child redis-server.
            io.parley.server.Poll.until(
                    () -> {
                        try {
                            return m.lock("a", "sa", false)
                                    .get(5, TimeUnit.SECONDS)
                                    .held();
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    Duration.ofSeconds(30),
                    "the matcher working again after the restart");
            assertThat(c.async().exists(c.key("match:blocks:a")).get(5, TimeUnit.SECONDS))
                    .as("the restart lost Redis's copy")
                    .isZero();
            assertThat(get(m.join(a, "c2", "x", "y")).outcome()).isEqualTo(JoinResult.Outcome.WAITING);
            assertThat(get(m.lock("b", "sb", false)).held()).isTrue();
            assertThat(get(m.join(b, "c3", "x", "y")).outcome())
                    .as("a blocked b before the restart")
                    .isEqualTo(JoinResult.Outcome.WAITING);
        }
    }

    @AfterEach
    void close() {
        connections.forEach(RedisConnections::close);
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }
}
