package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.push.LocalPushService;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes queued in a real server process survive its SIGKILL (issue 15 item 8): the process is killed while its
 * pushes wait for a provider that is down; restarted on the same data, it sends every one of them, none twice.
 */
class PushKillTest {

    @Test
    void pushesQueuedWhenTheProcessIsKilled_areSentAfterTheRestart_noneTwice(@TempDir Path dir) throws Exception {
        int port = ServerProcess.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("PARLEY_HTTP_PORT", Integer.toString(port));
        env.put("PARLEY_DATA_DIR", dir.resolve("data").toString());
        env.put("PARLEY_AUTH_JWT_SECRET", TestServer.SECRET);
        env.put("PARLEY_AUTH_BCRYPT_COST", "4");
        env.put("PARLEY_PUSH_GRACE", "500ms");
        env.put("PARLEY_PUSH_POLL_INTERVAL", "100ms");
        env.put("PARLEY_PUSH_BACKOFF_BASE", "100ms");
        env.put("PARLEY_PUSH_BACKOFF_MAX", "300ms");
        env.put("PARLEY_PUSH_MAX_ATTEMPTS", "100");
        env.put("PARLEY_PUSH_WEBPUSH_TIMEOUT", "1s");
        String base = "http://127.0.0.1:" + port;
        int users = 5;
        try (LocalPushService service = new LocalPushService()) {
            service.down(true);
            ServerProcess first = ServerProcess.start(dir, env);
            try {
                Rest alice = register(base, "alice");
                for (int i = 0; i < users; i++) {
                    Rest r = register(base, "user" + i);
                    service.expectVapidKey(
                            r.get("/api/v1/push/vapid-public-key").json().getString("publicKey"));
                    assertThat(r.post(
                                            "/api/v1/devices",
                                            new JsonObject()
                                                    .put("platform", "webpush")
                                                    .put("subscription", service.subscribe("user" + i)))
                                    .status())
                            .isEqualTo(201);
                    String dm = alice.direct(r.get("/api/v1/me").json().getString("userId"));
                    assertThat(alice.post(
                                            "/api/v1/conversations/" + dm + "/messages",
                                            new JsonObject()
                                                    .put(
                                                            "clientMsgId",
                                                            UUID.randomUUID().toString())
                                                    .put("body", "hi"))
                                    .status())
                            .isEqualTo(201);
                }
                // Every push has been tried against the outage at least once: all are queued, some leased.
                Chatter.await(() -> service.requests() >= users, Duration.ofSeconds(30), "attempts during the outage");
                first.kill();
            } finally {
                first.close();
            }
            service.down(false);
            try (ServerProcess second = ServerProcess.start(dir, env)) {
                Chatter.await(
                        () -> service.received().size() >= users,
                        Duration.ofSeconds(60),
                        "every queued push after the restart");
                assertThat(Chatter.holdsWithin(() -> service.received().size() > users, Duration.ofSeconds(3)))
                        .as("a push sent twice")
                        .isFalse();
                for (int i = 0; i < users; i++) {
                    assertThat(service.receivedBy("user" + i)).as("user" + i).hasSize(1);
                }
                assertThat(service.refusals()).isEmpty();
                assertThat(second.terminate()).as("%s", second.output).isTrue();
            }
        }
    }

    private static Rest register(String base, String name) {
        Rest anon = new Rest(base, null);
        JsonObject creds = new JsonObject().put("username", name).put("password", name + "-pass");
        assertThat(anon.post("/api/v1/auth/register", creds).status()).isEqualTo(201);
        return new Rest(base, anon.post("/api/v1/auth/login", creds).json().getString("token"));
    }
}
