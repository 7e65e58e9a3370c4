package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notification settings and the VAPID key over REST (issue 15 items 3, 5 and 9): levels and their defaults per
 * kind, the level in every conversation object, do-not-disturb, and bad input answered with its documented code and
 * nothing changed.
 */
class PushApiTest {
    @TempDir
    Path dir;

    private TestServer server;
    private Rest alice;
    private Rest bob;
    private String bobId;

    @BeforeEach
    void start() {
        server = new TestServer(dir.resolve("data")).on(new ManualScheduler()).start();
        alice = register("alice");
        bob = register("bob");
        bobId = bob.get("/api/v1/me").json().getString("userId");
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private Rest register(String name) {
        Rest anon = new Rest(server.httpUrl(), null);
        JsonObject creds = new JsonObject().put("username", name).put("password", name + "-pass");
        assertThat(anon.post("/api/v1/auth/register", creds).status()).isEqualTo(201);
        return new Rest(
                server.httpUrl(), anon.post("/api/v1/auth/login", creds).json().getString("token"));
    }

    private String notifyOf(Rest r, String conversation) {
        return r.get("/api/v1/conversations/" + conversation).json().getString("notify");
    }

    private Rest.Response level(Rest r, String conversation, Object level) {
        return r.put("/api/v1/conversations/" + conversation + "/notifications", new JsonObject().put("level", level));
    }

    @Test
    void levels_defaultByKind_areSet_andShowInEveryConversationObject() {
        String dm = alice.direct(bobId);
        String group = alice.group("team", bobId);
        assertThat(notifyOf(alice, dm)).isEqualTo("all");
        assertThat(notifyOf(alice, group)).isEqualTo("mentions");

        Rest.Response muted = level(alice, group, "none");
        assertThat(muted.status()).isEqualTo(200);
        assertThat(muted.json()).isEqualTo(new JsonObject().put("level", "none").put("effectiveLevel", "none"));
        assertThat(notifyOf(alice, group)).isEqualTo("none");
        assertThat(notifyOf(bob, group)).as("another member's level is theirs").isEqualTo("mentions");
        assertThat(alice.get("/api/v1/conversations").json().getJsonArray("conversations").stream()
                        .map(o -> ((JsonObject) o).getString("notify")))
                .containsExactlyInAnyOrder("all", "none");

        Rest.Response back = level(alice, group, "default");
        assertThat(back.json())
                .isEqualTo(new JsonObject().put("level", "default").put("effectiveLevel", "mentions"));
        assertThat(level(alice, dm, "mentions").json().getString("effectiveLevel"))
                .isEqualTo("mentions");
    }

    @Test
    void aBadLevel_isInvalidField_andANonMember_isNotFound_andNothingChanges() {
        String group = alice.group("team", bobId);
        level(alice, group, "none");
        for (Object bad : new Object[] {"loud", "ALL", 1, true, ""}) {
            Rest.Response r = level(alice, group, bad);
            assertThat(r.status()).as(String.valueOf(bad)).isEqualTo(400);
            assertThat(r.errorCode()).as(String.valueOf(bad)).isEqualTo("invalid_field");
        }
        assertThat(alice.put("/api/v1/conversations/" + group + "/notifications", new JsonObject())
                        .errorCode())
                .isEqualTo("missing_field");
        assertThat(notifyOf(alice, group)).isEqualTo("none");

        Rest carol = register("carol");
        Rest.Response stranger = level(carol, group, "all");
        assertThat(stranger.status()).isEqualTo(404);
        assertThat(stranger.errorCode()).isEqualTo("conversation_not_found");
        assertThat(level(alice, "c_nosuchconversation", "all").errorCode()).isEqualTo("conversation_not_found");
    }

    @Test
    void doNotDisturb_isSetReadAndEnded_andBadValuesChangeNothing() {
        assertThat(alice.get("/api/v1/me/notifications").json())
                .isEqualTo(new JsonObject().putNull("doNotDisturbUntil"));
        String until = server.time()
                .clock()
                .instant()
                .plus(Duration.ofHours(8))
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                .toString();
        Rest.Response set = alice.put("/api/v1/me/notifications", new JsonObject().put("doNotDisturbUntil", until));
        assertThat(set.status()).isEqualTo(200);
        assertThat(Instant.parse(set.json().getString("doNotDisturbUntil"))).isEqualTo(Instant.parse(until));

        String tooFar =
                server.time().clock().instant().plus(Duration.ofDays(400)).toString();
        for (Object bad : new Object[] {"tomorrow", "2026-13-01T00:00:00Z", 12345, true, tooFar}) {
            Rest.Response r = alice.put("/api/v1/me/notifications", new JsonObject().put("doNotDisturbUntil", bad));
            assertThat(r.status()).as(String.valueOf(bad)).isEqualTo(400);
            assertThat(r.errorCode()).as(String.valueOf(bad)).isEqualTo("invalid_field");
        }
        assertThat(alice.put("/api/v1/me/notifications", new JsonObject()).errorCode())
                .isEqualTo("missing_field");
        assertThat(Instant.parse(alice.get("/api/v1/me/notifications").json().getString("doNotDisturbUntil")))
                .isEqualTo(Instant.parse(until));
        assertThat(bob.get("/api/v1/me/notifications").json().getValue("doNotDisturbUntil"))
                .isNull();

        Rest.Response off = alice.put("/api/v1/me/notifications", new JsonObject().putNull("doNotDisturbUntil"));
        assertThat(off.json()).isEqualTo(new JsonObject().putNull("doNotDisturbUntil"));
    }

    @Test
    void theVapidPublicKey_isAnUncompressedP256Point_keptAcrossRestarts() {
        String key = alice.get("/api/v1/push/vapid-public-key").json().getString("publicKey");
        byte[] point = Base64.getUrlDecoder().decode(key);
        assertThat(point).hasSize(65);
        assertThat(point[0]).isEqualTo((byte) 4);
        assertThat(new Rest(server.httpUrl(), null)
                        .get("/api/v1/push/vapid-public-key")
                        .status())
                .isEqualTo(401);

        server.stop();
        server.start();
        Rest again = new Rest(server.httpUrl(), TestServer.token(bobId));
        assertThat(again.get("/api/v1/push/vapid-public-key").json().getString("publicKey"))
                .isEqualTo(key);
    }
}
