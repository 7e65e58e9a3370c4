package io.parley.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.Poll;
import io.parley.server.store.Revocation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The close signal on the machine's Redis (a key prefix of the test's own): an order published by one node reaches
 * every subscribed node, the publisher too, on {@code {prefix}:close}; a node of another prefix hears nothing; after
 * close a node hears nothing more.
 */
class RedisCloseSignalTest {
    @BeforeAll
    static void redis() {
        RedisSupport.requireRedis();
    }

    @Test
    void anOrder_reachesEveryNodeOfThePrefix_thePublisherToo_andNoOtherPrefix() {
        String prefix = RedisSupport.newPrefix();
        try (RedisConnections ra = new RedisConnections(RedisSupport.URL, prefix);
                RedisConnections rb = new RedisConnections(RedisSupport.URL, prefix);
                RedisConnections other = new RedisConnections(RedisSupport.URL, RedisSupport.newPrefix());
                RedisCloseSignal a = new RedisCloseSignal(ra);
                RedisCloseSignal b = new RedisCloseSignal(rb);
                RedisCloseSignal c = new RedisCloseSignal(other)) {
            List<Revocation> heardA = new CopyOnWriteArrayList<>();
            List<Revocation> heardB = new CopyOnWriteArrayList<>();
            List<Revocation> heardC = new CopyOnWriteArrayList<>();
            a.subscribe(heardA::add);
            b.subscribe(heardB::add);
            c.subscribe(heardC::add);
            Revocation session = new Revocation(7, Revocation.Kind.SESSION, "ses_1", "alice", 1_700_000_000_000L);
            Revocation user = new Revocation(8, Revocation.Kind.USER, "alice", "alice", 1_700_000_000_001L);

            a.publish(List.of(session, user));

            assertThat(Poll.holdsWithin(() -> heardA.size() == 2 && heardB.size() == 2, Duration.ofSeconds(5)))
                    .as("both nodes heard both orders")
                    .isTrue();
            assertThat(heardB).containsExactly(session, user);
            assertThat(heardA).containsExactly(session, user);

            b.close();
            Revocation later = new Revocation(9, Revocation.Kind.BAN, "bob", "bob", 1_700_000_000_002L);
            a.publish(List.of(later));
            assertThat(Poll.holdsWithin(() -> heardA.size() == 3, Duration.ofSeconds(5)))
                    .isTrue();
            // Redis hands one PUBLISH to every subscriber at once: a having it is the barrier for b.
            assertThat(heardB).hasSize(2);
            assertThat(heardC).as("another prefix").isEmpty();
        } finally {
            RedisSupport.deleteKeys(RedisSupport.URL, prefix);
        }
    }
}
