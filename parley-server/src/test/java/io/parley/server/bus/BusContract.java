package io.parley.server.bus;

import static io.parley.server.bus.BusFixture.message;
import static io.parley.server.bus.BusFixture.typing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Bus} must have (see its javadoc). Each implementation extends this once and supplies
 * {@link #open}. The base covers one node: delivery once, publish order, signals, interest (nothing without a
 * subscription, delivery again after resubscribing), nothing after close. What needs more than one node
 * ({@link ClusterContract}) or a subscription that can be lost ({@link ResyncContract}) lives in capability interfaces
 * that only the implementations with that capability implement. Every test makes its own nodes on its own bus, so
 * tests depend neither on each other nor on their order.
 */
public abstract class BusContract implements BusFixture {

    /** A new node on this test's bus (for a single-node bus: a bus of its own), not subscribed yet. */
    protected abstract Bus open();

    /** Releases what {@link #open} set up; the nodes themselves are closed already. */
    protected void cleanup() throws Exception {}

    private final List<Bus> nodes = new ArrayList<>();
    private final Map<Bus, Subscription> subscriptions = new IdentityHashMap<>();

    @Override
    public final Bus node(RecordingSink sink) {
        Bus bus = open();
        nodes.add(bus);
        subscriptions.put(bus, bus.subscribe(sink));
        return bus;
    }

    @Override
    public final void unsubscribe(Bus node) {
        subscriptions.remove(node).close();
    }

    @Override
    public final void resubscribe(Bus node, RecordingSink sink) {
        assertThat(subscriptions.containsKey(node)).as("subscribed already").isFalse();
        subscriptions.put(node, node.subscribe(sink));
    }

    @AfterEach
    void closeNodes() throws Exception {
        subscriptions.values().forEach(Subscription::close);
        nodes.forEach(Bus::close);
        cleanup();
    }

    @Test
    void publish_deliversTheEventToThePublishingNodesSinkOnce() throws Exception {
        RecordingSink sink = new RecordingSink("alice", "bob");
        Bus bus = node(sink);

        bus.publish(message("c1", 1, "alice", List.of("alice", "bob")));

        RecordingSink.Event got = sink.awaitEvent("c1", 1, WAIT);
        assertThat(got.recipients()).containsExactly("alice", "bob");
        assertThat(sink.events()).hasSize(1);
    }

    @Test
    void publish_manyEvents_reachTheSinkInPublishOrderPerConversation() throws Exception {
        RecordingSink sink = new RecordingSink("alice");
        Bus bus = node(sink);
        int perConversation = 300;

        for (long seq = 1; seq <= perConversation; seq++) {
            for (String c : List.of("c1", "c2", "c3")) {
                bus.publish(message(c, seq, "alice", List.of("alice")));
            }
        }

        List<RecordingSink.Event> got = sink.await(l -> l.size() >= 3 * perConversation, WAIT, "every event");
        Map<String, List<Long>> seqs = got.stream()
                .collect(Collectors.groupingBy(
                        RecordingSink.Event::conversationId,
                        Collectors.mapping(RecordingSink.Event::seq, Collectors.toList())));
        List<Long> expected = LongStream.rangeClosed(1, perConversation).boxed().toList();
        assertThat(seqs).containsOnlyKeys("c1", "c2", "c3");
        seqs.values().forEach(s -> assertThat(s).isEqualTo(expected));
    }

    @Test
    void publishRun_deliversEachEventToThePublishingNodesSinkOnce_inOrder() throws Exception {
        RecordingSink sink = new RecordingSink("alice", "bob");
        Bus bus = node(sink);
        List<Delivery> run = new ArrayList<>();
        for (long seq = 1; seq <= 5; seq++) {
            run.add(message("c1", seq, "alice", List.of("alice", "bob")));
        }

        bus.publish(run);

        List<RecordingSink.Event> got = sink.await(l -> l.size() >= 5, WAIT, "the run");
        assertThat(got).extracting(RecordingSink.Event::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(got).allSatisfy(e -> assertThat(e.recipients()).containsExactly("alice", "bob"));
        bus.publish(message("c1", 6, "alice", List.of("alice")));
        sink.awaitEvent("c1", 6, WAIT);
        assertThat(sink.events()).hasSize(6);
    }

    @Test
    void publishSignal_reachesThePublishingNodesSink() throws Exception {
        RecordingSink sink = new RecordingSink("alice", "bob");
        Bus bus = node(sink);

        bus.publish(typing("c1", "alice", List.of("bob")));

        List<RecordingSink.SignalFrame> got = sink.awaitSignals(1, WAIT);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).recipients()).containsExactly("bob");
        assertThat(got.get(0).frame()).contains("\"typing\"").contains("\"c1\"");
    }

    @Test
    void publish_afterClose_deliversNothing() throws Exception {
        RecordingSink sink = new RecordingSink("alice");
        Bus bus = node(sink);

        bus.close();
        bus.publish(message("c1", 1, "alice", List.of("alice")));
        bus.publish(typing("c1", "alice", List.of("alice")));

        assertThat(sink.events()).isEmpty();
        assertThat(sink.signals()).isEmpty();
    }

    @Test
    void subscribe_whileSubscribed_isRefused() {
        Bus bus = node(new RecordingSink("alice"));

        assertThatThrownBy(() -> bus.subscribe(new RecordingSink("bob"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void publish_afterUnsubscribe_deliversNothing_andAfterResubscribe_deliversAgain() throws Exception {
        RecordingSink sink = new RecordingSink("alice");
        Bus bus = node(sink);
        bus.publish(message("c1", 1, "alice", List.of("alice")));
        sink.awaitEvent("c1", 1, WAIT);

        unsubscribe(bus);
        bus.publish(message("c1", 2, "alice", List.of("alice")));
        bus.publish(typing("c1", "alice", List.of("alice")));
        resubscribe(bus, sink);
        bus.publish(message("c1", 3, "alice", List.of("alice")));

        // #3 came after #2 from the same publisher: once #3 is here, #2 would have been too.
        sink.awaitEvent("c1", 3, WAIT);
        assertThat(sink.events()).extracting(RecordingSink.Event::seq).containsExactly(1L, 3L);
        assertThat(sink.signals()).isEmpty();
    }

    @Test
    void unsubscribe_twice_isHarmless() throws Exception {
        RecordingSink sink = new RecordingSink("alice");
        Bus bus = open();
        nodes.add(bus);
        Subscription s = bus.subscribe(sink);

        s.close();
        s.close();
        Subscription again = bus.subscribe(sink);
        again.close();

        bus.publish(message("c1", 1, "alice", List.of("alice")));
        assertThat(sink.events()).isEmpty();
    }
}
