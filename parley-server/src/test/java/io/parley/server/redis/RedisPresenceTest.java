package io.parley.server.redis;

import io.parley.server.presence.Presence;
import io.parley.server.presence.PresenceContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.util.ArrayList;
import java.util.List;

/** The Redis presence, as two nodes sharing one Redis prefix, against the machine's Redis. */
class RedisPresenceTest extends PresenceContract {
    private final String prefix = RedisSupport.newPrefix();
    private final List<RedisConnections> connections = new ArrayList<>();

    @BeforeAll
    static void redis() {
        RedisSupport.requireRedis();
    }

    private Presence node() {
        RedisConnections c = new RedisConnections(RedisSupport.URL, prefix);
        connections.add(c);
        return new RedisPresence(c, TTL_MILLIS);
    }

    @Override
    protected Presence create(long ttlMillis) {
        return node();
    }

    @Override
    protected Presence open(Presence first) {
        return node();
    }

    @AfterEach
    void closeConnections() {
        connections.forEach(RedisConnections::close);
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }
}
