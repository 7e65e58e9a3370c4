package io.parley.server.redis;

import io.parley.server.presence.Presence;
import io.parley.server.presence.PresenceContract;
import org.junit.jupiter.api.AfterEach;
import io.parley.server.time.ExecutorScheduler;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

import java.util.ArrayList;
import java.util.List;

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

    /** Redis's clock is the wall clock of this machine, and only waiting moves it. */
    @Override
    protected void pass(Duration time) throws InterruptedException {
        Thread.sleep(time.toMillis());
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
