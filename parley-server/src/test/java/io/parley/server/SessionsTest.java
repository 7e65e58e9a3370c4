package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.CloseCodes;
import io.parley.server.auth.HmacJwt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device sessions on one node (issue 15 item 1): a login opens a session whose short-lived access token carries its
 * id; refresh tokens rotate and a replayed one revokes the session; listing, signing one out, logout, logout
 * everywhere and a password change; a revoked session's socket is closed with 4003 and its tokens refused. The
 * revocation reaches the sockets through the close signal, at once: these tests never move the node's clock, so the
 * store's log poll (auth.Revocations.POLL) cannot be what closed them.
 */
class SessionsTest {
    @TempDir
    Path dir;

    private TestServer server;
    private Rest anon;

    @BeforeEach
    void start() {
        server = new TestServer(dir.resolve("data"))
                .on(new io.parley.server.time.ManualScheduler())
                .start();
        anon = new Rest(server.httpUrl(), null);
        assertThat(anon.post("/api/v1/auth/register", credentials("alice").put("deviceName", "phone"))
                        .status())
                .isEqualTo(201);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private static JsonObject credentials(String name) {
        return new JsonObject().put("username", name).put("password", name + "-pass");
    }

    private JsonObject login(String device) {
        Rest.Response r = anon.post("/api/v1/auth/login", credentials("alice").put("deviceName", device));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private Rest as(JsonObject login) {
        return new Rest(server.httpUrl(), login.getString("token"));
    }

    private static boolean closedWith(Chatter c, int code) {
        return c.closes.stream().anyMatch(x -> x.startsWith(code + " "));
    }

    @Test
    void login_opensASession_whoseAccessTokenCarriesItsId_andListsIt() throws Exception {
        JsonObject laptop = login("laptop");

        assertThat(laptop.getString("refreshToken")).startsWith("rt_");
        String sid = laptop.getString("sessionId");
        assertThat(com.nimbusds.jwt.SignedJWT.parse(laptop.getString("token"))
                        .getJWTClaimsSet()
                        .getStringClaim("sid"))
                .isEqualTo(sid);
        JsonArray sessions = as(laptop).get("/api/v1/sessions").json().getJsonArray("sessions");
        assertThat(sessions).hasSize(2);
        JsonObject mine = sessions.stream()
                .map(JsonObject.class::cast)
                .filter(s -> s.getString("id").equals(sid))
                .findFirst()
                .orElseThrow();
        assertThat(mine.getString("name")).isEqualTo("laptop");
        assertThat(mine.getBoolean("current")).isTrue();
        assertThat(mine.getString("ip")).isEqualTo("127.0.0.1");
        assertThat(mine.getString("userAgent")).isNotBlank();
    }

    @Test
    void refresh_rotates_andReplayingTheOldToken_revokesTheSession_closesItsSocket_andRefusesItsTokens() {
        JsonObject first = login("laptop");
        Rest.Response rotated = anon.post(
                "/api/v1/auth/refresh", new JsonObject().put("refreshToken", first.getString("refreshToken")));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        JsonObject second = rotated.json();
        assertThat(second.getString("sessionId")).isEqualTo(first.getString("sessionId"));
        assertThat(second.getString("refreshToken")).isNotEqualTo(first.getString("refreshToken"));
        assertThat(as(second).get("/api/v1/me").status()).isEqualTo(200);

        try (Chatter ws = Chatter.connectWith("alice", server.wsUrl(), second.getString("token"))) {
            // Past auth.refresh-reuse-grace (30 s): a replay now is no lost answer.
            server.time().advance(Duration.ofSeconds(30));
            Rest.Response replay = anon.post(
                    "/api/v1/auth/refresh", new JsonObject().put("refreshToken", first.getString("refreshToken")));

            assertThat(replay.status()).isEqualTo(401);
            assertThat(replay.errorCode()).isEqualTo("refresh_token_reused");
            Chatter.await(() -> closedWith(ws, CloseCodes.SESSION_REVOKED), Duration.ofSeconds(1), "4003");
            assertThat(ws.closes.get(0)).isEqualTo("4003 session revoked");
        }
        Rest.Response refused = as(second).get("/api/v1/me");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.errorCode()).isEqualTo("session_revoked");
        Rest.Response newest = anon.post(
                "/api/v1/auth/refresh", new JsonObject().put("refreshToken", second.getString("refreshToken")));
        assertThat(newest.errorCode())
                .as("the whole family is revoked, the newest token too")
                .isEqualTo("session_revoked");
    }

    @Test
    void refresh_presentedAgainWithinTheGrace_answersAnotherPair_andTheSessionLives() {
        JsonObject first = login("laptop");
        JsonObject body = new JsonObject().put("refreshToken", first.getString("refreshToken"));
        assertThat(anon.post("/api/v1/auth/refresh", body).status()).isEqualTo(200);

        // The device never got that answer (the tab closed mid-request) and tries again 29 s later.
        server.time().advance(Duration.ofSeconds(29));
        Rest.Response again = anon.post("/api/v1/auth/refresh", body);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().getString("sessionId")).isEqualTo(first.getString("sessionId"));
        assertThat(as(again.json()).get("/api/v1/me").status()).isEqualTo(200);
        Rest.Response next = anon.post(
                "/api/v1/auth/refresh",
                new JsonObject().put("refreshToken", again.json().getString("refreshToken")));
        assertThat(next.status()).as(next.toString()).isEqualTo(200);
    }

    @Test
    void refresh_withAnUnknownOrOversizeToken_isRefused_andChangesNothing() {
        JsonObject s = login("laptop");
        assertThat(anon.post("/api/v1/auth/refresh", new JsonObject().put("refreshToken", "rt_nope"))
                        .errorCode())
                .isEqualTo("invalid_refresh_token");
        assertThat(anon.post("/api/v1/auth/refresh", new JsonObject().put("refreshToken", "x".repeat(300)))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(anon.post("/api/v1/auth/refresh", new JsonObject()).errorCode())
                .isEqualTo("missing_field");
        assertThat(as(s).get("/api/v1/me").status()).isEqualTo(200);
        assertThat(anon.post("/api/v1/auth/refresh", new JsonObject().put("refreshToken", s.getString("refreshToken")))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void deleteSession_closesThatDevicesSocketOnly_andSomeoneElsesSessionIsNotFound() {
        JsonObject laptop = login("laptop");
        JsonObject phone = login("phone");
        assertThat(anon.post("/api/v1/auth/register", credentials("bob")).status())
                .isEqualTo(201);
        JsonObject bob = anon.post("/api/v1/auth/login", credentials("bob")).json();
        try (Chatter laptopWs = Chatter.connectWith("alice", server.wsUrl(), laptop.getString("token"));
                Chatter phoneWs = Chatter.connectWith("alice", server.wsUrl(), phone.getString("token"))) {
            Rest.Response foreign = as(bob).delete("/api/v1/sessions/" + phone.getString("sessionId"));
            assertThat(foreign.status()).isEqualTo(404);
            assertThat(foreign.errorCode()).isEqualTo("session_not_found");

            Rest.Response gone = as(laptop).delete("/api/v1/sessions/" + phone.getString("sessionId"));

            assertThat(gone.status()).isEqualTo(204);
            Chatter.await(() -> closedWith(phoneWs, CloseCodes.SESSION_REVOKED), Duration.ofSeconds(1), "4003");
            assertThat(Chatter.holdsWithin(() -> !laptopWs.closes.isEmpty(), Duration.ofMillis(300)))
                    .isFalse();
            assertThat(as(phone).get("/api/v1/me").errorCode()).isEqualTo("session_revoked");
            assertThat(as(laptop).get("/api/v1/me").status()).isEqualTo(200);
            assertThat(as(laptop)
                            .delete("/api/v1/sessions/" + phone.getString("sessionId"))
                            .errorCode())
                    .as("twice")
                    .isEqualTo("session_not_found");
        }
    }

    @Test
    void logout_revokesTheCurrentSession_andLogoutEverywhere_revokesAllIncludingExternalTokens() {
        JsonObject laptop = login("laptop");
        JsonObject phone = login("phone");
        assertThat(as(laptop).delete("/api/v1/sessions/current").status()).isEqualTo(204);
        assertThat(as(laptop).get("/api/v1/me").errorCode()).isEqualTo("session_revoked");
        assertThat(as(phone).get("/api/v1/me").status()).isEqualTo(200);

        String userId = phone.getString("userId");
        // A backend-minted token naming no session: only a logout everywhere (a per-user time) reaches it.
        String external = new HmacJwt(
                        TestServer.SECRET.getBytes(StandardCharsets.UTF_8),
                        "parley",
                        null,
                        Clock.offset(server.time().clock(), Duration.ofSeconds(-2)))
                .issue(userId, Duration.ofHours(1));
        Rest externalRest = new Rest(server.httpUrl(), external);
        assertThat(externalRest.get("/api/v1/me").status()).isEqualTo(200);
        try (Chatter externalWs = Chatter.connectWith("alice", server.wsUrl(), external);
                Chatter phoneWs = Chatter.connectWith("alice", server.wsUrl(), phone.getString("token"))) {
            Rest.Response all = as(phone).delete("/api/v1/sessions");

            assertThat(all.status()).isEqualTo(200);
            assertThat(all.json().getInteger("revokedSessions")).isEqualTo(2);
            Chatter.await(
                    () -> closedWith(externalWs, CloseCodes.SESSION_REVOKED)
                            && closedWith(phoneWs, CloseCodes.SESSION_REVOKED),
                    Duration.ofSeconds(1),
                    "both sockets closed with 4003");
        }
        assertThat(externalRest.get("/api/v1/me").errorCode()).isEqualTo("session_revoked");
        assertThat(as(phone).get("/api/v1/me").errorCode()).isEqualTo("session_revoked");
        JsonObject again = login("laptop");
        assertThat(as(again).get("/api/v1/me").status())
                .as("a login after the logout everywhere works")
                .isEqualTo(200);
    }

    @Test
    void externalTokenWithSid_createsASessionOnFirstUse_thatCanBeRevoked() throws Exception {
        String userId = login("laptop").getString("userId");
        String token = new HmacJwt(
                        TestServer.SECRET.getBytes(StandardCharsets.UTF_8), "parley", null, Clock.systemUTC())
                .issue(userId, "backend-device-7", Duration.ofHours(1));
        Rest ext = new Rest(server.httpUrl(), token);
        assertThat(ext.get("/api/v1/me").status()).isEqualTo(200);
        Chatter.await(
                () -> ext.get("/api/v1/sessions").json().getJsonArray("sessions").stream()
                        .map(JsonObject.class::cast)
                        .anyMatch(s -> s.getString("id").equals("backend-device-7") && s.getBoolean("external")),
                Duration.ofSeconds(5),
                "the external session listed");
        try (Chatter ws = Chatter.connectWith("alice", server.wsUrl(), token)) {
            assertThat(ext.delete("/api/v1/sessions/current").status()).isEqualTo(204);
            Chatter.await(() -> closedWith(ws, CloseCodes.SESSION_REVOKED), Duration.ofSeconds(1), "4003");
        }
        assertThat(ext.get("/api/v1/me").errorCode()).isEqualTo("session_revoked");
    }

    @Test
    void passwordChange_revokesEveryOtherSession_andKeepsThisOne() {
        JsonObject laptop = login("laptop");
        JsonObject phone = login("phone");
        Rest.Response wrong = as(laptop)
                .post(
                        "/api/v1/me/password",
                        new JsonObject().put("currentPassword", "nope").put("newPassword", "a-new-password"));
        assertThat(wrong.errorCode()).isEqualTo("bad_credentials");
        assertThat(as(phone).get("/api/v1/me").status()).isEqualTo(200);

        Rest.Response changed = as(laptop)
                .post(
                        "/api/v1/me/password",
                        new JsonObject().put("currentPassword", "alice-pass").put("newPassword", "a-new-password"));

        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().getInteger("revokedSessions")).isEqualTo(2);
        assertThat(as(phone).get("/api/v1/me").errorCode()).isEqualTo("session_revoked");
        assertThat(as(laptop).get("/api/v1/me").status()).isEqualTo(200);
        assertThat(anon.post(
                                "/api/v1/auth/login",
                                new JsonObject().put("username", "alice").put("password", "a-new-password"))
                        .status())
                .isEqualTo(200);
    }
}
