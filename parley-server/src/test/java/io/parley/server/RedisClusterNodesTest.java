package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.OutgoingMessage;
import io.parley.protocol.ServerFrame;
import io.parley.server.redis.RedisClusterProcesses;
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
 * Two nodes on PostgreSQL (a schema of the test's own) and a real Redis Cluster of the test's own (3 masters, 3
 * replicas, {@link RedisClusterProcesses}): messages and presence cross nodes over sharded pub/sub, and a master
 * failover (CLUSTER FAILOVER on a replica) in the middle of a stream of sends loses nothing and duplicates nothing:
 * every send commits and is acked, the receiving sessions resync, and the receiver ends with every message once, in
 * order.
 */
class RedisClusterNodesTest {
    private final String schema = PostgresSupport.newSchema();

    @BeforeAll
    static void services() {
        PostgresSupport.requirePostgres();
    }

    @AfterEach
    void dropSchema() {
        PostgresSupport.dropSchema(schema);
    }

    private Map<String, String> node(String redisUrl) {
        Map<String, String> c = new HashMap<>();
        c.put("store.url", PostgresSupport.url(schema));
        c.put("redis.url", redisUrl);
        c.put("redis.prefix", "cluster-nodes");
        c.put("presence.batch-window", "100ms");
        return c;
    }

    @Test
    void masterFailover_underSends_everyMessageCommitsAndArrivesOnceInOrder(@TempDir Path dir) throws Exception {
        try (RedisClusterProcesses cluster = new RedisClusterProcesses();
                TestServer a = new TestServer(dir.resolve("a"), node(cluster.url())).start();
                TestServer b = new TestServer(dir.resolve("b"), node(cluster.url())).start()) {
            new Rest(b.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(a.httpUrl(), TestServer.token("alice")).direct("bob");
            try (Chatter alice = Chatter.connect("alice", a.wsUrl());
                    Chatter bob = Chatter.connect("bob", b.wsUrl())) {
                alice.send(dm, "before").acked().get(10, TimeUnit.SECONDS);
                bob.awaitCount(dm, 1, Duration.ofSeconds(10));
                Chatter.await(
                        () -> alice.client
                                .presence("bob")
                                .map(e -> e.status().equals("online"))
                                .orElse(false),
                        Duration.ofSeconds(10),
                        "presence crosses nodes on the cluster");

                int n = 150;
                List<OutgoingMessage> sent = new ArrayList<>();
                Thread failover =
                        new Thread(() -> cluster.failOver(cluster.masters().get(0)), "failover");
                for (int i = 0; i < n; i++) {
                    sent.add(alice.send(dm, "m" + i));
                    if (i == 30) {
                        failover.start();
                    }
                    // Pacing of real traffic to real processes: the stream spans the failover (a few seconds).
                    Thread.sleep(20);
                }
                failover.join(60_000);
                assertThat(failover.isAlive()).as("failover done").isFalse();
                CompletableFuture.allOf(
                                sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                        .get(60, TimeUnit.SECONDS);
                alice.send(dm, "after").acked().get(10, TimeUnit.SECONDS);

                bob.awaitCount(dm, n + 2, Duration.ofSeconds(30));
                List<ServerFrame.Event> got = bob.messages(dm);
                assertThat(got.stream().map(ServerFrame.Event::body).toList())
                        .as("every message once, in order")
                        .isEqualTo(java.util.stream.Stream.concat(
                                        java.util.stream.Stream.concat(
                                                java.util.stream.Stream.of("before"),
                                                IntStream.range(0, n).mapToObj(i -> "m" + i)),
                                        java.util.stream.Stream.of("after"))
                                .toList());
                for (int i = 1; i < got.size(); i++) {
                    assertThat(got.get(i).seq()).isGreaterThan(got.get(i - 1).seq());
                }
            }
        }
    }
}
