package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.admin.AdminRun;
import io.parley.server.auth.BanList;
import io.parley.server.auth.Revocations;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code admin ban} against a running node on manual time: login is refused at once; the node's next read of the
 * revocation log (within {@link Revocations#POLL}: the ban writes an entry in its transaction) refuses the user's
 * tokens on REST and closes their live WebSocket session with 4001, and nobody else's; {@code unban} lets them back in
 * (within {@link BanList#REFRESH}).
 */
class BanTest {
    @TempDir
    Path dir;

    private final ManualScheduler time = new ManualScheduler();
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private JsonObject register(String name) {
        Rest.Response r = new Rest(server.httpUrl(), null)
                .post(
                        "/api/v1/auth/register",
                        new JsonObject().put("username", name).put("password", name + "-pass"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    @Test
    void ban_closesTheLiveSessionWith4001_refusesTokensAndLogin_andUnbanLetsTheUserBack() {
        server = new TestServer(dir.resolve("data")).on(time).start();
        AdminRun admin =
                new AdminRun(dir, Map.of("data.dir", dir.resolve("data").toString()));
        JsonObject alice = register("alice");
        JsonObject bob = register("bob");
        Rest aliceRest = new Rest(server.httpUrl(), alice.getString("token"));
        Rest bobRest = new Rest(server.httpUrl(), bob.getString("token"));
        try (Chatter aliceWs = Chatter.connect(alice.getString("userId"), server.wsUrl());
                Chatter bobWs = Chatter.connect(bob.getString("userId"), server.wsUrl())) {

            AdminRun.Result ban = admin.run("ban", "alice");

            assertThat(ban.status()).as(ban.toString()).isZero();
            Rest.Response login = new Rest(server.httpUrl(), null)
                    .post(
                            "/api/v1/auth/login",
                            new JsonObject().put("username", "alice").put("password", "alice-pass"));
            assertThat(login.status()).isEqualTo(403);
            // The ban's entry in the revocation log is read within Revocations.POLL (issue 18: within a second).
            Duration took = server.advanceUntil(
                    Duration.ofMillis(250),
                    Duration.ofSeconds(2),
                    () -> aliceWs.closes.stream().anyMatch(c -> c.startsWith("4001 ")),
                    "alice's session closed with 4001");
            assertThat(took).isLessThanOrEqualTo(Revocations.POLL);
            assertThat(aliceWs.closes).anyMatch(c -> c.equals("4001 user is banned"));
            Rest.Response refused = aliceRest.get("/api/v1/me");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.json().getJsonObject("error").getString("message"))
                    .isEqualTo("user is banned");
            assertThat(bobRest.get("/api/v1/me").status()).isEqualTo(200);
            assertThat(bobWs.closes).isEmpty();

            AdminRun.Result unban = admin.run("unban", "alice");

            assertThat(unban.status()).as(unban.toString()).isZero();
            server.advanceUntil(
                    Duration.ofSeconds(1),
                    BanList.REFRESH.plusSeconds(1),
                    () -> aliceRest.get("/api/v1/me").status() == 200,
                    "alice's token accepted again");
            assertThat(bobWs.closes).isEmpty();
        }
    }
}
