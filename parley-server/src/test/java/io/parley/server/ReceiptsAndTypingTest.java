package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.ServerFrame;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Receipt cursors across devices and members; typing throttled and expiring. */
class ReceiptsAndTypingTest {

    @Test
    void bobReadsOnDeviceA_deviceBShowsItRead_aliceSeesReadByBob_alsoAfterResume(@TempDir Path dir) throws Exception {
        long window = 300;
        Duration step = Duration.ofMillis(window);
        // The node's time is manual: the receipt batcher flushes when the test moves it on by a window.
        ManualScheduler time = new ManualScheduler();
        try (TestServer server = new TestServer(dir, Map.of("receipts.window", window + "ms"))
                .on(time)
                .start()) {
            Rest bobRest = new Rest(server.httpUrl(), TestServer.token("bob"));
            bobRest.get("/api/v1/me");
            Rest aliceRest = new Rest(server.httpUrl(), TestServer.token("alice"));
            String dm = aliceRest.direct("bob");
            try (Chatter alice = Chatter.connect("alice", server.wsUrl());
                    Chatter bobA = Chatter.connect("bob", server.wsUrl());
                    Chatter bobB = Chatter.connect("bob", server.wsUrl())) {
                ServerFrame.Ack first = alice.send(dm, "one").acked().get(10, TimeUnit.SECONDS);
                ServerFrame.Ack last = alice.send(dm, "two").acked().get(10, TimeUnit.SECONDS);
                bobA.awaitCount(dm, 2, Duration.ofSeconds(10));
                bobB.awaitCount(dm, 2, Duration.ofSeconds(10));
                assertThat(unread(bobRest, dm)).isEqualTo(2);

                // Both devices report delivery by themselves; Alice sees "delivered" before anything is read.
                server.advanceUntil(
                        step,
                        Duration.ofSeconds(10),
                        () -> alice.client.deliveredTo(dm, last.seq()).contains("bob"),
                        "alice sees delivered to bob");
                assertThat(alice.client.readBy(dm, first.seq())).doesNotContain("bob");

                bobA.client.markRead(dm, last.seq());
                long tookMillis = server.advanceUntil(
                                step,
                                Duration.ofSeconds(10),
                                () -> bobB.client.receipts(dm).containsKey("bob")
                                        && bobB.client.receipts(dm).get("bob").readSeq() >= last.seq(),
                                "bob's other device sees the conversation read")
                        .toMillis();
                server.advanceUntil(
                        step,
                        Duration.ofSeconds(10),
                        () -> alice.client.readBy(dm, last.seq()).contains("bob"),
                        "alice sees read by bob");
                assertThat(alice.client.readBy(dm, first.seq())).containsExactly("bob");
                // Unread counts come from the read cursor: the same on every device.
                assertThat(unread(bobRest, dm)).isZero();
                JsonObject receipts = aliceRest
                        .get("/api/v1/conversations/" + dm + "/messages/" + last.messageId() + "/receipts")
                        .json();
                assertThat(receipts.getJsonArray("readBy")).containsExactly("bob");
                assertThat(receipts.getJsonArray("deliveredTo")).containsExactly("bob");
                // Node time, in whole windows: the report waits for the next flush (a second one if the frame reached
                // the node after the first). The bound is the one the real-time test had. The figure is printed.
                System.out.printf(
                        "read on device A seen on device B after %d ms of node time (window %d ms)%n",
                        tookMillis, window);
                assertThat(tookMillis).isLessThan(window + 5_000);

                // Cursors never move back: three windows, three flushes, each after a round trip on both devices'
                // connections (the backward report has reached the node; what a flush sent device A is in).
                bobB.client.markRead(dm, first.seq());
                for (int i = 0; i < 3; i++) {
                    bobB.client.queryPresence(List.of("alice")).get(10, TimeUnit.SECONDS);
                    time.advance(step);
                    bobA.client.queryPresence(List.of("alice")).get(10, TimeUnit.SECONDS);
                }
                assertThat(bobA.client.receipts(dm).get("bob").readSeq()).isEqualTo(last.seq());

                // Alice away while Bob reads a new message: her resume brings the receipt.
                Map<String, Long> aliceCursors = alice.client.cursors();
                alice.close();
                ServerFrame.Ack third = new Rest(server.httpUrl(), TestServer.token("alice"))
                        .post(
                                "/api/v1/conversations/" + dm + "/messages",
                                new JsonObject().put("clientMsgId", "c3").put("body", "three"))
                        .json()
                        .mapTo(ServerFrame.Ack.class);
                assertThat(bobRest.post(
                                        "/api/v1/conversations/" + dm + "/read",
                                        new JsonObject().put("seq", third.seq()))
                                .json()
                                .getLong("readSeq"))
                        .isEqualTo(third.seq());
                try (Chatter back = Chatter.connect("alice", server.wsUrl(), aliceCursors)) {
                    assertThat(back.client.readBy(dm, third.seq()))
                            .as("receipts arrive with the sync")
                            .contains("bob");
                }
            }
        }
    }

    private static long unread(Rest rest, String conversationId) {
        return rest.get("/api/v1/conversations/" + conversationId).json().getLong("unreadCount");
    }

    @Test
    void typing_inAConversationOverTheTypingSize_isNotFannedOut_butInASmallerOneIs(@TempDir Path dir) {
        try (TestServer server = new TestServer(dir, Map.of("typing.max-conversation-size", "3"))
                .on(new ManualScheduler())
                .start()) {
            for (String u : List.of("bob", "carol", "dave")) {
                new Rest(server.httpUrl(), TestServer.token(u)).get("/api/v1/me");
            }
            Rest alice = new Rest(server.httpUrl(), TestServer.token("alice"));
            String big = alice.group("four", "bob", "carol", "dave");
            String small = alice.group("three", "bob", "carol");
            try (Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                Rest.Response inBig =
                        alice.post("/api/v1/conversations/" + big + "/typing", new JsonObject().put("active", true));
                assertThat(inBig.status()).as(inBig.toString()).isEqualTo(200);
                assertThat(inBig.json().getBoolean("sent"))
                        .as("4 members > 3: no fanout")
                        .isFalse();
                Rest.Response inSmall =
                        alice.post("/api/v1/conversations/" + small + "/typing", new JsonObject().put("active", true));
                assertThat(inSmall.json().getBoolean("sent")).isTrue();
                // The SDK's typing state and the test's list of signals are two listeners of one frame: wait for
                // both (the list was seen empty right after the state had the typist, in a full CI run).
                Chatter.await(
                        () -> bob.client.typingIn(small).contains("alice")
                                && !bob.signals(ServerFrame.Typing.class).isEmpty(),
                        Duration.ofSeconds(5),
                        "typing in small");
                assertThat(bob.signals(ServerFrame.Typing.class))
                        .extracting(ServerFrame.Typing::conversationId)
                        .containsOnly(small);
                assertThat(alice.post("/api/v1/conversations/" + big + "/typing", new JsonObject())
                                .status())
                        .as("still a member's request: answered, not refused")
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void typingBurst_isThrottled_andExpiresWithoutAStopFrame(@TempDir Path dir) throws Exception {
        long throttle = 500;
        long ttl = 1500;
        // The throttle reads the node's clock, which is manual: only the test moves it.
        ManualScheduler time = new ManualScheduler();
        try (TestServer server = new TestServer(
                        dir, Map.of("typing.throttle", throttle + "ms", "typing.ttl", ttl + "ms"))
                .on(time)
                .start()) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            try (Chatter alice = Chatter.connect("alice", server.wsUrl());
                    Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                // 25 starts spread over a second of node time (a start handled late is stamped later, still within it).
                long burstMillis = 0;
                for (int i = 0; i < 25; i++) {
                    alice.client.typing(dm, true);
                    time.advance(Duration.ofMillis(40));
                    burstMillis += 40;
                }
                Chatter.await(
                        () -> bob.client.typingIn(dm).contains("alice"),
                        Duration.ofSeconds(5),
                        "bob sees alice typing");
                // No stop frame: it expires by itself, on the client's own clock; by then every frame the burst set
                // off has arrived (each would have renewed the indicator).
                Chatter.await(
                        () -> bob.client.typingIn(dm).isEmpty(), Duration.ofMillis(ttl + 2_000), "typing expires");
                List<ServerFrame.Typing> got = bob.signals(ServerFrame.Typing.class);
                // At most one fanout per throttle interval, the first one at once.
                assertThat(got).isNotEmpty().hasSizeLessThanOrEqualTo((int) (burstMillis / throttle) + 1);
                assertThat(got).allSatisfy(t -> {
                    assertThat(t.userId()).isEqualTo("alice");
                    assertThat(t.ttlMs()).isEqualTo(ttl);
                });
                assertThat(alice.signals(ServerFrame.Typing.class))
                        .as("not echoed to the typist")
                        .isEmpty();
                assertThat(bob.signals(ServerFrame.Typing.class)).hasSize(got.size());

                // An explicit stop goes out once after a start; a second stop is dropped.
                time.advance(Duration.ofMillis(throttle));
                alice.client.typing(dm, true);
                Chatter.await(() -> bob.client.typingIn(dm).contains("alice"), Duration.ofSeconds(5), "typing again");
                alice.client.typing(dm, false);
                alice.client.typing(dm, false);
                Chatter.await(() -> bob.client.typingIn(dm).isEmpty(), Duration.ofSeconds(5), "stopped");
                // A last start, one throttle later, after the two stops on the same path: once it has arrived, a
                // second stop that went out would have too.
                int before = bob.signals(ServerFrame.Typing.class).size();
                time.advance(Duration.ofMillis(throttle));
                alice.client.typing(dm, true);
                Chatter.await(
                        () -> bob.signals(ServerFrame.Typing.class).size() > before
                                && bob.client.typingIn(dm).contains("alice"),
                        Duration.ofSeconds(5),
                        "the last start");
                List<ServerFrame.Typing> all = bob.signals(ServerFrame.Typing.class);
                assertThat(all.get(all.size() - 1).active())
                        .as("the last start")
                        .isTrue();
                assertThat(all.get(all.size() - 2).active())
                        .as("the stop, just before it")
                        .isFalse();
                assertThat(all.stream().filter(t -> !t.active()).count()).isEqualTo(1);
            }
        }
    }
}
