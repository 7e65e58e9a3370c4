package io.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.ServerFrame;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sender's own messages reach the application once: as the {@link OutgoingMessage} it got from {@code send},
 * settled by the ack or by its own event, and never again through {@code onEvent} (docs/client-java.md, "Your own
 * messages"). Also what {@code close()} leaves for a later session, and that a later session's re-send keeps the
 * clientMsgId, and that a rate-limited burst is sent again in its order. Runs the real client on {@link FakeTransport}
 * and {@link ManualScheduler}.
 */
class OwnMessagesTest {
    private static final String WELCOME = "{\"type\":\"welcome\",\"sessionId\":\"s1\",\"userId\":\"alice\","
            + "\"heartbeatIntervalMs\":25000,\"idleTimeoutMs\":60000,\"maxFrameBytes\":65536,\"maxBodyChars\":4000}";

    private final List<FakeTransport.Wire> wire = new ArrayList<>();
    private final List<String> seen = new ArrayList<>();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final FakeTransport transport = new FakeTransport(wire::add);
    private final ParleyClient client = ParleyClient.builder()
            .uri(URI.create("ws://parley.test/ws"))
            .tokenSupplier(() -> "t1")
            .autoDelivered(false)
            .reconnectBackoff(java.time.Duration.ofMillis(250), java.time.Duration.ofSeconds(30))
            .random(new FixedJitter())
            .transport(transport)
            .scheduler(scheduler)
            .listener(new ParleyListener() {
                @Override
                public void onEvent(ServerFrame.Event e) {
                    seen.add("event " + e.conversationId() + ":" + e.seq());
                }

                @Override
                public void onMessageStateChanged(OutgoingMessage m) {
                    seen.add("message " + m.clientMsgId() + " " + m.state()
                            + (m.ack() == null ? "" : " seq " + m.ack().seq()));
                }
            })
            .build();

    @AfterEach
    void close() {
        client.close();
    }

    private void live(String cursors) {
        client.connect();
        transport.last().accept();
        transport.last().deliver(WELCOME);
        transport.last().deliver("{\"type\":\"synced\",\"conversations\":" + cursors + ",\"serverTime\":1}");
    }

    private static String message(String actor, long seq, String clientMsgId) {
        return "{\"type\":\"event\",\"conversationId\":\"c1\",\"seq\":" + seq + ",\"kind\":\"message\","
                + "\"createdAt\":\"2026-11-22T12:00:00.000Z\",\"actorId\":\"" + actor + "\",\"messageId\":\"msg_"
                + seq + "\",\"clientMsgId\":\"" + clientMsgId + "\",\"body\":\"b\"}";
    }

    private static String ack(long seq, String clientMsgId, boolean duplicate) {
        return "{\"type\":\"ack\",\"clientMsgId\":\"" + clientMsgId
                + "\",\"conversationId\":\"c1\",\"messageId\":\"msg_"
                + seq + "\",\"seq\":" + seq + ",\"createdAt\":\"2026-11-22T12:00:00.000Z\",\"duplicate\":" + duplicate
                + "}";
    }

    private List<String> sends() {
        return wire.stream()
                .filter(FakeTransport.Wire.Text.class::isInstance)
                .map(w -> ((FakeTransport.Wire.Text) w).text())
                .filter(t -> t.contains("\"type\":\"send\""))
                .collect(Collectors.toList());
    }

    @Test
    void ownMessage_ackThenEcho_isToldOnceAsSent_andNotPassedToOnEvent() {
        live("{\"c1\":0}");
        OutgoingMessage m = client.send("c1", "m1", "hello");
        transport.last().deliver(ack(1, "m1", false));
        transport.last().deliver(message("alice", 1, "m1"));
        transport.last().deliver(message("bob", 2, "b2"));
        assertThat(seen).containsExactly("message m1 SENT seq 1", "event c1:2");
        assertThat(m.state()).isEqualTo(MessageState.SENT);
        assertThat(client.cursors()).isEqualTo(Map.of("c1", 2L));
    }

    @Test
    void ownUserFromAnotherDevice_isAnEventLikeAnyOther() {
        live("{\"c1\":0}");
        transport.last().deliver(message("alice", 1, "from-my-phone"));
        assertThat(seen).containsExactly("event c1:1");
    }

    @Test
    void anotherUsersMessageWithTheSameClientMsgId_isNotTakenForTheEcho() {
        live("{\"c1\":0}");
        client.send("c1", "m1", "hello");
        transport.last().deliver(message("bob", 1, "m1"));
        assertThat(seen).containsExactly("event c1:1");
        assertThat(client.pending()).extracting(OutgoingMessage::clientMsgId).containsExactly("m1");
    }

    /** A resume replays the stored message before the re-send's duplicate ack: the event settles it, once. */
    @Test
    void resume_echoBeforeTheDuplicateAck_makesSentOnce() {
        live("{\"c1\":0}");
        OutgoingMessage m = client.send("c1", "m1", "hello");
        transport.last().serverClose(1006, "lost before the ack");
        scheduler.advance(250);
        transport.last().accept();
        transport.last().deliver(WELCOME);
        assertThat(sends()).hasSize(2).allMatch(t -> t.contains("\"clientMsgId\":\"m1\""));
        transport.last().deliver(message("alice", 1, "m1"));
        transport.last().deliver(ack(1, "m1", true));
        assertThat(seen).containsExactly("message m1 SENT seq 1");
        assertThat(m.acked()).isCompleted();
        assertThat(client.pending()).isEmpty();
    }

    /** close() before the ack: unconfirmed, never failed; a new client re-sends it with its clientMsgId and reply. */
    @Test
    void close_beforeTheAck_leavesUnconfirmed_andANewClientResendsTheSameClientMsgId() {
        live("{\"c1\":0}");
        OutgoingMessage m = client.reply("c1", "msg_0", "re");
        client.close();
        assertThat(m.state()).isEqualTo(MessageState.UNCONFIRMED);
        assertThat(m.acked()).isCompletedExceptionally();
        assertThat(client.pending()).containsExactly(m);
        assertThat(seen).containsExactly("message " + m.clientMsgId() + " UNCONFIRMED");

        List<FakeTransport.Wire> wire2 = new ArrayList<>();
        FakeTransport transport2 = new FakeTransport(wire2::add);
        ParleyClient next = ParleyClient.builder()
                .uri(URI.create("ws://parley.test/ws"))
                .tokenSupplier(() -> "t1")
                .autoDelivered(false)
                .transport(transport2)
                .scheduler(new ManualScheduler())
                .build();
        try {
            OutgoingMessage again = next.resend(client.pending().get(0));
            next.connect();
            transport2.last().accept();
            transport2.last().deliver(WELCOME);
            assertThat(wire2)
                    .filteredOn(FakeTransport.Wire.Text.class::isInstance)
                    .map(w -> ((FakeTransport.Wire.Text) w).text())
                    .contains("{\"type\":\"send\",\"conversationId\":\"c1\",\"clientMsgId\":\"" + m.clientMsgId()
                            + "\",\"body\":\"re\",\"replyTo\":\"msg_0\"}");
            transport2.last().deliver(ack(4, m.clientMsgId(), true));
            assertThat(again.state()).isEqualTo(MessageState.SENT);
            assertThat(Objects.requireNonNull(again.ack()).duplicate()).isTrue();
        } finally {
            next.close();
        }
    }

    /** Every full-jitter draw at the top of its window, so delays are exact. */
    // ---- rate_limited: a burst keeps its order (a timer per message would re-send them in the order of their delays,
    // shuffled; the web app's test of 50 messages caught it in the JS client) -----------------------------------------

    private static String limited(String clientMsgId, long retryAfterMs) {
        return "{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow down\",\"ref\":\"" + clientMsgId
                + "\",\"retryAfterMs\":" + retryAfterMs + "}";
    }

    @Test
    void rateLimitedBurst_isResentInSendOrder_afterTheLongestDelay_andNewSendsWaitBehindIt() {
        live("{\"c1\":0,\"c2\":0}");
        List<OutgoingMessage> burst = new ArrayList<>();
        for (String id : List.of("m1", "m2", "m3", "m4")) {
            burst.add(client.send("c1", id, id));
        }
        client.send("c2", "e1", "elsewhere");
        assertThat(sends()).hasSize(5);
        wire.clear();
        transport.last().deliver(ack(1, "m1", false));
        // Later refusals come with shorter delays: the next token is nearer for them.
        transport.last().deliver(limited("m2", 300));
        transport.last().deliver(limited("m3", 299));
        transport.last().deliver(limited("m4", 298));
        OutgoingMessage m5 = client.send("c1", "m5", "m5");
        assertThat(sends())
                .as("nothing of c1 goes out while it waits, not even a new send")
                .isEmpty();
        scheduler.advance(299);
        assertThat(sends())
                .as("the hold lasts the longest delay the server gave")
                .isEmpty();
        scheduler.advance(1);
        assertThat(sends())
                .extracting(t -> t.replaceAll(".*\"clientMsgId\":\"(m\\d)\".*", "$1"))
                .containsExactly("m2", "m3", "m4", "m5");
        assertThat(burst.subList(1, 4)).allSatisfy(m -> assertThat(m.state()).isEqualTo(MessageState.PENDING));
        assertThat(m5.state()).isEqualTo(MessageState.PENDING);
    }

    private static final class FixedJitter implements java.util.random.RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only bounded draws are expected");
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    }
}
