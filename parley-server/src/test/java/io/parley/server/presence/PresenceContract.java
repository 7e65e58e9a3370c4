package io.parley.server.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Presence} (see its javadoc), for every implementation: extend it and create the
 * implementation under test with {@link #TTL_MILLIS}. Two instances from {@link #open} must share state, as two nodes
 * of a cluster do (the in-process implementation is one node: it returns the same instance). Time is the
 * implementation's: {@link #pass} moves it on and {@link #now} reads it (a manual clock in process; Redis's own clock,
 * on which its keys expire, for Redis).
 */
public abstract class PresenceContract {
    protected static final long TTL_MILLIS = 600;

    protected Presence node1;
    protected Presence node2;
    protected final List<PresenceState> changes = new CopyOnWriteArrayList<>();

    /** A presence instance on another "node" sharing state with {@code first} (or {@code first} itself). */
    protected abstract Presence open(Presence first);

    protected abstract Presence create(long ttlMillis);

    /** Lets {@code time} pass on the implementation's clock, running what falls due (its sweeps). */
    protected abstract void pass(Duration time) throws InterruptedException;

    /** The implementation's time (epoch ms), the one lastSeen is stamped with. */
    protected abstract long now();

    @BeforeEach
    void setUp() {
        node1 = create(TTL_MILLIS);
        node2 = open(node1);
        node1.listen(c -> {
            synchronized (changes) {
                changes.add(c);
                changes.notifyAll();
            }
        });
    }

    @AfterEach
    void tearDown() {
        node2.close();
        node1.close();
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private PresenceState state(Presence p, String user) throws Exception {
        return get(p.lookup(List.of(user))).get(user);
    }

    private void awaitChange(String user, boolean online, Duration timeout) throws InterruptedException {
        // Changes may arrive from another thread (Redis pub/sub): wait for the listener's notify, up to the deadline.
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changes) {
            while (changes.stream().noneMatch(c -> c.userId().equals(user) && c.online() == online)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(
                            "no change to " + (online ? "online" : "offline") + " for " + user + "; got " + changes);
                }
                TimeUnit.NANOSECONDS.timedWait(changes, left);
            }
        }
    }

    @Test
    void onlineWhileAnySessionIsConnected_offlineWithLastSeenAfterTheLast() throws Exception {
        long before = now();
        assertThat(state(node1, "bob")).isEqualTo(new PresenceState("bob", false, null));
        get(node1.connected("bob", "s1"));
        get(node2.connected("bob", "s2"));
        awaitChange("bob", true, Duration.ofSeconds(5));
        assertThat(state(node2, "bob").online()).isTrue();
        get(node1.disconnected("bob", "s1"));
        assertThat(state(node1, "bob").online())
                .as("second session keeps him online")
                .isTrue();
        get(node2.disconnected("bob", "s2"));
        PresenceState off = state(node1, "bob");
        assertThat(off.online()).isFalse();
        assertThat(off.lastSeen()).isBetween(before, now());
        awaitChange("bob", false, Duration.ofSeconds(5));
        assertThat(changes.stream()
                        .filter(c -> c.userId().equals("bob"))
                        .map(PresenceState::online)
                        .toList())
                .containsExactly(true, false);
        // Unknown sessions change nothing.
        get(node1.disconnected("bob", "never"));
        assertThat(changes.stream().filter(c -> c.userId().equals("bob"))).hasSize(2);
    }

    @Test
    void sessionsThatAreNotRefreshed_expireByThemselves_refreshedOnesStay() throws Exception {
        get(node1.connected("dead", "d1"));
        get(node2.connected("alive", "a1"));
        for (long passed = 0; passed < TTL_MILLIS * 3; passed += TTL_MILLIS / 4) {
            get(node2.refresh(Map.of("a1", "alive")));
            pass(Duration.ofMillis(TTL_MILLIS / 4));
        }
        awaitChange("dead", false, Duration.ofMillis(TTL_MILLIS * 5));
        assertThat(state(node2, "dead").online()).isFalse();
        assertThat(state(node2, "dead").lastSeen()).isNotNull();
        assertThat(state(node1, "alive").online()).isTrue();
        assertThat(changes.stream().filter(c -> c.userId().equals("alive") && !c.online()))
                .isEmpty();
    }

    @Test
    void bulkLookup_answersEveryUser() throws Exception {
        get(node1.connected("a", "s-a"));
        Map<String, PresenceState> states = get(node2.lookup(List.of("a", "b")));
        assertThat(states.keySet()).containsExactlyInAnyOrder("a", "b");
        assertThat(states.get("a").online()).isTrue();
        assertThat(states.get("b").online()).isFalse();
    }

    @Test
    void typingThrottle_grantsOneStartPerInterval_andOneStopAfterIt() throws Exception {
        assertThat(get(node1.tryTyping("c", "u", true, 300, 1000))).isTrue();
        assertThat(get(node2.tryTyping("c", "u", true, 300, 1000)))
                .as("same interval, other node")
                .isFalse();
        assertThat(get(node1.tryTyping("c", "other", true, 300, 1000)))
                .as("another user")
                .isTrue();
        assertThat(get(node1.tryTyping("c2", "u", true, 300, 1000)))
                .as("another conversation")
                .isTrue();
        assertThat(get(node2.tryTyping("c", "u", false, 300, 1000)))
                .as("stop after a start")
                .isTrue();
        assertThat(get(node1.tryTyping("c", "u", false, 300, 1000)))
                .as("second stop")
                .isFalse();
        assertThat(get(node1.tryTyping("c3", "u", false, 300, 1000)))
                .as("stop without start")
                .isFalse();
        pass(Duration.ofMillis(350));
        assertThat(get(node1.tryTyping("c", "u", true, 300, 1000)))
                .as("next interval")
                .isTrue();
    }
}
