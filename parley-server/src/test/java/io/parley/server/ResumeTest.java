package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.OutgoingMessage;
import io.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resume after being away: everything missed, in order, once, then live messages with no gap. */
class ResumeTest {

    @Test
    void bobOffline_whileAliceSends2000_getsAllInOrderOnce_thenLive(@TempDir Path dir) throws Exception {
        // Small replay pages so that the 2,000 missed messages really come in many pages.
        try (TestServer server = new TestServer(dir, Map.of("ws.sync-page-size", "128")).start()) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            Map<String, Long> bobCursors;
            try (Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                bobCursors = bob.client.cursors();
            }
            assertThat(bobCursors).containsKey(dm);

            try (Chatter alice = Chatter.connect("alice", server.wsUrl())) {
                List<OutgoingMessage> sent = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    sent.add(alice.send(dm, "m" + i));
                }
                CompletableFuture.allOf(
                                sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                        .get(60, TimeUnit.SECONDS);

                try (Chatter bob = Chatter.connect("bob", server.wsUrl(), bobCursors)) {
                    // connect() returns at the synced marker: everything missed is there already.
                    List<ServerFrame.Event> got = bob.messages(dm);
                    assertThat(got).hasSize(2000);
                    assertThat(got.stream().map(ServerFrame.Event::body).toList())
                            .isEqualTo(java.util.stream.IntStream.range(0, 2000)
                                    .mapToObj(i -> "m" + i)
                                    .toList());
                    for (int i = 1; i < got.size(); i++) {
                        assertThat(got.get(i).seq()).isEqualTo(got.get(i - 1).seq() + 1);
                    }
                    assertThat(got.get(0).seq()).isEqualTo(bobCursors.get(dm) + 1);

                    alice.send(dm, "live").acked().get(10, TimeUnit.SECONDS);
                    bob.awaitCount(dm, 2001, Duration.ofSeconds(10));
                    List<ServerFrame.Event> after = bob.messages(dm);
                    assertThat(after).hasSize(2001);
                    assertThat(after.get(2000).body()).isEqualTo("live");
                    assertThat(after.get(2000).seq()).isEqualTo(got.get(1999).seq() + 1);
                }
            }
        }
    }

    @Test
    void newDevice_withNoCursors_replaysTheWholeConversation(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            Rest alice = new Rest(server.httpUrl(), TestServer.token("alice"));
            String dm = alice.direct("bob");
            for (int i = 0; i < 30; i++) {
                alice.post(
                        "/api/v1/conversations/" + dm + "/messages",
                        new io.vertx.core.json.JsonObject()
                                .put("clientMsgId", "r" + i)
                                .put("body", "r" + i));
            }
            try (Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                assertThat(bob.messages(dm))
                        .extracting(ServerFrame.Event::body)
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 30)
                                .mapToObj(i -> "r" + i)
                                .toList());
            }
        }
    }

    @Test
    void resumeWhileMessagesKeepArriving_noGapNoDuplicateBetweenReplayAndLive(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("ws.sync-page-size", "50")).start()) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            try (Chatter alice = Chatter.connect("alice", server.wsUrl())) {
                List<OutgoingMessage> sent = new ArrayList<>();
                for (int i = 0; i < 600; i++) {
                    sent.add(alice.send(dm, "m" + i));
                }
                sent.get(299).acked().get(30, TimeUnit.SECONDS);
                // Bob resumes from scratch while the rest are still being committed and fanned out.
                try (Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                    for (int i = 600; i < 900; i++) {
                        sent.add(alice.send(dm, "m" + i));
                    }
                    bob.awaitCount(dm, 900, Duration.ofSeconds(30));
                    List<String> bodies = bob.messages(dm).stream()
                            .map(ServerFrame.Event::body)
                            .toList();
                    assertThat(bodies)
                            .isEqualTo(java.util.stream.IntStream.range(0, 900)
                                    .mapToObj(i -> "m" + i)
                                    .toList());
                }
            }
        }
    }
}
