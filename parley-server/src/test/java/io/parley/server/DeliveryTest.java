package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.MessageState;
import io.parley.client.OutgoingMessage;
import io.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live delivery: every message reaches every member's sessions exactly once, in seq order, and is acked with seq. */
class DeliveryTest {
    static final int PER_SENDER = 60;

    @Test
    void dmAndGroup_everyMessageReachesEveryMemberSessionOnce_inSeqOrder(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            for (String u : List.of("alice", "bob", "carol", "dave", "erin")) {
                new Rest(server.httpUrl(), TestServer.token(u)).get("/api/v1/me");
            }
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            String group = new Rest(server.httpUrl(), TestServer.token("carol")).group("trio", "dave", "erin");

            try (Chatter alicePhone = Chatter.connect("alice", server.wsUrl());
                    Chatter aliceLaptop = Chatter.connect("alice", server.wsUrl());
                    Chatter bob = Chatter.connect("bob", server.wsUrl());
                    Chatter carol = Chatter.connect("carol", server.wsUrl());
                    Chatter dave = Chatter.connect("dave", server.wsUrl());
                    Chatter erin = Chatter.connect("erin", server.wsUrl())) {

                List<OutgoingMessage> sent = new ArrayList<>();
                for (int i = 0; i < PER_SENDER; i++) {
                    sent.add(alicePhone.send(dm, "alice-" + i));
                    sent.add(bob.send(dm, "bob-" + i));
                    sent.add(carol.send(group, "carol-" + i));
                    sent.add(dave.send(group, "dave-" + i));
                    sent.add(erin.send(group, "erin-" + i));
                }
                CompletableFuture.allOf(
                                sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                        .get(30, TimeUnit.SECONDS);
                assertThat(sent).allSatisfy(m -> {
                    assertThat(m.state()).isEqualTo(MessageState.SENT);
                    assertThat(m.ack().seq()).isPositive();
                    assertThat(m.ack().duplicate()).isFalse();
                });
                Set<Long> dmSeqs = new HashSet<>();
                Set<Long> groupSeqs = new HashSet<>();
                for (OutgoingMessage m : sent) {
                    assertThat((m.conversationId().equals(dm) ? dmSeqs : groupSeqs)
                                    .add(m.ack().seq()))
                            .as("seq %d acked twice", m.ack().seq())
                            .isTrue();
                }

                for (Chatter c : List.of(alicePhone, aliceLaptop, bob)) {
                    c.awaitCount(dm, 2 * PER_SENDER, Duration.ofSeconds(20));
                    assertExactlyOnceInOrder(c.messages(dm), 2 * PER_SENDER);
                    assertThat(c.messages(group)).isEmpty();
                    assertThat(c.messages(dm).stream()
                                    .map(ServerFrame.Event::seq)
                                    .toList())
                            .containsExactlyInAnyOrderElementsOf(dmSeqs);
                }
                for (Chatter c : List.of(carol, dave, erin)) {
                    c.awaitCount(group, 3 * PER_SENDER, Duration.ofSeconds(20));
                    assertExactlyOnceInOrder(c.messages(group), 3 * PER_SENDER);
                    assertThat(c.messages(dm)).isEmpty();
                }
                // Every session saw the same order.
                assertThat(aliceLaptop.messages(dm)).isEqualTo(bob.messages(dm));
                assertThat(carol.messages(group)).isEqualTo(erin.messages(group));
                // Per-sender order is the send order.
                List<String> aliceBodies = bob.messages(dm).stream()
                        .map(ServerFrame.Event::body)
                        .filter(b -> b.startsWith("alice-"))
                        .toList();
                assertThat(aliceBodies)
                        .isEqualTo(java.util.stream.IntStream.range(0, PER_SENDER)
                                .mapToObj(i -> "alice-" + i)
                                .toList());
            }
        }
    }

    static void assertExactlyOnceInOrder(List<ServerFrame.Event> events, int expected) {
        assertThat(events).hasSize(expected);
        assertThat(events.stream().map(ServerFrame.Event::messageId).distinct().count())
                .isEqualTo(expected);
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).seq()).isGreaterThan(events.get(i - 1).seq());
        }
    }

    @Test
    void userAddedToGroupWhileOnline_receivesItsEventsLive(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            for (String u : List.of("owner", "late")) {
                new Rest(server.httpUrl(), TestServer.token(u)).get("/api/v1/me");
            }
            try (Chatter owner = Chatter.connect("owner", server.wsUrl());
                    Chatter late = Chatter.connect("late", server.wsUrl())) {
                Rest rest = new Rest(server.httpUrl(), TestServer.token("owner"));
                String group = rest.group("later", "late");
                owner.send(group, "welcome aboard").acked().get(10, TimeUnit.SECONDS);
                late.awaitCount(group, 1, Duration.ofSeconds(10));
                // The sender's ack comes before its own copy of the event (docs/protocol.md): wait for that copy too,
                // so both cursors have seen the message before they are compared.
                owner.awaitCount(group, 1, Duration.ofSeconds(10));
                assertThat(late.messages(group).get(0).body()).isEqualTo("welcome aboard");
                assertThat(late.client.cursors()).containsKey(group);
                assertThat(Map.copyOf(late.client.cursors()).get(group))
                        .isEqualTo(owner.client.cursors().get(group));
            }
        }
    }
}
