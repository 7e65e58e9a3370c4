package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.OutgoingMessage;
import io.parley.protocol.ServerFrame;
import io.parley.server.redis.RedisSupport;
import io.parley.server.store.jdbc.PostgresSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes on the machine's PostgreSQL and Redis behind a TCP load balancer; 20 clients write to one
 * group, and one node is killed with SIGKILL under that traffic. Every message is counted.
 */
class ClusterProcessesTest {
    private static final int CLIENTS = 20;
    /** Rounds sent slowly first so the node JVMs are warm when latency is measured. */
    private static final int WARM_ROUNDS = 6;

    private final String schema = PostgresSupport.newSchema();
    private final String prefix = RedisSupport.newPrefix();

    @BeforeAll
    static void services() {
        PostgresSupport.requirePostgres();
        RedisSupport.requireRedis();
    }

    @AfterEach
    void cleanUp() {
        PostgresSupport.dropSchema(schema);
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }

    private ServerProcess node(Path dir, int i) throws Exception {
        Path work = Files.createDirectories(dir.resolve("node" + i));
        return ServerProcess.start(
                work,
                Map.of(
                        "PARLEY_HTTP_PORT",
                        Integer.toString(ServerProcess.freePort()),
                        "PARLEY_STORE_URL",
                        PostgresSupport.url(schema),
                        "PARLEY_STORE_READERS",
                        "2",
                        "PARLEY_REDIS_URL",
                        RedisSupport.URL,
                        "PARLEY_REDIS_PREFIX",
                        prefix,
                        "PARLEY_AUTH_JWT_SECRET",
                        TestServer.SECRET));
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    @Test
    void twentyClientsOnThreeNodes_oneNodeKilledUnderTraffic_nothingLostNothingDuplicated(@TempDir Path dir)
            throws Exception {
        List<ServerProcess> nodes = new ArrayList<>();
        Vertx vertx = Vertx.vertx();
        List<Chatter> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(node(dir, i));
            }
            List<Integer> ports = nodes.stream().map(ServerProcess::port).toList();
            try (TcpBalancer lb = new TcpBalancer(vertx, ports)) {
                String http = "http://127.0.0.1:" + lb.port;
                String ws = "ws://127.0.0.1:" + lb.port + "/ws";
                List<String> users = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    users.add("c" + i);
                    new Rest(http, TestServer.token("c" + i)).get("/api/v1/me");
                }
                String group = new Rest(http, TestServer.token("c0"))
                        .group("load", users.subList(1, CLIENTS).toArray(String[]::new));
                for (String u : users) {
                    clients.add(new Chatter(u, ws, Map.of(), Duration.ofSeconds(120)));
                }
                CompletableFuture.allOf(
                                clients.stream().map(c -> c.client.connect()).toArray(CompletableFuture[]::new))
                        .get(60, TimeUnit.SECONDS);

                // Phase 1, all nodes up: 10 messages per client, one client every 25 ms (40 messages/s, 800
                // deliveries/s), for the latency figure; the first two rounds warm the JVMs up and are not counted.
                List<OutgoingMessage> sent = new ArrayList<>();
                List<Long> ackMicros = new java.util.concurrent.CopyOnWriteArrayList<>();
                for (int round = 0; round < 10; round++) {
                    for (Chatter c : clients) {
                        long t0 = System.nanoTime();
                        OutgoingMessage m = c.send(group, c.user + "-" + round + (round < WARM_ROUNDS ? "" : "@" + t0));
                        if (round >= WARM_ROUNDS) {
                            m.acked()
                                    .thenRun(
                                            () -> ackMicros.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0)));
                        }
                        sent.add(m);
                        // Pacing: real traffic to child JVMs at a fixed rate, the load the latency figure is for.
                        Thread.sleep(round < WARM_ROUNDS ? 15 : 25);
                    }
                }
                CompletableFuture.allOf(
                                sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                        .get(60, TimeUnit.SECONDS);
                for (Chatter c : clients) {
                    c.awaitCount(group, sent.size(), Duration.ofSeconds(30));
                }
                List<Long> latencies = new ArrayList<>();
                for (Chatter c : clients) {
                    c.arrivals.forEach((body, at) -> {
                        if (body.contains("@") && !body.startsWith(c.user + "-")) {
                            latencies.add(TimeUnit.NANOSECONDS.toMicros(
                                    at - Long.parseLong(body.substring(body.indexOf('@') + 1))));
                        }
                    });
                }
                latencies.sort(null);
                List<Long> acks = new ArrayList<>(ackMicros);
                acks.sort(null);
                System.out.printf(
                        "ack latency over %d sends: p50 %.2f ms, p99 %.2f ms%n",
                        acks.size(), percentile(acks, 0.50) / 1000.0, percentile(acks, 0.99) / 1000.0);
                System.out.printf(
                        "cluster delivery latency over %d deliveries (20 clients, 3 nodes, 2/3 cross-node):"
                                + " p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                        latencies.size(),
                        percentile(latencies, 0.50) / 1000.0,
                        percentile(latencies, 0.99) / 1000.0,
                        latencies.get(latencies.size() - 1) / 1000.0);

                // Phase 2: 30 more messages per client, and node 1 is killed with SIGKILL a third of the way in.
                for (int round = 10; round < 40; round++) {
                    if (round == 20) {
                        nodes.get(1).kill();
                    }
                    for (Chatter c : clients) {
                        sent.add(c.send(group, c.user + "-" + round));
                    }
                    // Pacing: the sends spread over the child node's SIGKILL, so some are in flight when it dies.
                    Thread.sleep(20);
                }
                CompletableFuture.allOf(
                                sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                        .get(120, TimeUnit.SECONDS);
                int total = CLIENTS * 40;
                for (Chatter c : clients) {
                    c.awaitCount(group, total, Duration.ofSeconds(60));
                }

                // Every client saw the same sequence: same seqs, same messages, no gap, no duplicate.
                List<String> reference = null;
                for (Chatter c : clients) {
                    List<ServerFrame.Event> got = c.messages(group);
                    assertThat(got).as(c.user).hasSize(total);
                    List<String> seqAndId =
                            got.stream().map(e -> e.seq() + ":" + e.messageId()).toList();
                    for (int i = 1; i < got.size(); i++) {
                        assertThat(got.get(i).seq())
                                .as("%s: seq after %d", c.user, got.get(i - 1).seq())
                                .isEqualTo(got.get(i - 1).seq() + 1);
                    }
                    if (reference == null) {
                        reference = seqAndId;
                    } else {
                        assertThat(seqAndId).as(c.user).isEqualTo(reference);
                    }
                }
                Set<String> expected = new HashSet<>();
                for (Chatter c : clients) {
                    for (int round = 0; round < 40; round++) {
                        expected.add(c.user + "-" + round);
                    }
                }
                Set<String> seen = new HashSet<>();
                for (ServerFrame.Event e : clients.get(0).messages(group)) {
                    String b = e.body().contains("@")
                            ? e.body().substring(0, e.body().indexOf('@'))
                            : e.body();
                    assertThat(seen.add(b)).as("duplicate %s", b).isTrue();
                }
                assertThat(seen).isEqualTo(expected);
                // The store agrees: exactly `total` messages.
                JsonArray stored = new JsonArray();
                Rest rest = new Rest(http, TestServer.token("c0"));
                Long after = 0L;
                while (true) {
                    JsonObject page = rest.get("/api/v1/conversations/" + group + "/messages?limit=200&after=" + after)
                            .json();
                    stored.addAll(page.getJsonArray("messages"));
                    if (!page.getBoolean("hasMore")) {
                        break;
                    }
                    after = page.getLong("lastSeq");
                }
                assertThat(stored).hasSize(total);
                long reconnected =
                        clients.stream().filter(c -> !c.closes.isEmpty()).count();
                System.out.printf(
                        "%d of %d clients lost their node and resumed elsewhere; %d messages, none lost or"
                                + " duplicated%n",
                        reconnected, CLIENTS, total);
                assertThat(reconnected).as("clients of the killed node").isPositive();
            }
        } finally {
            for (int i = 0; i < nodes.size(); i++) {
                String out = nodes.get(i).output.toString();
                System.out.printf(
                        "node %d output: %d lines, %d warnings%n%s%n",
                        i,
                        out.lines().count(),
                        out.lines().filter(l -> l.contains("WARN")).count(),
                        String.join(
                                "\n",
                                out.lines()
                                        .filter(l -> l.contains("WARN"))
                                        .limit(8)
                                        .toList()));
            }
            clients.forEach(Chatter::close);
            for (ServerProcess p : nodes) {
                p.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
