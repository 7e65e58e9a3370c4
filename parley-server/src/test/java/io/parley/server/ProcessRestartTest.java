package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.MessageState;
import io.parley.client.OutgoingMessage;
import io.parley.protocol.ServerFrame;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server as a real process: killed and restarted on the same data, and run with defaults as the README says. */
class ProcessRestartTest {

    @Test
    void serverKilledAndRestarted_whileClientsConnected_clientsReconnectAndLoseNothing(@TempDir Path dir)
            throws Exception {
        int port = ServerProcess.freePort();
        Map<String, String> env = Map.of(
                "PARLEY_HTTP_PORT",
                Integer.toString(port),
                "PARLEY_DATA_DIR",
                dir.resolve("data").toString(),
                "PARLEY_AUTH_JWT_SECRET",
                TestServer.SECRET,
                "PARLEY_AUTH_BCRYPT_COST",
                "4");
        String base = "http://127.0.0.1:" + port;
        String ws = "ws://127.0.0.1:" + port + "/ws";
        List<OutgoingMessage> sent = new ArrayList<>();
        ServerProcess first = ServerProcess.start(dir, env);
        try {
            new Rest(base, TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(base, TestServer.token("alice")).direct("bob");
            try (Chatter alice = Chatter.connect("alice", ws);
                    Chatter bob = Chatter.connect("bob", ws)) {
                for (int i = 0; i < 100; i++) {
                    sent.add(alice.send(dm, "before-" + i));
                }
                CompletableFuture.allOf(
                                sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                        .get(30, TimeUnit.SECONDS);
                // Kill while more sends are on their way: some may be committed without their ack arriving.
                for (int i = 0; i < 50; i++) {
                    sent.add(alice.send(dm, "during-" + i));
                }
                first.kill();
                for (int i = 0; i < 50; i++) {
                    sent.add(alice.send(dm, "down-" + i));
                }
                try (ServerProcess second = ServerProcess.start(dir, env)) {
                    CompletableFuture.allOf(
                                    sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                            .get(60, TimeUnit.SECONDS);
                    assertThat(sent).allMatch(m -> m.state() == MessageState.SENT);
                    bob.awaitCount(dm, 200, Duration.ofSeconds(30));
                    List<String> bodies = bob.messages(dm).stream()
                            .map(ServerFrame.Event::body)
                            .toList();
                    assertThat(bodies).hasSize(200).doesNotHaveDuplicates();
                    assertThat(bodies)
                            .isEqualTo(sent.stream().map(OutgoingMessage::body).toList());
                    List<Long> seqs = bob.messages(dm).stream()
                            .map(ServerFrame.Event::seq)
                            .toList();
                    for (int i = 1; i < seqs.size(); i++) {
                        assertThat(seqs.get(i)).isEqualTo(seqs.get(i - 1) + 1);
                    }
                    JsonObject history = new Rest(base, TestServer.token("bob"))
                            .get("/api/v1/conversations/" + dm + "/messages?limit=200")
                            .json();
                    long stored = history.getJsonArray("messages").size();
                    assertThat(stored).as("stored exactly once each").isEqualTo(200);
                    assertThat(second.terminate()).as("%s", second.output).isTrue();
                }
            }
        } finally {
            first.close();
        }
    }

    @Test
    void defaultRun_keepsDataUnderDotData_andItSurvivesARestart(@TempDir Path workDir) throws Exception {
        int port = ServerProcess.freePort();
        // Only the port is set (8080 may be taken on a test machine); everything else is the default.
        Map<String, String> env = Map.of("PARLEY_HTTP_PORT", Integer.toString(port));
        String base = "http://127.0.0.1:" + port;
        JsonObject account = new JsonObject().put("username", "operator").put("password", "operator-password");
        String conversation;
        try (ServerProcess p = ServerProcess.start(workDir, env)) {
            Rest anon = new Rest(base, null);
            assertThat(anon.get("/health/ready").status()).isEqualTo(200);
            assertThat(anon.post("/api/v1/auth/register", account).status()).isEqualTo(201);
            assertThat(anon.post(
                                    "/api/v1/auth/register",
                                    new JsonObject().put("username", "friend").put("password", "friend-password"))
                            .status())
                    .isEqualTo(201);
            Rest op = new Rest(
                    base, anon.post("/api/v1/auth/login", account).json().getString("token"));
            conversation = op.post(
                            "/api/v1/conversations",
                            new JsonObject().put("type", "direct").put("username", "friend"))
                    .json()
                    .getString("id");
            assertThat(op.post(
                                    "/api/v1/conversations/" + conversation + "/messages",
                                    new JsonObject().put("clientMsgId", "k1").put("body", "kept"))
                            .status())
                    .isEqualTo(201);
            assertThat(p.terminate()).as("%s", p.output).isTrue();
        }
        assertThat(workDir.resolve("data/parley.db")).exists();
        assertThat(workDir.resolve("data/jwt-secret")).exists();
        try (ServerProcess p = ServerProcess.start(workDir, env)) {
            Rest anon = new Rest(base, null);
            String token = anon.post("/api/v1/auth/login", account).json().getString("token");
            JsonObject history = new Rest(base, token)
                    .get("/api/v1/conversations/" + conversation + "/messages")
                    .json();
            assertThat(history.getJsonArray("messages").stream().map(e -> ((JsonObject) e).getString("body")))
                    .contains("kept");
            p.terminate();
        }
        try (var entries = Files.list(workDir)) {
            assertThat(entries.map(f -> f.getFileName().toString())).containsExactly("data");
        }
    }
}
