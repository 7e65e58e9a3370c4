package io.parley.server;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.store.ChatStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Presence end to end: devices, silent drops, who may see whom, and batching under a connection burst. */
class PresenceTest {

    private static List<ServerFrame.PresenceEntry> entriesFor(Chatter c, String user) {
        List<ServerFrame.PresenceEntry> out = new ArrayList<>();
        for (ServerFrame.Presence p : c.signals(ServerFrame.Presence.class)) {
            p.users().stream().filter(e -> e.userId().equals(user)).forEach(out::add);
        }
        return out;
    }

    @Test
    void secondDeviceKeepsBobOnline_aSilentDropTakesHimOffline_carolNeverSeesHim(@TempDir Path dir) throws Exception {
        long window = 200;
        Map<String, String> config = Map.of("presence.batch-window", window + "ms", "presence.ttl", "2s",
                "presence.refresh-interval", "500ms", "ws.heartbeat-interval", "200ms", "ws.idle-timeout", "800ms",
                "presence.last-seen", "exact");
        try (TestServer server = new TestServer(dir, config).start()) {
            for (String u : List.of("bob", "dave")) {
                new Rest(server.httpUrl(), TestServer.token(u)).get("/api/v1/me");
            }
            Rest aliceRest = new Rest(server.httpUrl(), TestServer.token("alice"));
            Rest carolRest = new Rest(server.httpUrl(), TestServer.token("carol"));
            String dm = aliceRest.direct("bob");
            carolRest.direct("dave");
            try (Chatter alice = Chatter.connect("alice", server.wsUrl());
                 Chatter carol = Chatter.connect("carol", server.wsUrl())) {
                Chatter bob1 = Chatter.connect("bob", server.wsUrl());
                Chatter.await(() -> alice.client.presence("bob").map(e -> e.status().equals("online")).orElse(false),
                        Duration.ofSeconds(5), "alice sees bob online");

                // Bob's second device: a bare socket that keeps talking, until it goes silent without a close frame.
                try (RawSocket bob2 = new RawSocket(server.port(), "/ws?token=" + TestServer.token("bob"))) {
                    bob2.sendText("{\"type\":\"ping\"}");
                    Thread.sleep(window * 2);
                    bob1.close();
                    long keepUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(window * 5);
                    while (System.nanoTime() < keepUntil) {
                        bob2.sendText("{\"type\":\"ping\"}");
                        Thread.sleep(100);
                    }
                    assertThat(entriesFor(alice, "bob")).as("the second device keeps bob online")
                            .allSatisfy(e -> assertThat(e.status()).isEqualTo("online"));
                    assertThat(alice.client.presence("bob").orElseThrow().status()).isEqualTo("online");

                    // Silence: the server's pings go unanswered; the idle timeout ends the session within the TTL.
                    long silentAt = System.currentTimeMillis();
                    Chatter.await(() -> alice.client.presence("bob").map(e -> e.status().equals("offline")).orElse(false),
                            Duration.ofSeconds(2), "bob offline within the 2 s ttl");
                    ServerFrame.PresenceEntry off = alice.client.presence("bob").orElseThrow();
                    long lastSeen = java.time.Instant.parse(off.lastSeen()).toEpochMilli();
                    assertThat(lastSeen).isBetween(silentAt - 1_000, System.currentTimeMillis());
                }

                // REST and query: Alice may look Bob up; Carol shares no conversation with him.
                JsonObject bobForAlice = aliceRest.get("/api/v1/presence/bob").json();
                assertThat(bobForAlice.getString("status")).isEqualTo("offline");
                assertThat(bobForAlice.getString("lastSeen")).isNotNull();
                assertThat(aliceRest.post("/api/v1/presence/query", new JsonObject().put("userIds",
                        new io.vertx.core.json.JsonArray().add("bob").add("carol"))).json().getJsonArray("users"))
                        .hasSize(1);
                assertThat(carolRest.get("/api/v1/presence/bob").errorCode()).isEqualTo("user_not_found");
                assertThat(carol.client.queryPresence(List.of("bob")).get(10, TimeUnit.SECONDS)).isEmpty();
                assertThat(entriesFor(carol, "bob")).as("carol never receives bob's presence").isEmpty();
                assertThat(carol.client.presence("bob")).isEmpty();
                // The DM is how Alice sees him; both directions work.
                assertThat(dm).isNotNull();
            }
        }
    }

    @Test
    void thousandUsersConnectingWithinOneSecond_giveEachSubscriberAtMostOneBatchPerWindow(@TempDir Path dir)
            throws Exception {
        long window = 500;
        int users = 1000;
        int groupSize = 250;
        try (TestServer server = new TestServer(dir, Map.of("presence.batch-window", window + "ms")).start()) {
            ChatStore store = server.server().store();
            store.provisionUser("watcher").get(10, TimeUnit.SECONDS);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                ids.add("u" + i);
                store.provisionUser("u" + i).get(10, TimeUnit.SECONDS);
            }
            for (int g = 0; g < users / groupSize; g++) {
                store.createGroup("g" + g, "watcher", "group " + g, ids.subList(g * groupSize, (g + 1) * groupSize),
                        System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
            }
            Vertx vertx = Vertx.vertx();
            try (Chatter watcher = Chatter.connect("watcher", server.wsUrl())) {
                FrameCodec codec = new FrameCodec();
                WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(users));
                Map<String, List<Long>> batchTimes = new ConcurrentHashMap<>();
                List<WebSocket> sockets = new CopyOnWriteArrayList<>();
                AtomicInteger failed = new AtomicInteger();
                long start = System.nanoTime();
                List<io.vertx.core.Future<WebSocket>> opening = new ArrayList<>();
                for (String u : ids) {
                    List<Long> mine = new CopyOnWriteArrayList<>();
                    batchTimes.put(u, mine);
                    opening.add(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
                            .setURI("/ws?token=" + TestServer.token(u))).onSuccess(ws -> {
                        sockets.add(ws);
                        ws.textMessageHandler(text -> {
                            if (codec.decodeServer(text) instanceof ServerFrame.Presence) {
                                mine.add(System.nanoTime());
                            }
                        });
                    }).onFailure(e -> failed.incrementAndGet()));
                }
                io.vertx.core.Future.join(opening).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(failed.get()).isZero();
                System.out.printf("%d users connected in %d ms%n", users, connectMillis);

                // Everyone is online for the watcher after a few windows.
                Chatter.await(() -> {
                    Set<String> online = new HashSet<>();
                    for (ServerFrame.Presence p : watcher.signals(ServerFrame.Presence.class)) {
                        p.users().stream().filter(e -> e.status().equals("online")).forEach(e -> online.add(e.userId()));
                    }
                    return online.size() == users;
                }, Duration.ofSeconds(20), "the watcher sees all " + users + " online");
                Thread.sleep(window * 2);
                long elapsed = System.nanoTime() - start;
                long windows = TimeUnit.NANOSECONDS.toMillis(elapsed) / window + 1;

                List<Long> watcherBatches = watcher.signals.stream()
                        .filter(t -> t.frame() instanceof ServerFrame.Presence).map(Chatter.Timed::nanos).toList();
                System.out.printf("watcher: %d presence frames in %d windows%n", watcherBatches.size(), windows);
                // The hub delivers at most one batch per window, and each batch holds at most one frame per subscriber.
                long batches = server.server().presenceHub().batches();
                assertThat(batches).isLessThanOrEqualTo(windows);
                assertThat((long) watcherBatches.size()).isLessThanOrEqualTo(batches);
                int total = 0;
                for (Map.Entry<String, List<Long>> e : batchTimes.entrySet()) {
                    assertThat((long) e.getValue().size()).as(e.getKey()).isLessThanOrEqualTo(batches);
                    total += e.getValue().size();
                }
                System.out.printf("%d subscribers got %d presence frames in total from %d batches%n", users, total, batches);
                for (WebSocket ws : sockets) {
                    ws.close();
                }
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }
}
