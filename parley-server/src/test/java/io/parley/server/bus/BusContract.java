package io.parley.server.bus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static io.parley.server.bus.BusFixture.message;
import static io.parley.server.bus.BusFixture.typing;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link Bus} must have (see its javadoc). Each implementation extends this once and supplies
 * {@link #open}; what needs more than one node ({@link ClusterContract}) or a subscription that can be lost
 * ({@link ResyncContract}) lives in capability interfaces that only the implementations with that capability
 * implement. Every test makes its own nodes on its own bus, so tests depend neither on each other nor on their order.
 */
public abstract class BusContract implements BusFixture {

    /** A new node on this test's bus (for a single-node bus: the node) delivering to {@code sink}. */
    protected abstract Bus open(RecordingSink sink);

    /** Releases what {@link #open} set up; the nodes themselves are closed already. */
    protected void cleanup() throws Exception {
    }

    private final List<Bus> nodes = new ArrayList<>();

    @Override
    public final Bus node(RecordingSink sink) {
        Bus bus = open(sink);
        nodes.add(bus);
        return bus;
    }

    @AfterEach
    void closeNodes() throws Exception {
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
        Map<String, List<Long>> seqs = got.stream().collect(Collectors.groupingBy(RecordingSink.Event::conversationId,
                Collectors.mapping(RecordingSink.Event::seq, Collectors.toList())));
        List<Long> expected = LongStream.rangeClosed(1, perConversation).boxed().toList();
        assertThat(seqs).containsOnlyKeys("c1", "c2", "c3");
        seqs.values().forEach(s -> assertThat(s).isEqualTo(expected));
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
}
