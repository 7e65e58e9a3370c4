package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.CloseCodes;
import io.parley.server.redis.RedisSupport;
import io.parley.server.store.jdbc.PostgresSupport;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes on the machine's PostgreSQL (a schema of the test's own) and Redis (a key prefix of the test's own), on
 * real time: a session revoked through one node has its sockets on all three closed with 4003 within one second of
 * the revoking answer, and its token is refused by every node; a refresh token replayed on one node does the same.
 */
class ClusterSessionsTest {
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

    private Map<String, String> node(String prefix) {
        Map<String, String> c = new HashMap<>();
        c.put("store.url", PostgresSupport.url(schema));
        c.put("redis.url", RedisSupport.URL);
        c.put("redis.prefix", prefix);
        // A replay right after the exchange is one here (no grace for a lost answer): the revocation path is tested.
        c.put("auth.refresh-reuse-grace", "0s");
        return c;
    }

    private static JsonObject login(TestServer node, String device) {
        Rest.Response r = new Rest(node.httpUrl(), null)
                .post(
                        "/api/v1/auth/login",
                        new JsonObject()
                                .put("username", "alice")
                                .put("password", "alice-pass")
                                .put("deviceName", device));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static boolean revoked(Chatter c) {
        return c.closes.stream().anyMatch(x -> x.startsWith(CloseCodes.SESSION_REVOKED + " "));
    }

    /** Each node's socket of the session, and one of another session of the same user that must stay open. */
    private void assertClosedEverywhereWithinASecond(List<TestServer> nodes, JsonObject victim, Runnable revoke)
            throws Exception {
        JsonObject survivor = login(nodes.get(0), "other");
        String token = victim.getString("token");
        try (Chatter a = Chatter.connectWith("alice", nodes.get(0).wsUrl(), token);
                Chatter b = Chatter.connectWith("alice", nodes.get(1).wsUrl(), token);
                Chatter c = Chatter.connectWith("alice", nodes.get(2).wsUrl(), token);
                Chatter other = Chatter.connectWith("alice", nodes.get(2).wsUrl(), survivor.getString("token"))) {
            revoke.run();
            long start = System.nanoTime();
            Chatter.await(
                    () -> revoked(a) && revoked(b) && revoked(c),
                    Duration.ofSeconds(1),
                    "the session's sockets on all three nodes closed with 4003");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMs).isLessThanOrEqualTo(1000);
            for (Chatter x : List.of(a, b, c)) {
                assertThat(x.closes.get(0)).isEqualTo("4003 session revoked");
            }
            assertThat(other.closes).as("another session of the same user").isEmpty();
        }
        for (TestServer n : nodes) {
            Rest.Response r = new Rest(n.httpUrl(), token).get("/api/v1/me");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.errorCode()).isEqualTo("session_revoked");
            assertThat(new Rest(n.httpUrl(), survivor.getString("token"))
                            .get("/api/v1/me")
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void revokedSession_isClosedOnEachOfThreeNodesWithinASecond_andRefusedEverywhere(@TempDir Path dir)
            throws Exception {
        String prefix = RedisSupport.newPrefix();
        try (TestServer a = new TestServer(dir.resolve("a"), node(prefix)).start();
                TestServer b = new TestServer(dir.resolve("b"), node(prefix)).start();
                TestServer c = new TestServer(dir.resolve("c"), node(prefix)).start()) {
            assertThat(new Rest(a.httpUrl(), null)
                            .post(
                                    "/api/v1/auth/register",
                                    new JsonObject().put("username", "alice").put("password", "alice-pass"))
                            .status())
                    .isEqualTo(201);
            JsonObject phone = login(b, "phone");
            JsonObject laptop = login(a, "laptop");

            assertClosedEverywhereWithinASecond(List.of(a, b, c), phone, () -> {
                Rest.Response r = new Rest(c.httpUrl(), laptop.getString("token"))
                        .delete("/api/v1/sessions/" + phone.getString("sessionId"));
                assertThat(r.status()).as(r.toString()).isEqualTo(204);
            });

            JsonObject tablet = login(c, "tablet");
            Rest.Response rotated = new Rest(a.httpUrl(), null)
                    .post(
                            "/api/v1/auth/refresh",
                            new JsonObject().put("refreshToken", tablet.getString("refreshToken")));
            JsonObject fresh = rotated.json();
            assertClosedEverywhereWithinASecond(List.of(a, b, c), fresh, () -> {
                Rest.Response replay = new Rest(b.httpUrl(), null)
                        .post(
                                "/api/v1/auth/refresh",
                                new JsonObject().put("refreshToken", tablet.getString("refreshToken")));
                assertThat(replay.errorCode()).isEqualTo("refresh_token_reused");
            });
        }
    }
}
