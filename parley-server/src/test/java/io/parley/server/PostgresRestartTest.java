package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.OutgoingMessage;
import io.parley.protocol.ServerFrame;
import io.parley.server.store.jdbc.PostgresSupport;
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
 * The machine's PostgreSQL is restarted (pg_ctlcluster, as the machine's services are managed) while Alice sends:
 * nothing is acked that was not committed, the SDK's retries succeed once it is back, and nothing is lost.
 */
class PostgresRestartTest {
    private final String schema = PostgresSupport.newSchema();

    @BeforeAll
    static void postgres() {
        PostgresSupport.requirePostgres();
    }

    @AfterEach
    void drop() {
        PostgresSupport.dropSchema(schema);
    }

    private static List<String> restartCommand() throws Exception {
        Path etc = Path.of("/etc/postgresql");
        boolean available = Files.isDirectory(etc)
                && new ProcessBuilder("sh", "-c", "command -v pg_ctlcluster")
                                .start()
                                .waitFor()
                        == 0;
        if (!available) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true: pg_ctlcluster is needed to restart PostgreSQL");
            }
            org.junit.jupiter.api.Assumptions.abort("no pg_ctlcluster here; skipped outside CI");
        }
        String version;
        try (var versions = Files.list(etc)) {
            version = versions.map(p -> p.getFileName().toString())
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
        return List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast");
    }

    @Test
    void postgresRestartedUnderTraffic_noAckWithoutCommit_retriesSucceed_nothingLost(@TempDir Path dir)
            throws Exception {
        List<String> restart = restartCommand();
        try (TestServer server = new TestServer(dir, Map.of("store.url", PostgresSupport.url(schema))).start()) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            try (Chatter alice = new Chatter("alice", server.wsUrl(), Map.of(), Duration.ofSeconds(90));
                    Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                alice.client.connect().get(20, TimeUnit.SECONDS);
                List<OutgoingMessage> sent = new ArrayList<>();
                CompletableFuture<Integer> restarted = null;
                for (int i = 0; i < 150; i++) {
                    if (i == 40) {
                        restarted = CompletableFuture.supplyAsync(() -> {
                            try {
                                return new ProcessBuilder(restart)
                                        .inheritIO()
                                        .start()
                                        .waitFor();
                            } catch (Exception e) {
                                throw new IllegalStateException("restart failed", e);
                            }
                        });
                    }
                    sent.add(alice.send(dm, "m" + i));
                    // Pacing: real sends spread over the PostgreSQL restart (a real process), so some meet it down.
                    Thread.sleep(20);
                }
                assertThat(restarted.get(60, TimeUnit.SECONDS))
                        .as("pg_ctlcluster exit code")
                        .isZero();
                CompletableFuture.allOf(
                                sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                        .get(90, TimeUnit.SECONDS);
                bob.awaitCount(dm, 150, Duration.ofSeconds(30));

                List<ServerFrame.Event> got = bob.messages(dm);
                assertThat(got.stream().map(ServerFrame.Event::body).toList())
                        .containsExactlyInAnyOrderElementsOf(
                                sent.stream().map(OutgoingMessage::body).toList());
                Set<Long> seqs = new HashSet<>();
                for (OutgoingMessage m : sent) {
                    assertThat(seqs.add(m.ack().seq()))
                            .as("one seq per message")
                            .isTrue();
                }
                // Everything acked is stored, once.
                JsonObject page = new Rest(server.httpUrl(), TestServer.token("bob"))
                        .get("/api/v1/conversations/" + dm + "/messages?limit=200")
                        .json();
                assertThat(page.getJsonArray("messages")).hasSize(150);
                Set<String> storedIds = new HashSet<>();
                page.getJsonArray("messages").forEach(o -> storedIds.add(((JsonObject) o).getString("clientMsgId")));
                assertThat(storedIds)
                        .containsExactlyInAnyOrderElementsOf(
                                sent.stream().map(OutgoingMessage::clientMsgId).toList());
                System.out.printf(
                        "PostgreSQL restarted under traffic: 150 sent, 150 acked and stored, %d client "
                                + "reconnects%n",
                        alice.closes.size());
            }
        }
    }
}
