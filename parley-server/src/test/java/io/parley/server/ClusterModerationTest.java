package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.moderation.ModerationService;
import io.parley.server.redis.RedisSupport;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.PostgresSupport;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes on the machine's PostgreSQL (a schema of the test's own) and Redis (a key prefix of the test's own), on
 * real time: an admin's REST ban through one node closes the user's sockets on all three with 4001 within one second
 * of the answer and every node refuses the user's token; a mute set through one node refuses the member's sends on
 * another within {@link ModerationService#REFRESH}.
 */
class ClusterModerationTest {
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
        return Map.of("store.url", PostgresSupport.url(schema), "redis.url", RedisSupport.URL, "redis.prefix", prefix);
    }

    private static boolean banned(Chatter c) {
        return c.closes.stream().anyMatch(x -> x.equals("4001 user is banned"));
    }

    @Test
    void restBan_closesTheUsersSocketsOnThreeNodesWithinASecond_andMuteReachesEveryNode(@TempDir Path dir)
            throws Exception {
        String prefix = RedisSupport.newPrefix();
        try (TestServer a = new TestServer(dir.resolve("a"), node(prefix)).start();
                TestServer b = new TestServer(dir.resolve("b"), node(prefix)).start();
                TestServer c = new TestServer(dir.resolve("c"), node(prefix)).start()) {
            for (String u : List.of("root", "ow", "mem", "other")) {
                assertThat(new Rest(a.httpUrl(), TestServer.token(u))
                                .get("/api/v1/me")
                                .status())
                        .isEqualTo(200);
            }
            ((JdbcChatStore) a.server().store())
                    .moderation()
                    .setAdmin("test", "root", true, System.currentTimeMillis())
                    .get(10, TimeUnit.SECONDS);
            Rest rootOnC = new Rest(c.httpUrl(), TestServer.token("root"));
            Poll.until(
                    () -> rootOnC.get("/api/v1/admin/audit").status() == 200,
                    ModerationService.REFRESH.multipliedBy(3),
                    "node c knows root as an admin");

            String group = new Rest(a.httpUrl(), TestServer.token("ow")).group("g", "mem", "other");
            String path = "/api/v1/conversations/" + group;
            assertThat(new Rest(a.httpUrl(), TestServer.token("ow"))
                            .put(path + "/members/mem/mute", new JsonObject().putNull("until"))
                            .status())
                    .isEqualTo(200);
            Rest memOnB = new Rest(b.httpUrl(), TestServer.token("mem"));
            Poll.until(
                    () -> "muted"
                            .equals(memOnB.post(
                                            path + "/messages",
                                            new JsonObject()
                                                    .put("clientMsgId", "try-" + System.nanoTime())
                                                    .put("body", "x"))
                                    .errorCode()),
                    ModerationService.REFRESH.multipliedBy(2),
                    "the mute in force on node b");

            try (Chatter onA = Chatter.connect("mem", a.wsUrl());
                    Chatter onB = Chatter.connect("mem", b.wsUrl());
                    Chatter onC = Chatter.connect("mem", c.wsUrl());
                    Chatter bystander = Chatter.connect("other", b.wsUrl())) {
                Rest.Response ban = rootOnC.put("/api/v1/admin/users/mem/ban", null);
                long start = System.nanoTime();
                assertThat(ban.status()).as(ban.toString()).isEqualTo(200);
                Chatter.await(
                        () -> banned(onA) && banned(onB) && banned(onC),
                        Duration.ofSeconds(1),
                        "mem's sockets on all three nodes closed with 4001");
                assertThat((System.nanoTime() - start) / 1_000_000).isLessThanOrEqualTo(1000);
                assertThat(bystander.closes).isEmpty();
            }
            for (TestServer n : List.of(a, b, c)) {
                assertThat(new Rest(n.httpUrl(), TestServer.token("mem"))
                                .get("/api/v1/me")
                                .status())
                        .isEqualTo(401);
            }
        }
    }
}
