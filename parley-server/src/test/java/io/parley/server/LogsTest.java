package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's log as an operator's log shipper reads it: a real process whose stderr is a pipe (so
 * {@code log.format=auto} chooses JSON lines), every line parsed.
 */
class LogsTest {
    private static final String PASSWORD = "alice-real-password-9f3k";
    private static final String WRONG_PASSWORD = "wrong-password-x7q2m";
    private static final String BAD_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.forged-signature-k2v9";

    /** The lines Main itself prints to stdout (merged with stderr by ServerProcess); everything else is the log. */
    private static final Set<String> MAIN_LINES = Set.of("Parley listening on ", "Parley stopped");

    @Test
    void notOnATerminal_linesAreJson_withAuthFailuresRequestsAndDeliveries_andLevelsPerLogger(@TempDir Path dir)
            throws Exception {
        int port = ServerProcess.freePort();
        Map<String, String> env = Map.of(
                "PARLEY_HTTP_PORT", Integer.toString(port),
                "PARLEY_DATA_DIR", dir.resolve("data").toString(),
                "PARLEY_AUTH_JWT_SECRET", TestServer.SECRET,
                "PARLEY_AUTH_BCRYPT_COST", "4",
                "PARLEY_LOG_DELIVERED_SAMPLE", "1",
                // Request lines are debug: on for this logger only. The node's own info lines are turned off.
                "PARLEY_LOG_LEVEL_IO_PARLEY_ACCESS", "debug",
                "PARLEY_LOG_LEVEL_IO_PARLEY_SERVER", "warn");
        String base = "http://127.0.0.1:" + port;
        List<JsonObject> lines;
        String dm;
        try (ServerProcess server = ServerProcess.start(dir, env)) {
            Rest anonymous = new Rest(base, null);
            assertThat(anonymous
                            .post(
                                    "/api/v1/auth/register",
                                    new JsonObject().put("username", "alice").put("password", PASSWORD))
                            .status())
                    .isEqualTo(201);
            assertThat(anonymous
                            .post(
                                    "/api/v1/auth/login",
                                    new JsonObject().put("username", "alice").put("password", WRONG_PASSWORD))
                            .status())
                    .isEqualTo(401);
            assertThat(new Rest(base, BAD_TOKEN).get("/api/v1/me").status()).isEqualTo(401);
            assertThat(wsCloseCode("ws://127.0.0.1:" + port + "/ws?token=" + BAD_TOKEN))
                    .isEqualTo(4001);

            new Rest(base, TestServer.token("bob")).get("/api/v1/me");
            dm = new Rest(base, TestServer.token("carol")).direct("bob");
            try (Chatter carol = Chatter.connect("carol", "ws://127.0.0.1:" + port + "/ws");
                    Chatter bob = Chatter.connect("bob", "ws://127.0.0.1:" + port + "/ws")) {
                carol.send(dm, "hello").acked().get(10, TimeUnit.SECONDS);
                bob.awaitCount(dm, 1, Duration.ofSeconds(10));
            }
            // The sampled line is written once every local session was handed the message, which can be after bob
            // read it (carol's session is on another loop): waited for, then checked below with the rest.
            Poll.until(
                    () -> server.output.toString().contains("message_delivered"),
                    Duration.ofSeconds(10),
                    "the sampled message_delivered line");
            assertThat(server.terminate()).isTrue();
            lines = parse(server.output.toString());
        }

        for (JsonObject line : lines) {
            assertThat(line.getString("ts"))
                    .as("%s", line)
                    .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(line.getString("level")).as("%s", line).isIn("error", "warn", "info", "debug", "trace");
            assertThat(line.getString("logger")).as("%s", line).isNotNull();
            assertThat(line.getString("msg")).as("%s", line).isNotNull();
        }
        String all = lines.toString();
        assertThat(all).doesNotContain(PASSWORD).doesNotContain(WRONG_PASSWORD).doesNotContain(BAD_TOKEN);
        assertThat(all).doesNotContain("forged-signature");

        assertThat(fields(lines, "io.parley.auth", "auth_failure"))
                .anySatisfy(f -> {
                    assertThat(f.getString("kind")).isEqualTo("login");
                    assertThat(f.getString("username")).isEqualTo("alice");
                    assertThat(f.getString("reason")).isEqualTo("wrong username or password");
                    assertThat(f.getString("remote")).isEqualTo("127.0.0.1");
                })
                .anySatisfy(f -> {
                    assertThat(f.getString("kind")).isEqualTo("token");
                    assertThat(f.getString("transport")).isEqualTo("rest");
                    assertThat(f.getString("reason")).isEqualTo("bad signature");
                })
                .anySatisfy(f -> {
                    assertThat(f.getString("kind")).isEqualTo("token");
                    assertThat(f.getString("transport")).isEqualTo("ws");
                    assertThat(f.getString("reason")).isEqualTo("bad signature");
                });

        assertThat(fields(lines, "io.parley.access", "http_request"))
                .anySatisfy(f -> {
                    assertThat(f.getString("method")).isEqualTo("POST");
                    assertThat(f.getString("path")).isEqualTo("/api/v1/auth/login");
                    assertThat(f.getInteger("status")).isEqualTo(401);
                    assertThat(f.getDouble("duration_ms")).isGreaterThanOrEqualTo(0);
                    assertThat(f.containsKey("user")).isTrue();
                    assertThat(f.getValue("user")).isNull();
                })
                .anySatisfy(f -> {
                    assertThat(f.getString("path")).isEqualTo("/api/v1/me");
                    assertThat(f.getInteger("status")).isEqualTo(200);
                    assertThat(f.getString("user")).isEqualTo("bob");
                });

        assertThat(fields(lines, "io.parley.delivery", "message_delivered"))
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.getString("conversation")).isEqualTo(dm);
                    assertThat(f.getLong("seq")).isPositive();
                    assertThat(f.getString("message_id")).startsWith("m_");
                    assertThat(f.getLong("latency_ms")).isBetween(0L, 10_000L);
                    assertThat(f.getInteger("recipients")).isEqualTo(2);
                    assertThat(f.getInteger("sessions")).isEqualTo(2);
                });

        // log.level.io.parley.server=warn: the node's "listening" info line is not there, the auth lines (another
        // logger, at the default info) are.
        assertThat(lines)
                .noneMatch(l -> l.getString("logger").startsWith("io.parley.server")
                        && l.getString("level").equals("info"));
    }

    /** The fields of every line of {@code logger} with {@code msg}. */
    private static List<JsonObject> fields(List<JsonObject> lines, String logger, String msg) {
        return lines.stream()
                .filter(l -> logger.equals(l.getString("logger")) && msg.equals(l.getString("msg")))
                .map(l -> l.getJsonObject("fields"))
                .toList();
    }

    /** Every line of the process's output but Main's own, each of which must be one JSON object. */
    private static List<JsonObject> parse(String output) {
        List<JsonObject> out = new ArrayList<>();
        for (String line : output.split("\n", -1)) {
            if (line.isEmpty() || MAIN_LINES.stream().anyMatch(line::startsWith)) {
                continue;
            }
            try {
                out.add(new JsonObject(line));
            } catch (DecodeException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    /** Connects with the JDK's WebSocket client and returns the close code the server sends. */
    private static int wsCloseCode(String url) throws Exception {
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.completeExceptionally(error);
                    }
                })
                .get(10, TimeUnit.SECONDS);
        try {
            return closed.get(10, TimeUnit.SECONDS);
        } finally {
            ws.abort();
        }
    }
}
