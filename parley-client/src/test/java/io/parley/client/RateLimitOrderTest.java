package io.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * rate_limited on a burst: every send of the conversation waits for the server's delay, then the waiting ones go out
 * again in send order (a timer per message would send them in the order of their delays, shuffled: the web app's
 * test of 50 messages caught it in the JS client). The real client on {@link FakeTransport} and
 * {@link ManualScheduler}.
 */
class RateLimitOrderTest {
    private static final String WELCOME = "{\"type\":\"welcome\",\"sessionId\":\"s1\",\"userId\":\"alice\","
            + "\"heartbeatIntervalMs\":25000,\"idleTimeoutMs\":60000,\"maxFrameBytes\":65536,\"maxBodyChars\":4000}";

    private final List<FakeTransport.Wire> wire = new ArrayList<>();
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
