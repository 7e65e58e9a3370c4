package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Places where a black-box run of the documented API found the server saying something other than docs/protocol.md
 * and docs/api.md (issue 23): each test states the documented promise.
 */
class DocumentedPromisesTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static Vertx vertx;
    static Rest alice;
    static Rest bob;
    static String dm;
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() {
        server = new TestServer(dir).start();
        vertx = Vertx.vertx();
        alice = new Rest(server.httpUrl(), TestServer.token("alice"));
        bob = new Rest(server.httpUrl(), TestServer.token("bob"));
        bob.get("/api/v1/me");
        new Rest(server.httpUrl(), TestServer.token("carol")).get("/api/v1/me");
        new Rest(server.httpUrl(), TestServer.token("dave")).get("/api/v1/me");
        dm = alice.direct("bob");
    }

    @AfterAll
    static void stop() {
        server.stop();
        vertx.close();
    }

    private static String send(Rest as, String conversationId, String body) {
        Rest.Response r = as.post(
                "/api/v1/conversations/" + conversationId + "/messages",
                new JsonObject().put("clientMsgId", "c-" + System.nanoTime()).put("body", body));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("messageId");
    }

    private record Raw(int status, String contentType, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private static Raw raw(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.httpUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TestServer.token("alice"))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String type = r.headers().firstValue("content-type").orElse(null);
        OpenApiContract.DOCUMENT.check(method, path, r.statusCode(), type, r.body());
        return new Raw(r.statusCode(), type == null ? "" : type, r.body());
    }

    private static void assertError(Raw r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/json");
        assertThat(r.json().getJsonObject("error").getString("code")).isEqualTo(code);
        assertThat(r.json().getJsonObject("error").getString("message")).isNotBlank();
    }

    // 2. docs/protocol.md: the sending session receives its own message event after its ack.
    @Test
    void theSendingSession_getsItsAck_beforeItsOwnEvent() {
        try (RawWs ws = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("alice"))) {
            ws.next("welcome");
            for (int i = 0; i < 50; i++) {
                String cmid = "order-" + i;
                ws.sendJson(new JsonObject()
                        .put("type", "send")
                        .put("conversationId", dm)
                        .put("clientMsgId", cmid)
                        .put("body", "m" + i));
                List<String> seen = new ArrayList<>();
                while (seen.size() < 2) {
                    JsonObject f = ws.next();
                    if (f.getString("type").equals("ack") && cmid.equals(f.getString("clientMsgId"))) {
                        seen.add("ack");
                    } else if (f.getString("type").equals("event") && cmid.equals(f.getString("clientMsgId"))) {
                        seen.add("event");
                    }
                }
                assertThat(seen).as("send %d", i).containsExactly("ack", "event");
            }
        }
    }

    // 3. docs/protocol.md: a reaction is one emoji.
    @Test
    void twoEmoji_areNotOneEmoji() {
        String m = send(alice, dm, "react to me");
        String base = "/api/v1/conversations/" + dm + "/messages/" + m + "/reactions/";
        assertThat(alice.put(base + "%F0%9F%91%8D%F0%9F%91%8D", null).errorCode())
                .isEqualTo("invalid_field");
        assertThat(alice.put(base + "%F0%9F%91%8D", null).status()).isEqualTo(200);
        // One grapheme made of several code points is one emoji: a family, a flag, a skin tone.
        assertThat(alice.put(base + "%F0%9F%91%A8%E2%80%8D%F0%9F%91%A9%E2%80%8D%F0%9F%91%A7", null)
                        .status())
                .isEqualTo(200);
        assertThat(alice.put(base + "%F0%9F%87%AB%F0%9F%87%B7", null).status()).isEqualTo(200);
        assertThat(alice.put(base + "%F0%9F%91%8D%F0%9F%8F%BD", null).status()).isEqualTo(200);
    }

    // 4. docs/protocol.md: replySnippet is at most 100 characters of the parent, in events and in history.
    @Test
    void replySnippet_isAtMostAHundredCharacters() {
        String parent = send(alice, dm, "x".repeat(150));
        Rest.Response r = alice.post(
                "/api/v1/conversations/" + dm + "/messages",
                new JsonObject().put("clientMsgId", "reply-1").put("body", "re").put("replyTo", parent));
        assertThat(r.status()).isEqualTo(201);
        String replyId = r.json().getString("messageId");
        JsonArray log = alice.get("/api/v1/conversations/" + dm + "/events?limit=5")
                .json()
                .getJsonArray("events");
        String snippet = null;
        for (Object o : log) {
            JsonObject e = (JsonObject) o;
            if (replyId.equals(e.getString("messageId")) && "message".equals(e.getString("kind"))) {
                snippet = e.getString("replySnippet");
            }
        }
        JsonArray history = alice.get("/api/v1/conversations/" + dm + "/messages?limit=5")
                .json()
                .getJsonArray("messages");
        String inHistory = null;
        for (Object o : history) {
            JsonObject m = (JsonObject) o;
            JsonObject replyTo = m.getJsonObject("replyTo");
            if (replyTo != null && parent.equals(replyTo.getString("messageId"))) {
                inHistory = replyTo.getString("snippet");
            }
        }
        assertThat(inHistory).isNotNull();
        assertThat(inHistory.codePointCount(0, inHistory.length())).isEqualTo(100);
        assertThat(inHistory).isEqualTo("x".repeat(99) + "\u2026");
        assertThat(snippet).as("the event's snippet").isEqualTo(inHistory);
    }

    // 5. docs/protocol.md: deliveredSeq >= readSeq, always; a fresh conversation included.
    @Test
    void aFreshConversation_hasDeliveredAtLeastRead() {
        String group = alice.group("fresh", "bob", "carol");
        for (Object o :
                alice.get("/api/v1/conversations/" + group + "/receipts").json().getJsonArray("receipts")) {
            JsonObject m = (JsonObject) o;
            assertThat(m.getLong("deliveredSeq")).as(m.encode()).isGreaterThanOrEqualTo(m.getLong("readSeq"));
        }
        String fresh = new Rest(server.httpUrl(), TestServer.token("carol")).direct("dave");
        for (Object o : new Rest(server.httpUrl(), TestServer.token("carol"))
                .get("/api/v1/conversations/" + fresh + "/members")
                .json()
                .getJsonArray("members")) {
            JsonObject m = (JsonObject) o;
            assertThat(m.getLong("deliveredSeq")).as(m.encode()).isGreaterThanOrEqualTo(m.getLong("readSeq"));
        }
    }

    // 6. Receipts never claim what did not happen: a member added after a message is in neither list of it.
    @Test
    void aLateMember_isNotInTheReceiptsOfEarlierMessages() {
        String group = alice.group("late", "bob");
        String early = send(alice, group, "before dave");
        assertThat(alice.post(
                                "/api/v1/conversations/" + group + "/members",
                                new JsonObject().put("userIds", new JsonArray().add("dave")))
                        .status())
                .isEqualTo(200);
        String later = send(alice, group, "after dave");
        Rest daveRest = new Rest(server.httpUrl(), TestServer.token("dave"));
        long laterSeq = daveRest.get("/api/v1/conversations/" + group + "/messages/" + later)
                .json()
                .getLong("seq");
        assertThat(daveRest.post("/api/v1/conversations/" + group + "/read", new JsonObject().put("seq", laterSeq))
                        .status())
                .isEqualTo(200);

        JsonObject earlyReceipts = alice.get("/api/v1/conversations/" + group + "/messages/" + early + "/receipts")
                .json();
        assertThat(earlyReceipts.getJsonArray("readBy").stream().toList()).doesNotContain("dave");
        assertThat(earlyReceipts.getJsonArray("deliveredTo").stream().toList()).doesNotContain("dave");
        JsonObject laterReceipts = alice.get("/api/v1/conversations/" + group + "/messages/" + later + "/receipts")
                .json();
        assertThat(laterReceipts.getJsonArray("readBy").stream().toList()).contains("dave");
        assertThat(laterReceipts.getJsonArray("deliveredTo").stream().toList()).contains("dave");
        for (Object o :
                alice.get("/api/v1/conversations/" + group + "/members").json().getJsonArray("members")) {
            JsonObject m = (JsonObject) o;
            assertThat(m.getLong("deliveredSeq")).as(m.encode()).isGreaterThanOrEqualTo(m.getLong("readSeq"));
            if (m.getString("userId").equals("dave")) {
                assertThat(m.getLong("joinedSeq")).isGreaterThan(0);
            }
        }
    }

    // 7. The replies of a message of another conversation: 404 message_not_found, as every message endpoint.
    @Test
    void repliesOfAMessageOfAnotherConversation_isMessageNotFound() {
        String other = alice.group("other", "bob");
        String elsewhere = send(alice, other, "I live elsewhere");
        Rest.Response r = alice.get("/api/v1/conversations/" + dm + "/messages/" + elsewhere + "/replies");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("message_not_found");
        assertThat(alice.get("/api/v1/conversations/" + other + "/messages/" + elsewhere + "/replies")
                        .status())
                .isEqualTo(200);
    }

    // docs/api.md: one message by id (a user needed it; there was none).
    @Test
    void oneMessage_byItsId() {
        String m = send(alice, dm, "fetch me");
        Rest.Response r = bob.get("/api/v1/conversations/" + dm + "/messages/" + m);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getString("messageId")).isEqualTo(m);
        assertThat(r.json().getString("body")).isEqualTo("fetch me");
        assertThat(alice.put("/api/v1/conversations/" + dm + "/messages/" + m + "/reactions/%F0%9F%91%8D", null)
                        .status())
                .isEqualTo(200);
        JsonArray reactions =
                bob.get("/api/v1/conversations/" + dm + "/messages/" + m).json().getJsonArray("reactions");
        assertThat(reactions).hasSize(1);
        assertThat(reactions.getJsonObject(0).getString("emoji")).isEqualTo("\uD83D\uDC4D");
        assertThat(bob.get("/api/v1/conversations/" + dm + "/messages/m_nothing")
                        .errorCode())
                .isEqualTo("message_not_found");
        Rest carol = new Rest(server.httpUrl(), TestServer.token("carol"));
        assertThat(carol.get("/api/v1/conversations/" + dm + "/messages/" + m).errorCode())
                .isEqualTo("conversation_not_found");
    }

    // 8. A body over the limit: 413 with the JSON error shape.
    @Test
    void aBodyOverTheLimit_is413_payloadTooLarge_inTheErrorShape() throws Exception {
        String big = new JsonObject()
                .put("clientMsgId", "big")
                .put("body", "x".repeat(200_000))
                .encode();
        assertError(
                raw("POST", "/api/v1/conversations/" + dm + "/messages", "application/json", big),
                413,
                "payload_too_large");
    }

    // 9. Unknown paths and wrong methods: the JSON error shape, not an HTML page or an empty body.
    @Test
    void unknownPathAndWrongMethod_answerInTheErrorShape() throws Exception {
        assertError(raw("GET", "/api/v1/no-such-thing", null, null), 404, "not_found");
        assertError(raw("DELETE", "/api/v1/conversations", null, null), 405, "method_not_allowed");
    }

    // 10. Bodies are application/json: another content type is 415, and nothing is stored.
    @Test
    void aJsonBodySentAsTextPlain_is415_andNotStored() throws Exception {
        String body = new JsonObject()
                .put("clientMsgId", "plain-1")
                .put("body", "as text")
                .encode();
        assertError(
                raw("POST", "/api/v1/conversations/" + dm + "/messages", "text/plain", body),
                415,
                "unsupported_media_type");
        assertError(
                raw("POST", "/api/v1/conversations/" + dm + "/messages", null, body), 415, "unsupported_media_type");
        JsonArray history = alice.get("/api/v1/conversations/" + dm + "/messages?limit=100")
                .json()
                .getJsonArray("messages");
        assertThat(history.stream().map(o -> ((JsonObject) o).getString("body")))
                .doesNotContain("as text");
        Raw ok = raw("POST", "/api/v1/conversations/" + dm + "/messages", "application/json; charset=utf-8", body);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
    }

    // 11 and 12. Ids over 128 characters in a REST path: 400 invalid_field, as in frames.
    @Test
    void idsOverTheLimitInAPath_areInvalidField() throws Exception {
        String longId = "c".repeat(129);
        assertError(raw("GET", "/api/v1/conversations/" + longId, null, null), 400, "invalid_field");
        assertError(raw("GET", "/api/v1/conversations/" + longId + "/messages", null, null), 400, "invalid_field");
        assertError(
                raw("GET", "/api/v1/conversations/" + dm + "/messages/" + "m".repeat(129), null, null),
                400,
                "invalid_field");
        assertError(
                raw("GET", "/api/v1/conversations/" + dm + "/messages/" + "m".repeat(129) + "/replies", null, null),
                400,
                "invalid_field");
        assertThat(raw("GET", "/api/v1/conversations/" + "c".repeat(128), null, null)
                        .status())
                .isEqualTo(404);
    }

    // The router's own failures keep the connection usable and the data intact (a follow-up request works).
    @Test
    void afterRefusals_theApiStillAnswers() throws Exception {
        raw("POST", "/api/v1/conversations/" + dm + "/messages", "text/plain", "{}");
        assertThat(alice.get("/api/v1/conversations/" + dm).status()).isEqualTo(200);
        assertThat(Map.of("ok", alice.get("/api/v1/me").status())).containsEntry("ok", 200);
    }
}
