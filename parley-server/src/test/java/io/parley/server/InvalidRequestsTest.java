package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regressions of what FuzzTest found: requests the router never saw were answered without the JSON error body (a bare
 * 414 for a long request line, 431 for large headers) or, for a query string with a broken percent-escape, with a
 * plain-text 400 and a stack trace at ERROR in the server log. Each is now a JSON {@code bad_request} and logs nothing.
 */
class InvalidRequestsTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static ServerLogCapture log;

    @BeforeAll
    static void start() {
        log = ServerLogCapture.install();
        server = new TestServer(dir).start();
    }

    @AfterAll
    static void stop() {
        server.stop();
        log.close();
    }

    private static void assertBadRequest(FuzzTest.Answer a, int status) {
        assertThat(a.status()).isEqualTo(status);
        assertThat(new JsonObject(a.body()).getJsonObject("error").getString("code"))
                .isEqualTo("bad_request");
    }

    @Test
    void brokenPercentEscapeInTheQuery_isAJsonBadRequest_withoutAStackTrace() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + TestServer.token("ann"));
        for (String target : new String[] {
            "/api/v1/conversations?x=%zz", "/api/v1/conversations?x=%", "/api/v1/presence/ann?limit=1&y=%e2%8"
        }) {
            assertBadRequest(FuzzTest.raw(server.port(), "GET", target, auth, null), 400);
        }
        // Without a token and outside /api/v1 too: the check runs before the router.
        assertBadRequest(FuzzTest.raw(server.port(), "GET", "/health/live?x=%zz", Map.of(), null), 400);
        assertThat(log.stackTraces()).isEmpty();
        // The connection's neighbours are unaffected: a valid query still works.
        assertThat(FuzzTest.raw(server.port(), "GET", "/api/v1/conversations?x=%41", auth, null)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void loginWithAPasswordOverBcryptsLimit_isBadCredentials_withoutAStackTrace() {
        Rest anon = new Rest(server.httpUrl(), null);
        assertThat(anon.post(
                                "/api/v1/auth/register",
                                new JsonObject().put("username", "longpw").put("password", "short-password"))
                        .status())
                .isEqualTo(201);
        for (String user : new String[] {"longpw", "nosuchuser"}) {
            Rest.Response r = anon.post(
                    "/api/v1/auth/login", new JsonObject().put("username", user).put("password", "p".repeat(129)));
            assertThat(r.status()).as(r.toString()).isEqualTo(401);
            assertThat(r.errorCode()).isEqualTo("bad_credentials");
        }
        // A 72-byte password (the longest registration takes) registers and logs in.
        String longest = "q".repeat(72);
        assertThat(anon.post(
                                "/api/v1/auth/register",
                                new JsonObject().put("username", "maxpw").put("password", longest))
                        .status())
                .isEqualTo(201);
        assertThat(anon.post(
                                "/api/v1/auth/login",
                                new JsonObject().put("username", "maxpw").put("password", longest))
                        .status())
                .isEqualTo(200);
        assertThat(log.stackTraces()).isEmpty();
    }

    @Test
    void requestLineOverTheLimit_isA414WithTheJsonErrorBody() throws Exception {
        assertBadRequest(
                FuzzTest.raw(server.port(), "GET", "/api/v1/conversations/" + "z".repeat(70_000), Map.of(), null), 414);
    }

    @Test
    void headersOverTheLimit_areA431WithTheJsonErrorBody() throws Exception {
        assertBadRequest(
                FuzzTest.raw(server.port(), "GET", "/health/live", Map.of("X-Big", "h".repeat(20_000)), null), 431);
        assertThat(log.stackTraces()).isEmpty();
    }
}
