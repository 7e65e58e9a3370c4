package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.CloseCodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits and connection admission on a real node (docs/protocol.md "Rate limits", docs/api.md "Rate limits"):
 * what is refused, with which code and delay, that nothing refused was done, and that the connection stays usable.
 */
class RateLimitTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private Vertx vertx;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static JsonObject send(String conversationId, String clientMsgId) {
        return new JsonObject()
                .put("type", "send")
                .put("conversationId", conversationId)
                .put("clientMsgId", clientMsgId)
                .put("body", "hello " + clientMsgId);
    }

    @Test
    void sendsOverTheConversationsBucket_areRateLimitedWithRetryAfter_andNothingOfThemIsStored() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("rate.send", "3/1m")).start()) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            Rest alice = new Rest(server.httpUrl(), TestServer.token("alice"));
            String dm = alice.direct("bob");
            String group = alice.group("g", "bob");
            try (RawWs ws = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("alice"))) {
                ws.next("welcome");
                for (int i = 0; i < 5; i++) {
                    ws.sendJson(send(dm, "m" + i));
                }
                List<String> acked = new ArrayList<>();
                List<JsonObject> limited = new ArrayList<>();
                while (acked.size() + limited.size() < 5) {
                    JsonObject f = ws.next();
                    if ("ack".equals(f.getString("type"))) {
                        acked.add(f.getString("clientMsgId"));
                    } else if ("error".equals(f.getString("type"))) {
                        limited.add(f);
                    }
                }
                assertThat(acked).containsExactly("m0", "m1", "m2");
                assertThat(limited).extracting(f -> f.getString("ref")).containsExactly("m3", "m4");
                for (JsonObject e : limited) {
                    assertThat(e.getString("code")).isEqualTo("rate_limited");
                    // 3 per minute: the next token comes within 20 s.
                    assertThat(e.getLong("retryAfterMs")).isBetween(1L, 20_000L);
                }
                // Another conversation has a bucket of its own; the connection is still usable.
                ws.sendJson(send(group, "g0"));
                assertThat(ws.next("ack").getString("clientMsgId")).isEqualTo("g0");
                ws.sendJson(new JsonObject().put("type", "ping").put("id", "p1"));
                assertThat(ws.next("pong").getString("id")).isEqualTo("p1");
            }
            Rest.Response history = alice.get("/api/v1/conversations/" + dm + "/messages");
            assertThat(history.json().getJsonArray("messages")).hasSize(3);
            String text = scrape(server);
            assertThat(value(text, "parley_rate_limited_total", "limit=\"send\""))
                    .isEqualTo(2);
        }
    }

    @Test
    void typingOverTheUsersBucket_isRateLimited_withItsRef() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("rate.typing", "2/1m")).start()) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            try (RawWs ws = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("alice"))) {
                ws.next("welcome");
                for (int i = 0; i < 3; i++) {
                    ws.sendJson(new JsonObject()
                            .put("type", "typing")
                            .put("conversationId", dm)
                            .put("active", true));
                }
                JsonObject e = ws.next("error");
                assertThat(e.getString("code")).isEqualTo("rate_limited");
                assertThat(e.getString("ref")).isEqualTo("typing");
                assertThat(e.getLong("retryAfterMs")).isPositive();
            }
        }
    }

    @Test
    void restRequestsOverTheUsersBucket_get429WithRetryAfter() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("rate.rest", "3/1m")).start()) {
            Rest alice = new Rest(server.httpUrl(), TestServer.token("alice"));
            for (int i = 0; i < 3; i++) {
                assertThat(alice.get("/api/v1/me").status()).isEqualTo(200);
            }
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(server.httpUrl() + "/api/v1/me"))
                            .header("Authorization", "Bearer " + TestServer.token("alice"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()))
                    .isBetween(1L, 20L);
            assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code"))
                    .isEqualTo("rate_limited");
            // Through the checked client too: the OpenAPI document describes the 429.
            assertThat(alice.get("/api/v1/me").errorCode()).isEqualTo("rate_limited");
            // Another user's bucket is full.
            assertThat(new Rest(server.httpUrl(), TestServer.token("bob"))
                            .get("/api/v1/me")
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void loginsPerUsername_areLimitedBeforeAnyPasswordIsHashed_andEveryLoginHashesOnceKnownUserOrNot()
            throws Exception {
        try (TestServer server =
                new TestServer(dir, Map.of("rate.login-username", "3/1m", "rate.login-address", "100/1m")).start()) {
            Rest anon = new Rest(server.httpUrl(), null);
            JsonObject alice = new JsonObject().put("username", "alice").put("password", "correct horse");
            assertThat(anon.post("/api/v1/auth/register", alice).status()).isEqualTo(201);
            double before = value(scrape(server), "parley_password_verifications_total", null);
            JsonObject wrong = alice.copy().put("password", "wrong password");
            assertThat(anon.post("/api/v1/auth/login", wrong).errorCode()).isEqualTo("bad_credentials");
            JsonObject unknown = new JsonObject().put("username", "nobody").put("password", "whatever1");
            assertThat(anon.post("/api/v1/auth/login", unknown).errorCode()).isEqualTo("bad_credentials");
            // One bcrypt verification each: a wrong password and an unknown user cost the same.
            assertThat(value(scrape(server), "parley_password_verifications_total", null))
                    .isEqualTo(before + 2);
            assertThat(anon.post("/api/v1/auth/login", alice).status()).isEqualTo(200);
            // alice's bucket: the registration, the wrong and the right password; the 4th is refused unhashed.
            Rest.Response refused = anon.post("/api/v1/auth/login", alice);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.errorCode()).isEqualTo("rate_limited");
            assertThat(value(scrape(server), "parley_password_verifications_total", null))
                    .isEqualTo(before + 3);
            // Other usernames have buckets of their own.
            assertThat(anon.post("/api/v1/auth/login", unknown).errorCode()).isEqualTo("bad_credentials");
        }
    }

    @Test
    void loginsPerAddress_areLimitedAcrossUsernames() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("rate.login-address", "2/1m")).start()) {
            Rest anon = new Rest(server.httpUrl(), null);
            for (int i = 0; i < 2; i++) {
                JsonObject guess = new JsonObject().put("username", "user" + i).put("password", "guess1234");
                assertThat(anon.post("/api/v1/auth/login", guess).errorCode()).isEqualTo("bad_credentials");
            }
            JsonObject third = new JsonObject().put("username", "user9").put("password", "guess1234");
            assertThat(anon.post("/api/v1/auth/login", third).errorCode()).isEqualTo("rate_limited");
            assertThat(anon.post("/api/v1/auth/register", third).errorCode()).isEqualTo("rate_limited");
        }
    }

    @Test
    void connectionsOverTheConnectRate_areClosedWith1013AndARetryDelaySpreadOverTheWindow() throws Exception {
        try (TestServer server =
                new TestServer(dir, Map.of("ws.connect-rate", "1/1m", "ws.admission-window", "5s")).start()) {
            try (RawWs first = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("alice"))) {
                first.next("welcome");
                try (RawWs second = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("bob"))) {
                    assertThat(second.closeCode()).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
                    // The next token in at most 60 s, plus up to the 5 s window.
                    assertThat(CloseCodes.retryAfterMs(second.closeReason())).isBetween(1L, 65_000L);
                }
                // The admitted session is untouched.
                first.sendJson(new JsonObject().put("type", "ping").put("id", "p"));
                assertThat(first.next("pong").getString("id")).isEqualTo("p");
            }
            assertThat(value(scrape(server), "parley_websocket_admission_refused_total", "reason=\"connect-rate\""))
                    .isEqualTo(1);
        }
    }

    private static String scrape(TestServer server) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(server.httpUrl() + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of {@code series} whose labels contain {@code label} (any labels when null). */
    private static double value(String text, String series, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(text);
        while (m.find()) {
            if (label == null || (m.group(1) != null && m.group(1).contains(label))) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no series " + series + " " + label);
    }
}
