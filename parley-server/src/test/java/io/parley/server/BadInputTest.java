package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.CloseCodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The table of bad inputs: each gets its documented error frame or close code, the connection (for error frames) and
 * the server stay up, and another user's session keeps working.
 */
class BadInputTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static Vertx vertx;
    static String dm;
    static String othersGroup;

    @BeforeAll
    static void start() {
        server = new TestServer(
                        dir, Map.of("ws.auth-timeout", "500ms", "ws.allowed-origins", "https://chat.example.com"))
                .start();
        vertx = Vertx.vertx();
        Rest alice = new Rest(server.httpUrl(), TestServer.token("alice"));
        Rest carol = new Rest(server.httpUrl(), TestServer.token("carol"));
        new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
        new Rest(server.httpUrl(), TestServer.token("dave")).get("/api/v1/me");
        dm = alice.direct("bob");
        othersGroup = carol.group("carol and dave", "dave");
    }

    @AfterAll
    static void stop() {
        server.stop();
        vertx.close();
    }

    static Stream<Object[]> badFrames() {
        String send = "{\"type\":\"send\",\"conversationId\":\"%s\",\"clientMsgId\":\"%s\",\"body\":%s}";
        return Stream.of(
                new Object[] {"malformed JSON", "{\"type\":\"send\",", "bad_json"},
                new Object[] {"not an object", "[1,2,3]", "bad_json"},
                new Object[] {"unknown type", "{\"type\":\"teleport\"}", "unknown_type"},
                new Object[] {"missing type", "{\"body\":\"hi\"}", "missing_field"},
                new Object[] {"mistyped type", "{\"type\":7}", "invalid_field"},
                new Object[] {
                    "missing clientMsgId",
                    "{\"type\":\"send\",\"conversationId\":\"DM\",\"body\":\"x\"}",
                    "missing_field"
                },
                new Object[] {
                    "missing body",
                    "{\"type\":\"send\",\"conversationId\":\"DM\",\"clientMsgId\":\"m1\"}",
                    "missing_field"
                },
                new Object[] {
                    "mistyped clientMsgId",
                    "{\"type\":\"send\",\"conversationId\":\"DM\",\"clientMsgId\":5,\"body\":\"x\"}",
                    "invalid_field"
                },
                new Object[] {"mistyped body", String.format(send, "DM", "m2", "{\"a\":1}"), "invalid_field"},
                new Object[] {"empty body", String.format(send, "DM", "m3", "\"   \""), "body_empty"},
                new Object[] {
                    "body over the limit",
                    String.format(send, "DM", "m4", "\"" + "x".repeat(4001) + "\""),
                    "body_too_long"
                },
                new Object[] {
                    "conversation the user is not in",
                    String.format(send, "OTHERS", "m5", "\"hi\""),
                    "conversation_not_found"
                },
                new Object[] {
                    "guessed conversation id",
                    String.format(send, "c_0000000000000000000a", "m6", "\"hi\""),
                    "conversation_not_found"
                },
                new Object[] {"mistyped cursors", "{\"type\":\"sync\",\"cursors\":[1]}", "invalid_field"},
                new Object[] {"negative cursor", "{\"type\":\"sync\",\"cursors\":{\"DM\":-1}}", "invalid_field"});
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badFrames")
    void badFrame_getsDocumentedError_andConnectionAndOtherSessionsStayUp(String name, String frame, String code) {
        String text = frame.replace("\"DM\"", "\"" + dm + "\"").replace("OTHERS", othersGroup);
        try (RawWs alice = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("alice"));
                RawWs bob = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("bob"))) {
            alice.next("welcome");
            bob.next("welcome");
            alice.send(text);
            JsonObject error = alice.next("error");
            assertThat(error.getString("code")).isEqualTo(code);
            assertThat(error.getString("message")).isNotBlank();
            assertStillWorks(alice, bob);
        }
    }

    @Test
    void tenMegabyteFrame_closesWith1009_andServerStaysUp() throws Exception {
        try (RawWs bob = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("bob"));
                RawSocket peer = new RawSocket(server.port(), "/ws?token=" + TestServer.token("alice"))) {
            bob.next("welcome");
            peer.announceTextFrame(10L * 1024 * 1024, 0);
            assertThat(peer.readUntilClose().closeCode()).isEqualTo(CloseCodes.TOO_BIG);
            try (RawWs alice2 = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("alice"))) {
                alice2.next("welcome");
                assertStillWorks(alice2, bob);
            }
        }
    }

    // A refused token is closed right after the upgrade; a bare socket reads that close frame deterministically
    // (a client library may still be wiring its handlers when it arrives).
    @Test
    void invalidToken_closesWith4001() throws Exception {
        assertClosedWith4001("not-a-jwt", "malformed");
    }

    @Test
    void tokenSignedWithAnotherSecret_closesWith4001() throws Exception {
        String forged = new io.parley.server.auth.HmacJwt(
                        "another-secret-another-secret-another-secret"
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "parley",
                        null,
                        java.time.Clock.systemUTC())
                .issue("alice", java.time.Duration.ofHours(1));
        assertClosedWith4001(forged, "signature");
    }

    @Test
    void expiredToken_closesWith4001() throws Exception {
        assertClosedWith4001(TestServer.expiredToken("alice"), "expired");
    }

    private static void assertClosedWith4001(String token, String reason) throws Exception {
        try (RawSocket peer = new RawSocket(
                server.port(),
                "/ws?token=" + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8))) {
            RawSocket.Frame close = peer.readUntilClose();
            assertThat(close.closeCode()).isEqualTo(CloseCodes.UNAUTHORIZED);
            assertThat(close.closeReason()).contains(reason);
        }
    }

    @Test
    void missingToken_andNoAuthFrame_closesWith4001AfterAuthTimeout() {
        try (RawWs ws = RawWs.connect(vertx, server.port(), "/ws")) {
            assertThat(ws.closeCode()).isEqualTo(CloseCodes.UNAUTHORIZED);
            assertThat(ws.closeReason()).contains("timeout");
        }
    }

    @Test
    void frameBeforeAuth_closesWith4001() {
        try (RawWs ws = RawWs.connect(vertx, server.port(), "/ws")) {
            ws.send("{\"type\":\"ping\"}");
            assertThat(ws.closeCode()).isEqualTo(CloseCodes.UNAUTHORIZED);
        }
    }

    @Test
    void authFrame_authenticatesWithoutQueryToken() {
        try (RawWs ws = RawWs.connect(vertx, server.port(), "/ws")) {
            ws.sendJson(new JsonObject().put("type", "auth").put("token", TestServer.token("alice")));
            assertThat(ws.next("welcome").getString("userId")).isEqualTo("alice");
        }
    }

    @Test
    void forbiddenOrigin_isRefusedAtTheUpgradeWith403() {
        Throwable failure = RawWs.connectFailure(
                vertx,
                server.port(),
                "/ws?token=" + TestServer.token("alice"),
                Map.of("Origin", "https://evil.example.net"));
        assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
        assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(403);
    }

    @Test
    void allowedAndSameOrigins_areAccepted() {
        try (RawWs ws = RawWs.connect(
                vertx,
                server.port(),
                "/ws?token=" + TestServer.token("alice"),
                Map.of("Origin", "https://chat.example.com"))) {
            assertThat(ws.next("welcome").getString("userId")).isEqualTo("alice");
        }
        try (RawWs ws = RawWs.connect(
                vertx,
                server.port(),
                "/ws?token=" + TestServer.token("alice"),
                Map.of("Origin", "http://127.0.0.1:" + server.port()))) {
            assertThat(ws.next("welcome").getString("userId")).isEqualTo("alice");
        }
    }

    @Test
    void rest_nonMemberAndGuessedIds_revealNothing() {
        Rest alice = new Rest(server.httpUrl(), TestServer.token("alice"));
        for (String id : new String[] {othersGroup, "c_0000000000000000000a"}) {
            assertThat(alice.get("/api/v1/conversations/" + id).errorCode()).isEqualTo("conversation_not_found");
            Rest.Response history = alice.get("/api/v1/conversations/" + id + "/messages");
            assertThat(history.status()).isEqualTo(404);
            assertThat(history.errorCode()).isEqualTo("conversation_not_found");
            assertThat(alice.post(
                                    "/api/v1/conversations/" + id + "/messages",
                                    new JsonObject().put("clientMsgId", "r1").put("body", "hi"))
                            .errorCode())
                    .isEqualTo("conversation_not_found");
            assertThat(alice.get("/api/v1/conversations/" + id + "/members").status())
                    .isEqualTo(404);
        }
        assertThat(new Rest(server.httpUrl(), null).get("/api/v1/conversations").status())
                .isEqualTo(401);
        assertThat(new Rest(server.httpUrl(), TestServer.expiredToken("alice"))
                        .get("/api/v1/conversations")
                        .errorCode())
                .isEqualTo("unauthorized");
    }

    /** The session still answers, and a message from it reaches Bob. */
    private static void assertStillWorks(RawWs alice, RawWs bob) {
        alice.sendJson(new JsonObject().put("type", "ping").put("id", "p"));
        assertThat(alice.next("pong").getString("id")).isEqualTo("p");
        String cmid = "ok-" + System.nanoTime();
        alice.sendJson(new JsonObject()
                .put("type", "send")
                .put("conversationId", dm)
                .put("clientMsgId", cmid)
                .put("body", "still here"));
        assertThat(alice.next("ack").getString("clientMsgId")).isEqualTo(cmid);
        JsonObject event;
        do {
            event = bob.next("event");
        } while (!cmid.equals(event.getString("clientMsgId")));
        assertThat(event.getString("body")).isEqualTo("still here");
        assertThat(new Rest(server.httpUrl(), null).get("/health/ready").status())
                .isEqualTo(200);
    }
}
