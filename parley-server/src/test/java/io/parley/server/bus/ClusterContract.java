package io.parley.server.bus;

import static io.parley.server.bus.BusFixture.message;
import static io.parley.server.bus.BusFixture.typing;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * For a bus that connects several nodes: what one node publishes reaches the others. A node hears only what concerns
 * its sessions (the bus asks its sink's {@link Sink#hasUser}) and is handed only its own recipients.
 *
 * <p>Negative checks ("nothing else arrived") need a point after which nothing more can come: a later event from the
 * same publisher, which the bus delivers after the earlier ones (per-publisher order), serves as that barrier.
 */
public interface ClusterContract extends BusFixture {

    private static long count(RecordingSink sink, String conversationId, long seq) {
        return sink.events().stream()
                .filter(e -> e.conversationId().equals(conversationId) && e.seq() == seq)
                .count();
    }

    @Test
    default void publish_reachesEveryRecipientsNode_includingThePublishingOne_exactlyOnce() throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob");
        RecordingSink c = new RecordingSink("carol");
        Bus nodeA = node(a);
        Bus nodeB = node(b);
        node(c);
        List<String> everyone = List.of("alice", "bob", "carol");

        nodeA.publish(message("c1", 1, "alice", everyone));
        nodeA.publish(message("c1", 2, "alice", everyone));
        // Barriers: once #2 is on B and C, #1 cannot come again there; once B's later event is on A, the echo of A's
        // own #1 (which reached Redis before it) has been heard on A too.
        b.awaitEvent("c1", 2, WAIT);
        c.awaitEvent("c1", 2, WAIT);
        nodeB.publish(message("barrier", 1, "bob", List.of("alice")));
        a.awaitEvent("barrier", 1, WAIT);

        assertThat(count(a, "c1", 1)).as("on the publishing node").isEqualTo(1);
        assertThat(count(b, "c1", 1)).as("on bob's node").isEqualTo(1);
        assertThat(count(c, "c1", 1)).as("on carol's node").isEqualTo(1);
        assertThat(b.awaitEvent("c1", 1, WAIT).recipients())
                .as("handed to bob's node")
                .containsExactly("bob");
        assertThat(c.awaitEvent("c1", 1, WAIT).recipients())
                .as("handed to carol's node")
                .containsExactly("carol");
    }

    @Test
    default void publish_manyEventsFromTwoNodes_keepEachPublishersOrderPerConversationOnEveryNode() throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob");
        RecordingSink both = new RecordingSink("alice", "bob");
        Bus nodeA = node(a);
        Bus nodeB = node(b);
        node(both);
        int n = 300;
        List<String> pair = List.of("alice", "bob");

        for (long seq = 1; seq <= n; seq++) {
            nodeA.publish(message("fromA1", seq, "alice", pair));
            nodeB.publish(message("fromB", seq, "bob", pair));
            nodeA.publish(message("fromA2", seq, "alice", pair));
        }

        List<Long> expected = LongStream.rangeClosed(1, n).boxed().toList();
        for (RecordingSink sink : List.of(a, b, both)) {
            List<RecordingSink.Event> got = sink.await(l -> l.size() >= 3 * n, WAIT, "every event");
            Map<String, List<Long>> seqs = got.stream()
                    .collect(Collectors.groupingBy(
                            RecordingSink.Event::conversationId,
                            Collectors.mapping(RecordingSink.Event::seq, Collectors.toList())));
            assertThat(seqs).containsOnlyKeys("fromA1", "fromA2", "fromB");
            seqs.forEach((conversation, s) -> assertThat(s).as(conversation).isEqualTo(expected));
        }
    }

    @Test
    default void publish_toUsersWithNoSessionOnANode_deliversNothingToThatNode() throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob");
        RecordingSink idle = new RecordingSink("carol");
        Bus nodeA = node(a);
        node(b);
        node(idle);

        for (long seq = 1; seq <= 50; seq++) {
            nodeA.publish(message("c1", seq, "alice", List.of("alice", "bob")));
        }
        nodeA.publish(typing("c1", "alice", List.of("alice", "bob")));
        nodeA.publish(message("barrier", 1, "alice", List.of("carol")));
        nodeA.publish(typing("barrier", "alice", List.of("carol")));

        idle.awaitEvent("barrier", 1, WAIT);
        idle.awaitSignals(1, WAIT);
        b.await(l -> l.size() >= 50, WAIT, "bob's 50 events");
        assertThat(idle.events())
                .extracting(RecordingSink.Event::conversationId)
                .containsExactly("barrier");
        assertThat(idle.signals())
                .extracting(RecordingSink.SignalFrame::recipients)
                .containsExactly(List.of("carol"));
        assertThat(b.events()).extracting(RecordingSink.Event::conversationId).containsOnly("c1");
    }

    @Test
    default void publishSignal_reachesEveryRecipientsNode_withItsOwnRecipientsOnly() throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob", "dave");
        Bus nodeA = node(a);
        node(b);

        nodeA.publish(typing("c1", "alice", List.of("alice", "bob", "carol")));

        RecordingSink.SignalFrame atB = b.awaitSignals(1, WAIT).get(0);
        assertThat(atB.recipients()).containsExactly("bob");
        assertThat(atB.frame()).contains("\"typing\"");
        assertThat(a.awaitSignals(1, WAIT).get(0).frame()).isEqualTo(atB.frame());
    }

    @Test
    default void unsubscribedNode_hearsNothingFromTheOthers_andHearsAgainAfterResubscribing() throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob");
        RecordingSink witness = new RecordingSink("bob");
        Bus nodeA = node(a);
        Bus nodeB = node(b);
        node(witness);
        List<String> pair = List.of("alice", "bob");

        unsubscribe(nodeB);
        nodeA.publish(message("c1", 1, "alice", pair));
        nodeA.publish(typing("c1", "alice", pair));
        // Through Redis before B subscribes again: the witness has it.
        witness.awaitEvent("c1", 1, WAIT);
        witness.awaitSignals(1, WAIT);
        resubscribe(nodeB, b);
        nodeA.publish(message("c1", 2, "alice", pair));

        b.awaitEvent("c1", 2, WAIT);
        assertThat(b.events()).extracting(RecordingSink.Event::seq).containsExactly(2L);
        assertThat(b.signals()).isEmpty();
        assertThat(b.resyncs()).as("an unsubscribe is not a lost subscription").isZero();
    }

    @Test
    default void unsubscribedNode_stillPublishesToTheOthers_butIsHandedNothingItself() throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob");
        Bus nodeA = node(a);
        Bus nodeB = node(b);

        unsubscribe(nodeA);
        nodeA.publish(message("c1", 1, "alice", List.of("alice", "bob")));
        b.awaitEvent("c1", 1, WAIT);
        resubscribe(nodeA, a);
        nodeB.publish(message("barrier", 1, "bob", List.of("alice")));

        // B's later event is on A: A's own #1 (its echo came back through Redis before it) was not handed to A.
        a.awaitEvent("barrier", 1, WAIT);
        assertThat(a.events()).extracting(RecordingSink.Event::conversationId).containsExactly("barrier");
    }

    @Test
    default void publish_manyConversationsInterleaved_eachKeepsItsOrderOnTheOtherNode_once() throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob");
        Bus nodeA = node(a);
        node(b);
        int conversations = 40;
        int perConversation = 25;

        // Interleaved, so on a sharded bus the conversations cross every shard while each keeps one channel.
        for (long seq = 1; seq <= perConversation; seq++) {
            for (int c = 0; c < conversations; c++) {
                nodeA.publish(message("conv-" + c, seq, "alice", List.of("alice", "bob")));
            }
        }

        List<RecordingSink.Event> got =
                b.await(l -> l.size() >= conversations * perConversation, WAIT, "every event on bob's node");
        Map<String, List<Long>> seqs = got.stream()
                .collect(Collectors.groupingBy(
                        RecordingSink.Event::conversationId,
                        Collectors.mapping(RecordingSink.Event::seq, Collectors.toList())));
        List<Long> expected = LongStream.rangeClosed(1, perConversation).boxed().collect(Collectors.toList());
        assertThat(seqs).hasSize(conversations);
        seqs.forEach((c, l) -> assertThat(l).as(c + " in publish order, once").isEqualTo(expected));
    }

    @Test
    default void publishRun_reachesEveryNodeOnce_inOrder_withItsOwnRecipients_evenSplitOverSeveralMessages()
            throws Exception {
        RecordingSink a = new RecordingSink("alice");
        RecordingSink b = new RecordingSink("bob");
        RecordingSink c = new RecordingSink("carol");
        Bus nodeA = node(a);
        node(b);
        node(c);
        List<String> everyone = List.of("alice", "bob", "carol", "dave");
        int n = 2_500; // more than one bus message's worth on the Redis bus (1,000 events a message)
        List<Delivery> run = new java.util.ArrayList<>();
        for (long seq = 1; seq <= n; seq++) {
            run.add(message("big", seq, "alice", everyone));
        }

        nodeA.publish(run);
        nodeA.publish(message("big", n + 1, "alice", everyone));

        List<Long> expected = LongStream.rangeClosed(1, n + 1).boxed().toList();
        for (RecordingSink sink : List.of(a, b, c)) {
            List<RecordingSink.Event> got = sink.await(l -> l.size() >= n + 1, WAIT, "the run and the event after it");
            assertThat(got)
                    .extracting(RecordingSink.Event::seq)
                    .as("in order, once")
                    .isEqualTo(expected);
        }
        assertThat(a.events().get(0).recipients()).as("on the publishing node").isEqualTo(everyone);
        assertThat(b.events()).allSatisfy(e -> assertThat(e.recipients()).containsExactly("bob"));
        assertThat(c.events()).allSatisfy(e -> assertThat(e.recipients()).containsExactly("carol"));
    }
}
