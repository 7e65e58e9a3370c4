package io.parley.server.redis;

import io.parley.server.presence.Presence;
import io.parley.server.presence.PresenceContract;
import io.parley.server.time.ExecutorScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The Redis presence, as two nodes sharing one Redis prefix, against the machine's Redis. */
class RedisPresenceTest extends PresenceContract {
    private final String prefix = RedisSupport.newPrefix();
    private final List<RedisConnections> connections = new ArrayList<>();
    /** Real time: Redis expires keys and answers TIME on its own clock, which a test cannot move. */
    private final ExecutorScheduler sweeper = new ExecutorScheduler("test-presence-sweeper");

    @BeforeAll
    static void redis() {
        RedisSupport.requireRedis();
    }

    private Presence node() {
        RedisConnections c = new RedisConnections(RedisSupport.URL, prefix);
        connections.add(c);
        return new RedisPresence(c, TTL_MILLIS, sweeper);
    }

    @Override
    protected Presence create(long ttlMillis) {
        return node();
    }

    @Override
    protected Presence open(Presence first) {
        return node();
    }

    /**
     * Redis expires keys on its own clock, which only waiting moves: polls Redis's TIME until it has moved on by
     * {@code time}, failing if that takes far longer.
     */
    @Override
    protected void pass(Duration time) throws InterruptedException {
        long until = redisMicros() + TimeUnit.NANOSECONDS.toMicros(time.toNanos());
        // Deadline poll on Redis's clock (a real external process): a key's expiry is Redis's to decide.
        io.parley.server.Poll.until(
                () -> {
                    try {
                        return redisMicros() >= until;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                },
                time.plusSeconds(10),
                "Redis's clock moving on by " + time);
    }

    /** Redis's clock (TIME), in microseconds. */
    private long redisMicros() throws InterruptedException {
        if (connections.isEmpty()) {
            throw new IllegalStateException("no Redis connection yet");
        }
        try {
            List<String> t = connections.get(0).async().time().get(10, TimeUnit.SECONDS);
            return Long.parseLong(t.get(0)) * 1_000_000 + Long.parseLong(t.get(1));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Redis TIME failed", e);
        }
    }

    @Override
    protected long now() {
        return System.currentTimeMillis();
    }

    @AfterEach
    void closeConnections() {
        sweeper.close();
        connections.forEach(RedisConnections::close);
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }
}
