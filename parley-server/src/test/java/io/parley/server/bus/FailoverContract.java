package io.parley.server.bus;

import static io.parley.server.bus.BusFixture.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * For a bus on a broker that can fail a shard over to a replica (Redis Cluster): while events flow, the broker moves a
 * shard's master. The bus may lose what was published during the move (at-most-once), but then it must tell the
 * node to resync, it must never hand an event twice, and delivery must resume on every shard.
 */
public interface FailoverContract extends BusFixture {

    /** Fails over a master of the broker (one that serves some of the bus's channels); returns when it is done. */
    void failOver() throws Exception;

    @Test
    default void masterFailover_underTraffic_resyncsTheNode_neverDuplicates_andDeliveryResumes() throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob");
        Bus nodeA = node(a);
        node(b);
        int conversations = 32;
        long[] seq = new long[conversations];
        Runnable round = () -> {
            for (int c = 0; c < conversations; c++) {
                nodeA.publish(message("f" + c, ++seq[c], "alice", List.of("alice", "bob")));
            }
        };
        round.run();
        b.await(l -> l.size() >= conversations, WAIT, "the first round on bob's node");

        Thread traffic = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        round.run();
                        try {
                            // Pacing of real traffic to a real broker: one round per 20 ms while it fails over.
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "failover-traffic");
        traffic.start();
        try {
            failOver();
            b.awaitResyncs(1, Duration.ofSeconds(30));
            // Node A hears of the moved shard on its own connection, in its own time: wait for it too (it failing to
            // resync at all still fails here).
            a.awaitResyncs(1, Duration.ofSeconds(30));
        } finally {
            traffic.interrupt();
            traffic.join(10_000);
        }
        assertThat(a.resyncs())
                .as("node A lost its subscription on the moved shard too")
                .isGreaterThanOrEqualTo(1);

        // After the move, every conversation (so every shard) delivers again: publish until each has arrived.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Set<String> resumed = new HashSet<>();
        while (resumed.size() < conversations) {
            assertThat(System.nanoTime())
                    .as("delivery resumed on every shard; resumed " + resumed)
                    .isLessThan(deadline);
            long mark = b.events().size();
            round.run();
            b.await(l -> l.size() > mark, WAIT, "some event after the failover");
            for (RecordingSink.Event e :
                    b.events().subList((int) mark, b.events().size())) {
                resumed.add(e.conversationId());
            }
        }

        Set<String> seen = new HashSet<>();
        for (RecordingSink.Event e : b.events()) {
            assertThat(seen.add(e.conversationId() + "#" + e.seq()))
                    .as("handed once: " + e)
                    .isTrue();
        }
    }
}
