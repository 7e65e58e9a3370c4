package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.store.ChatStore;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Presence end to end: devices, silent drops, who may see whom, and batching under a connection burst. */
class PresenceTest {

    private static List<ServerFrame.PresenceEntry> entriesFor(Chatter c, String user) {
        List<ServerFrame.PresenceEntry> out = new ArrayList<>();
        for (ServerFrame.Presence p : c.signals(ServerFrame.Presence.class)) {
            p.users().stream().filter(e -> e.userId().equals(user)).forEach(out::add);
        }
        return out;
    }

    /**
     * Moves the node's time on by {@code d}, each connection first making a round trip (its answer crosses a real
     * socket), so every session that should stay has shown activity at the current time: the clients' own
     * heartbeats run on real time and would not keep up with a clock the test moves.
     */
    private static void step(ManualScheduler time, Duration d, RawSocket raw, Chatter... chatters) throws Exception {
        for (Chatter c : chatters) {
            c.client.queryPresence(List.of("bob")).get(10, TimeUnit.SECONDS);
        }
        if (raw != null) {
            ping(raw);
        }
        time.advance(d);
    }

    /** A ping from the bare socket, and its pong: the session is authenticated and has seen the activity. */
    private static void ping(RawSocket raw) throws Exception {
        raw.sendText("{\"type\":\"ping\"}");
        while (true) {
            RawSocket.Frame f = raw.read();
            if (f.opcode() == 0x1
                    && new String(f.payload(), java.nio.charset.StandardCharsets.UTF_8).contains("\"type\":\"pong\"")) {
                return;
            }
            assertThat(f.opcode())
                    .as("no close while bob's second device talks")
                    .isNotEqualTo(0x8);
        }
    }

    @Test
    void secondDeviceKeepsBobOnline_aSilentDropTakesHimOffline_carolNeverSeesHim(@TempDir Path dir) throws Exception {
        long window = 200;
        Map<String, String> config = Map.of(
                "presence.batch-window",
                window + "ms",
                "presence.ttl",
                "2s",
                "presence.refresh-interval",
                "500ms",
                "ws.heartbeat-interval",
                "200ms",
                "ws.idle-timeout",
                "800ms",
                "presence.last-seen",
                "exact");
        // The node's time is manual: batches, refreshes, heartbeats and the idle check run when the test moves it.
        ManualScheduler time = new ManualScheduler();
        try (TestServer server = new TestServer(dir, config).on(time).start()) {
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
                server.advanceUntil(
                        Duration.ofMillis(window),
                        Duration.ofSeconds(5),
                        () -> alice.client
                                .presence("bob")
                                .map(e -> e.status().equals("online"))
                                .orElse(false),
                        "alice sees bob online");

                // Bob's second device: a bare socket that keeps talking, until it goes silent without a close frame.
                try (RawSocket bob2 = new RawSocket(server.port(), "/ws?token=" + TestServer.token("bob"))) {
                    ping(bob2);
                    for (int i = 0; i < 2; i++) {
                        step(time, Duration.ofMillis(window), bob2, alice, carol, bob1);
                    }
                    int sessions = server.server().sessionCount();
                    bob1.close();
                    // The close crosses a real socket: wait until the node has let that session go.
                    Chatter.await(
                            () -> server.server().sessionCount() < sessions,
                            Duration.ofSeconds(5),
                            "the node lets bob's first device go");
                    for (long kept = 0; kept < window * 5; kept += 100) {
                        step(time, Duration.ofMillis(100), bob2, alice, carol);
                    }
                    // A round trip on alice's connection after the last step: what that step sent her is in.
                    assertThat(alice.client.queryPresence(List.of("bob")).get(10, TimeUnit.SECONDS))
                            .extracting(ServerFrame.PresenceEntry::status)
                            .containsExactly("online");
                    assertThat(entriesFor(alice, "bob"))
                            .as("the second device keeps bob online")
                            .allSatisfy(e -> assertThat(e.status()).isEqualTo("online"));
                    assertThat(alice.client.presence("bob").orElseThrow().status())
                            .isEqualTo("online");

                    // Silence: the server's pings go unanswered; the idle timeout ends the session within the TTL.
                    long silentAt = time.clock().millis();
                    Duration heartbeat = Duration.ofMillis(200);
                    Duration silent = Duration.ZERO;
                    while (!alice.client
                            .presence("bob")
                            .map(e -> e.status().equals("offline"))
                            .orElse(false)) {
                        assertThat(silent).as("bob offline within the 2 s ttl").isLessThan(Duration.ofSeconds(2));
                        step(time, heartbeat, null, alice, carol);
                        silent = silent.plus(heartbeat);
                        Chatter.holdsWithin(
                                () -> alice.client
                                        .presence("bob")
                                        .map(e -> e.status().equals("offline"))
                                        .orElse(false),
                                Duration.ofMillis(250));
                    }
                    ServerFrame.PresenceEntry off = alice.client.presence("bob").orElseThrow();
                    long lastSeen = java.time.Instant.parse(off.lastSeen()).toEpochMilli();
                    assertThat(lastSeen)
                            .isBetween(silentAt - 1_000, time.clock().millis());
                }

                // REST and query: Alice may look Bob up; Carol shares no conversation with him.
                JsonObject bobForAlice = aliceRest.get("/api/v1/presence/bob").json();
                assertThat(bobForAlice.getString("status")).isEqualTo("offline");
                assertThat(bobForAlice.getString("lastSeen")).isNotNull();
                assertThat(aliceRest
                                .post(
                                        "/api/v1/presence/query",
                                        new JsonObject()
                                                .put(
                                                        "userIds",
                                                        new io.vertx.core.json.JsonArray()
                                                                .add("bob")
                                                                .add("carol")))
                                .json()
                                .getJsonArray("users"))
                        .hasSize(1);
                assertThat(carolRest.get("/api/v1/presence/bob").errorCode()).isEqualTo("user_not_found");
                assertThat(carol.client.queryPresence(List.of("bob")).get(10, TimeUnit.SECONDS))
                        .isEmpty();
                assertThat(entriesFor(carol, "bob"))
                        .as("carol never receives bob's presence")
                        .isEmpty();
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
        ManualScheduler time = new ManualScheduler();
        try (TestServer server = new TestServer(dir, Map.of("presence.batch-window", window + "ms"))
                .on(time)
                .start()) {
            ChatStore store = server.server().store();
            store.provisionUser("watcher").get(10, TimeUnit.SECONDS);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                ids.add("u" + i);
                store.provisionUser("u" + i).get(10, TimeUnit.SECONDS);
            }
            for (int g = 0; g < users / groupSize; g++) {
                store.createGroup(
                                "g" + g,
                                "watcher",
                                "group " + g,
                                ids.subList(g * groupSize, (g + 1) * groupSize),
                                System.currentTimeMillis())
                        .get(10, TimeUnit.SECONDS);
            }
            Vertx vertx = Vertx.vertx();
            try (Chatter watcher = Chatter.connect("watcher", server.wsUrl())) {
                FrameCodec codec = new FrameCodec();
                WebSocketClient client =
                        vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(users));
                Map<String, List<Long>> batchTimes = new ConcurrentHashMap<>();
                List<WebSocket> sockets = new CopyOnWriteArrayList<>();
                AtomicInteger failed = new AtomicInteger();
                long start = System.nanoTime();
                List<io.vertx.core.Future<WebSocket>> opening = new ArrayList<>();
                for (String u : ids) {
                    List<Long> mine = new CopyOnWriteArrayList<>();
                    batchTimes.put(u, mine);
                    opening.add(client.connect(new WebSocketConnectOptions()
                                    .setHost("127.0.0.1")
                                    .setPort(server.port())
                                    .setURI("/ws?token=" + TestServer.token(u)))
                            .onSuccess(ws -> {
                                sockets.add(ws);
                                ws.textMessageHandler(text -> {
                                    if (codec.decodeServer(text) instanceof ServerFrame.Presence) {
                                        mine.add(System.nanoTime());
                                    }
                                });
                            })
                            .onFailure(e -> failed.incrementAndGet()));
                }
                io.vertx.core.Future.join(opening)
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(failed.get()).isZero();
                System.out.printf("%d users connected in %d ms%n", users, connectMillis);

                // Everyone is online for the watcher after a few windows of the node's (manual) time.
                Duration advanced = server.advanceUntil(
                        Duration.ofMillis(window),
                        Duration.ofSeconds(20),
                        () -> {
                            Set<String> online = new HashSet<>();
                            for (ServerFrame.Presence p : watcher.signals(ServerFrame.Presence.class)) {
                                p.users().stream()
                                        .filter(e -> e.status().equals("online"))
                                        .forEach(e -> online.add(e.userId()));
                            }
                            return online.size() == users;
                        },
                        "the watcher sees all " + users + " online");
                // Two more windows, as many flushes, with nothing new to batch.
                for (int i = 0; i < 2; i++) {
                    time.advance(Duration.ofMillis(window));
                    advanced = advanced.plusMillis(window);
                }
                // A round trip on the watcher's connection: what those flushes sent it is in.
                watcher.client.queryPresence(List.of("u0")).get(10, TimeUnit.SECONDS);
                long windows = advanced.toMillis() / window + 1;

                List<Long> watcherBatches = watcher.signals.stream()
                        .filter(t -> t.frame() instanceof ServerFrame.Presence)
                        .map(Chatter.Timed::nanos)
                        .toList();
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
                System.out.printf(
                        "%d subscribers got %d presence frames in total from %d batches%n", users, total, batches);
                for (WebSocket ws : sockets) {
                    ws.close();
                }
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }
}
