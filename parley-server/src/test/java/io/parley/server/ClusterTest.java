package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.OutgoingMessage;
import io.parley.protocol.ServerFrame;
import io.parley.server.redis.RedisConnections;
import io.parley.server.redis.RedisSupport;
import io.parley.server.store.jdbc.PostgresSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on the machine's PostgreSQL (a schema of the test's own) and Redis (a key prefix of the test's own):
 * messages, typing, receipts and presence cross nodes; a Redis outage loses nothing.
 */
class ClusterTest {
    private final String schema = PostgresSupport.newSchema();

    @BeforeAll
    static void services() {
        PostgresSupport.requirePostgres();
        RedisSupport.requireRedis();
    }

    @AfterEach
    void dropSchema() {
        PostgresSupport.dropSchema(schema);
    }

    private Map<String, String> node(Path unused, String redisUrl, String prefix) {
        Map<String, String> c = new HashMap<>();
        c.put("store.url", PostgresSupport.url(schema));
        c.put("redis.url", redisUrl);
        c.put("redis.prefix", prefix);
        c.put("presence.batch-window", "100ms");
        c.put("receipts.window", "100ms");
        return c;
    }

    private static long zcard(RedisConnections r, String key) {
        try {
            return r.async().zcard(key).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("ZCARD " + key + " failed", e);
        }
    }

    private static List<String> bodies(Chatter c, String conversationId) {
        return c.messages(conversationId).stream().map(ServerFrame.Event::body).toList();
    }

    private static void assertInOrderOnce(Chatter c, String conversationId) {
        List<Long> seqs =
                c.messages(conversationId).stream().map(ServerFrame.Event::seq).toList();
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("seq order at %d", i).isGreaterThan(seqs.get(i - 1));
        }
    }

    @Test
    void messagesTypingReceiptsAndPresence_crossNodes(@TempDir Path dir) throws Exception {
        String prefix = RedisSupport.newPrefix();
        try (TestServer a = new TestServer(dir.resolve("a"), node(dir, RedisSupport.URL, prefix)).start();
                TestServer b = new TestServer(dir.resolve("b"), node(dir, RedisSupport.URL, prefix)).start()) {
            new Rest(b.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(a.httpUrl(), TestServer.token("alice")).direct("bob");
            try (Chatter alice = Chatter.connect("alice", a.wsUrl());
                    Chatter bob = Chatter.connect("bob", b.wsUrl())) {
                List<OutgoingMessage> sent = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    sent.add(alice.send(dm, "a" + i));
                    if (i % 3 == 0) {
                        sent.add(bob.send(dm, "b" + i));
                    }
                }
                CompletableFuture.allOf(
                                sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                        .get(60, TimeUnit.SECONDS);
                bob.awaitCount(dm, sent.size(), Duration.ofSeconds(20));
                alice.awaitCount(dm, sent.size(), Duration.ofSeconds(20));
                for (Chatter c : List.of(alice, bob)) {
                    assertThat(c.messages(dm)).hasSize(sent.size());
                    assertInOrderOnce(c, dm);
                }
                assertThat(bodies(bob, dm).stream()
                                .filter(x -> x.startsWith("a"))
                                .toList())
                        .isEqualTo(
                                IntStream.range(0, 300).mapToObj(i -> "a" + i).toList());

                // A group across the nodes too.
                String group = new Rest(a.httpUrl(), TestServer.token("alice")).group("both nodes", "bob");
                alice.send(group, "to the group").acked().get(10, TimeUnit.SECONDS);
                bob.send(group, "back from node b").acked().get(10, TimeUnit.SECONDS);
                bob.awaitCount(group, 2, Duration.ofSeconds(10));
                alice.awaitCount(group, 2, Duration.ofSeconds(10));
                assertThat(bodies(alice, group)).containsExactly("to the group", "back from node b");

                bob.client.typing(dm, true);
                Chatter.await(
                        () -> alice.client.typingIn(dm).contains("bob"),
                        Duration.ofSeconds(10),
                        "typing crosses nodes");
                long last = alice.messages(dm).get(sent.size() - 1).seq();
                bob.client.markRead(dm, last);
                Chatter.await(
                        () -> alice.client.readBy(dm, last).contains("bob"),
                        Duration.ofSeconds(10),
                        "receipt crosses nodes");
                Chatter.await(
                        () -> alice.client
                                .presence("bob")
                                .map(e -> e.status().equals("online"))
                                .orElse(false),
                        Duration.ofSeconds(10),
                        "presence crosses nodes");
                // Bob's device on node A keeps him online when he leaves node B.
                try (Chatter bobOnA = Chatter.connect("bob", a.wsUrl())) {
                    bob.close();
                    // Deadline poll on Redis (a real process): node B's removal of the session has reached it.
                    try (RedisConnections r = new RedisConnections(RedisSupport.URL, prefix)) {
                        String sessions = r.key("ps:bob");
                        Chatter.await(
                                () -> zcard(r, sessions) == 1,
                                Duration.ofSeconds(10),
                                "Redis holds only bob's session on node A");
                    }
                    assertThat(new Rest(a.httpUrl(), TestServer.token("alice"))
                                    .get("/api/v1/presence/bob")
                                    .json()
                                    .getString("status"))
                            .isEqualTo("online");
                    assertThat(bobOnA.client.state()).isNotNull();
                }
                Chatter.await(
                        () -> alice.client
                                .presence("bob")
                                .map(e -> e.status().equals("offline"))
                                .orElse(false),
                        Duration.ofSeconds(10),
                        "bob offline once his last device left");
            }
        } finally {
            RedisSupport.deleteKeys(RedisSupport.URL, prefix);
        }
    }

    @Test
    void redisOutage_sendsStillCommitAndAck_andTheGapClosesWhenRedisReturns(@TempDir Path dir) throws Exception {
        try (RedisSupport.Private redis = new RedisSupport.Private()) {
            String prefix = RedisSupport.newPrefix();
            try (TestServer a = new TestServer(dir.resolve("a"), node(dir, redis.url(), prefix)).start();
                    TestServer b = new TestServer(dir.resolve("b"), node(dir, redis.url(), prefix)).start()) {
                new Rest(b.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
                String dm = new Rest(a.httpUrl(), TestServer.token("alice")).direct("bob");
                try (Chatter alice = Chatter.connect("alice", a.wsUrl());
                        Chatter bob = Chatter.connect("bob", b.wsUrl())) {
                    alice.send(dm, "before").acked().get(10, TimeUnit.SECONDS);
                    bob.awaitCount(dm, 1, Duration.ofSeconds(10));

                    redis.kill();
                    assertThat(new Rest(a.httpUrl(), null).get("/health/ready").status())
                            .isEqualTo(503);
                    List<OutgoingMessage> during = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        during.add(alice.send(dm, "during" + i));
                    }
                    // Durable and acked although Redis is down.
                    CompletableFuture.allOf(
                                    during.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                            .get(30, TimeUnit.SECONDS);
                    assertThat(bob.messages(dm))
                            .as("nothing crossed while Redis was down")
                            .hasSize(1);

                    redis.start();
                    bob.awaitCount(dm, 51, Duration.ofSeconds(30));
                    assertThat(bodies(bob, dm))
                            .isEqualTo(java.util.stream.Stream.concat(
                                            java.util.stream.Stream.of("before"),
                                            IntStream.range(0, 50).mapToObj(i -> "during" + i))
                                    .toList());
                    assertInOrderOnce(bob, dm);
                    Chatter.await(
                            () -> new Rest(a.httpUrl(), null)
                                            .get("/health/ready")
                                            .status()
                                    == 200,
                            Duration.ofSeconds(10),
                            "ready again");
                    alice.send(dm, "after").acked().get(10, TimeUnit.SECONDS);
                    bob.awaitCount(dm, 52, Duration.ofSeconds(10));
                }
            }
        }
    }
}
