package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.time.ManualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The moderation queue on a real node (SQLite, {@code moderation.enabled}) over real WebSockets: a new account's
 * link-heavy message is held (a {@code held} answer, the same on a retry), invisible to the other members (no event,
 * not in history), then approved by an admin: appended after what was sent meanwhile and delivered live; or rejected,
 * and the sender told. Bad decisions get their documented codes; everything is in the audit log.
 */
class ModerationQueueTest {
    static Vertx vertx;

    @TempDir
    Path dir;

    private final ManualScheduler time = new ManualScheduler();
    private TestServer server;
    private String group;
    private String c;

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() {
        vertx.close();
    }

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir.resolve("data"), Map.of("moderation.enabled", "true"))
                .on(time)
                .start();
        for (String u : List.of("root", "ow", "mem", "other")) {
            assertThat(rest(u).get("/api/v1/me").status()).isEqualTo(200);
        }
        server.grantAdmin("root");
        group = rest("ow").group("g", "mem", "other");
        c = "/api/v1/conversations/" + group;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private Rest rest(String user) {
        return new Rest(server.httpUrl(), TestServer.token(user));
    }

    private RawWs connect(String user) {
        RawWs ws = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token(user));
        assertThat(ws.next("welcome").getString("userId")).isEqualTo(user);
        return ws;
    }

    private static JsonObject nextMessage(RawWs ws) {
        JsonObject ev = ws.next("event");
        while (!"message".equals(ev.getString("kind"))) {
            ev = ws.next("event");
        }
        return ev;
    }

    private List<String> bodies(String user) {
        JsonArray messages = rest(user).get(c + "/messages").json().getJsonArray("messages");
        return messages.stream().map(o -> ((JsonObject) o).getString("body")).toList();
    }

    private List<String> actions() {
        return rest("root").get("/api/v1/admin/audit").json().getJsonArray("entries").stream()
                .map(o -> ((JsonObject) o).getString("action") + " " + ((JsonObject) o).getString("actorId"))
                .toList();
    }

    private String send(String conversationId, String clientMsgId, String body) {
        return new JsonObject()
                .put("type", "send")
                .put("conversationId", conversationId)
                .put("clientMsgId", clientMsgId)
                .put("body", body)
                .encode();
    }

    @Test
    void lowReputationMessage_isHeld_invisibleToMembers_thenApproved_andDeliveredAfterWhatCameMeanwhile() {
        String spam = "buy http://spam.example now";
        try (RawWs mem = connect("mem");
                RawWs other = connect("other")) {
            mem.send(send(group, "h1", spam));
            JsonObject held = mem.next("held");
            assertThat(held.getString("status")).isEqualTo("held");
            assertThat(held.getString("clientMsgId")).isEqualTo("h1");
            assertThat(held.getBoolean("duplicate")).isFalse();
            assertThat(held.containsKey("seq")).isFalse();
            long heldId = held.getLong("heldId");
            mem.send(send(group, "h1", spam));
            JsonObject retry = mem.next("held");
            assertThat(retry.getBoolean("duplicate")).isTrue();
            assertThat(retry.getLong("heldId")).isEqualTo(heldId);

            // A plain message of a new account passes (reputation 60); the other member sees it, and nothing before.
            Rest.Response plain = rest("ow")
                    .post(
                            c + "/messages",
                            new JsonObject().put("clientMsgId", "o1").put("body", "welcome all"));
            assertThat(plain.status()).as(plain.toString()).isEqualTo(201);
            long plainSeq = plain.json().getLong("seq");
            JsonObject first = nextMessage(other);
            assertThat(first.getString("body")).isEqualTo("welcome all");
            assertThat(bodies("other")).containsExactly("welcome all");
            assertThat(bodies("mem")).containsExactly("welcome all");

            Rest.Response queue = rest("root").get("/api/v1/admin/queue");
            assertThat(queue.status()).as(queue.toString()).isEqualTo(200);
            JsonObject item = queue.json().getJsonArray("items").getJsonObject(0);
            assertThat(item.getLong("id")).isEqualTo(heldId);
            assertThat(item.getString("kind")).isEqualTo("held");
            assertThat(item.getString("status")).isEqualTo("pending");
            assertThat(item.getString("senderId")).isEqualTo("mem");
            assertThat(item.getString("body")).isEqualTo(spam);
            assertThat(item.getString("reason")).startsWith("reputation 30 < 50");

            Rest.Response byOwner = rest("ow").post("/api/v1/admin/queue/" + heldId + "/approve", null);
            assertThat(byOwner.status()).isEqualTo(403);
            assertThat(byOwner.errorCode()).isEqualTo("forbidden");
            assertThat(rest("ow")
                            .post("/api/v1/admin/queue/424242/approve", null)
                            .toString())
                    .isEqualTo(byOwner.toString());
            assertThat(rest("ow").get("/api/v1/admin/queue").errorCode()).isEqualTo("forbidden");

            Rest.Response approve = rest("root")
                    .post("/api/v1/admin/queue/" + heldId + "/approve", new JsonObject().put("note", "a real shop"));

            assertThat(approve.status()).as(approve.toString()).isEqualTo(200);
            JsonObject approved = approve.json().getJsonObject("item");
            assertThat(approved.getString("status")).isEqualTo("approved");
            assertThat(approved.getLong("seq")).isEqualTo(plainSeq + 1);
            assertThat(approved.getString("decidedBy")).isEqualTo("root");
            JsonObject live = nextMessage(other);
            assertThat(live.getString("body")).isEqualTo(spam);
            assertThat(live.getLong("seq")).isEqualTo(plainSeq + 1);
            assertThat(live.getString("actorId")).isEqualTo("mem");
            assertThat(mem.next("held").getString("status")).isEqualTo("approved");
            assertThat(bodies("other")).containsExactly("welcome all", spam);

            // The sender's retry now gets the log's ack: the same message, nothing stored twice.
            mem.send(send(group, "h1", spam));
            JsonObject ack = mem.next("ack");
            assertThat(ack.getBoolean("duplicate")).isTrue();
            assertThat(ack.getLong("seq")).isEqualTo(plainSeq + 1);
        }

        Rest.Response twice = rest("root").post("/api/v1/admin/queue/" + idOfFirst() + "/approve", null);
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.errorCode()).isEqualTo("conflict");
        Rest.Response unknown = rest("root").post("/api/v1/admin/queue/424242/reject", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("not_found");
        assertThat(rest("root")
                        .post("/api/v1/admin/queue/not-a-number/reject", null)
                        .errorCode())
                .isEqualTo("not_found");
        Rest.Response badStatus = rest("root").get("/api/v1/admin/queue?status=maybe");
        assertThat(badStatus.status()).isEqualTo(400);
        assertThat(badStatus.errorCode()).isEqualTo("invalid_field");
        assertThat(actions()).containsSubsequence("message_approved root", "message_held system:reputation");
    }

    private long idOfFirst() {
        return rest("root")
                .get("/api/v1/admin/queue?status=all")
                .json()
                .getJsonArray("items")
                .getJsonObject(0)
                .getLong("id");
    }

    @Test
    void rejectedMessage_isNeverAppended_theSenderIsTold_andARetryAnswersRejected() {
        String spam = "www.a.example www.b.example";
        try (RawWs mem = connect("mem")) {
            Rest.Response held = rest("mem")
                    .post(
                            c + "/messages",
                            new JsonObject().put("clientMsgId", "r1").put("body", spam));
            assertThat(held.status()).as(held.toString()).isEqualTo(202);
            assertThat(held.json().getString("type")).isEqualTo("held");
            assertThat(held.json().getString("status")).isEqualTo("held");
            long heldId = held.json().getLong("heldId");

            Rest.Response reject = rest("root")
                    .post("/api/v1/admin/queue/" + heldId + "/reject", new JsonObject().put("note", "spam"));

            assertThat(reject.status()).as(reject.toString()).isEqualTo(200);
            assertThat(reject.json().getJsonObject("item").getString("status")).isEqualTo("rejected");
            JsonObject told = mem.next("held");
            assertThat(told.getString("status")).isEqualTo("rejected");
            assertThat(told.getLong("heldId")).isEqualTo(heldId);
        }
        Rest.Response retry = rest("mem")
                .post(c + "/messages", new JsonObject().put("clientMsgId", "r1").put("body", spam));
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.json().getString("status")).isEqualTo("rejected");
        assertThat(retry.json().getBoolean("duplicate")).isTrue();
        assertThat(bodies("other")).isEmpty();
        assertThat(rest("root")
                        .post("/api/v1/admin/queue/" + heldId(retry) + "/approve", null)
                        .errorCode())
                .isEqualTo("conflict");
        assertThat(actions()).containsSubsequence("message_rejected root", "message_held system:reputation");
    }

    private static long heldId(Rest.Response r) {
        return r.json().getLong("heldId");
    }

    @Test
    void anAdminsOwnMessage_isNeverHeld() {
        rest("ow").post(c + "/members", new JsonObject().put("userIds", new JsonArray().add("root")));
        Rest.Response sent = rest("root")
                .post(c + "/messages", new JsonObject().put("clientMsgId", "a1").put("body", "http://docs.example"));
        assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
        assertThat(bodies("other")).containsExactly("http://docs.example");
    }
}
