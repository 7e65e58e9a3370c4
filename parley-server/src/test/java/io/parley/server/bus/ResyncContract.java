package io.parley.server.bus;

import static io.parley.server.bus.BusFixture.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * For a bus whose subscription can be lost (a connection to a broker): delivery is at-most-once, so after a loss the
 * node must be told to resync its sessions ({@link Sink#resync}: they fill gaps from the store), and delivery must
 * resume. The in-process
 * bus has no connection to lose and does not implement this.
 */
public interface ResyncContract extends BusFixture {

    /** Drops {@code node}'s subscription as a network failure would; the bus reconnects by itself. */
    void loseSubscription(Bus node) throws Exception;

    @Test
    default void lostSubscription_signalsResyncOnlyWhenBack_andDeliveryResumes() throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob");
        Bus nodeA = node(a);
        Bus nodeB = node(b);
        nodeA.publish(message("before", 1, "alice", List.of("bob")));
        b.awaitEvent("before", 1, WAIT);
        assertThat(b.resyncs()).as("no resync without a loss").isZero();

        loseSubscription(nodeB);

        b.awaitResyncs(1, WAIT); // the resync signal, through the node's sink
        assertThat(a.resyncs()).as("no resync on a node that lost nothing").isZero();
        // Back, but the resubscription may still be on its way to the broker: publish until one event arrives.
        long deadline = System.nanoTime() + WAIT.toNanos();
        long seq = 0;
        while (b.events().stream().noneMatch(e -> e.conversationId().equals("after"))) {
            assertThat(System.nanoTime()).as("delivery resumed within " + WAIT).isLessThan(deadline);
            nodeA.publish(message("after", ++seq, "alice", List.of("bob")));
            try {
                b.awaitEvent("after", seq, Duration.ofMillis(200));
            } catch (AssertionError notYet) {
                // published before the resubscription took effect: lost, as the contract allows; try the next one
            }
        }
    }
}
