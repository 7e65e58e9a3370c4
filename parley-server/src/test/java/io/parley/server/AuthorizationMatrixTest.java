package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.ClientFrame;
import io.parley.server.auth.BanList;
import io.parley.server.auth.HmacJwt;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorization matrix: every REST operation of the OpenAPI document and every WebSocket frame type (the
 * permitted records of {@link ClientFrame}), times every kind of caller that must be refused, each refused with its
 * documented code, and the answer (status, code, message with the ids taken out) the same whether the target exists
 * or not, so a refused caller learns nothing from a guess.
 * <p>
 * Callers: a non-member of the conversation, a removed member, an expired token, a token with a forged signature, a
 * banned user's token, a token of a revoked device session (a member's: it was good until revoked), and a member
 * guessing an id of another conversation (a message of it through their own conversation).
 * <p>
 * Every operation needs a row in {@link #REST} or {@link #WS}: an operation added to the document (or a frame type
 * added to the protocol) without one fails {@link #everyOperationHasARow()}.
 */
class AuthorizationMatrixTest {
    /** What an operation's path or frame points at, which decides the callers it must refuse. */
    enum Scope {
        /** No token needed: nothing to refuse here. */
        PUBLIC,
        /** Needs a token; the target is not a conversation (the caller's own data, lookups). */
        TOKEN,
        /** A conversation: non-members, removed members and guessed ids are refused with 404 conversation_not_found. */
        CONVERSATION,
        /** A message of a conversation: as CONVERSATION, and a message of another conversation is message_not_found. */
        MESSAGE,
        /** Another user's presence: a user who shares no conversation with the caller is user_not_found. */
        PRESENCE,
        /** Server administration: anyone but a server admin is 403 forbidden, whether or not the target exists. */
        ADMIN
    }

    static final Map<String, Scope> REST = new LinkedHashMap<>();

    static {
        REST.put("POST /api/v1/auth/register", Scope.PUBLIC);
        REST.put("POST /api/v1/auth/login", Scope.PUBLIC);
        REST.put("GET /api/v1/openapi.json", Scope.PUBLIC);
        REST.put("GET /health/live", Scope.PUBLIC);
        REST.put("GET /health/ready", Scope.PUBLIC);
        REST.put("GET /metrics", Scope.PUBLIC); // metrics.token, not a user: HttpHygieneTest
        REST.put("GET /ws", Scope.PUBLIC); // the upgrade: the frames are the WS rows below
        REST.put("GET /api/v1/me", Scope.TOKEN);
        REST.put("GET /api/v1/users/by-username/{username}", Scope.TOKEN);
        REST.put("GET /api/v1/conversations", Scope.TOKEN);
        REST.put("POST /api/v1/conversations", Scope.TOKEN);
        REST.put("POST /api/v1/presence/query", Scope.TOKEN);
        REST.put("GET /api/v1/presence/{userId}", Scope.PRESENCE);
        REST.put("GET /api/v1/conversations/{id}", Scope.CONVERSATION);
        REST.put("GET /api/v1/conversations/{id}/members", Scope.CONVERSATION);
        REST.put("POST /api/v1/conversations/{id}/members", Scope.CONVERSATION);
        REST.put("DELETE /api/v1/conversations/{id}/members/{userId}", Scope.CONVERSATION);
        REST.put("PUT /api/v1/conversations/{id}/members/{userId}/role", Scope.CONVERSATION);
        REST.put("GET /api/v1/conversations/{id}/messages", Scope.CONVERSATION);
        REST.put("POST /api/v1/conversations/{id}/messages", Scope.CONVERSATION);
        REST.put("GET /api/v1/conversations/{id}/events", Scope.CONVERSATION);
        REST.put("GET /api/v1/conversations/{id}/receipts", Scope.CONVERSATION);
        REST.put("POST /api/v1/conversations/{id}/read", Scope.CONVERSATION);
        REST.put("POST /api/v1/conversations/{id}/typing", Scope.CONVERSATION);
        REST.put("GET /api/v1/conversations/{id}/audit", Scope.CONVERSATION);
        REST.put("GET /api/v1/conversations/{id}/messages/{messageId}", Scope.MESSAGE);
        REST.put("PATCH /api/v1/conversations/{id}/messages/{messageId}", Scope.MESSAGE);
        REST.put("DELETE /api/v1/conversations/{id}/messages/{messageId}", Scope.MESSAGE);
        REST.put("GET /api/v1/conversations/{id}/messages/{messageId}/edits", Scope.MESSAGE);
        REST.put("GET /api/v1/conversations/{id}/messages/{messageId}/replies", Scope.MESSAGE);
        REST.put("PUT /api/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}", Scope.MESSAGE);
        REST.put("DELETE /api/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}", Scope.MESSAGE);
        REST.put("GET /api/v1/conversations/{id}/messages/{messageId}/receipts", Scope.MESSAGE);
        // Profile and lookups (issue 20): the caller's own data.
        REST.put("PATCH /api/v1/me", Scope.TOKEN);
        REST.put("GET /api/v1/users", Scope.TOKEN);
        REST.put("PATCH /api/v1/conversations/{id}", Scope.CONVERSATION);
        // Sessions and devices (issue 15): the refresh token is its own credential; the rest is the caller's own, and
        // another user's session or device id answers session_not_found / device_not_found (SessionsTest, DevicesTest).
        REST.put("POST /api/v1/auth/refresh", Scope.PUBLIC);
        REST.put("GET /api/v1/sessions", Scope.TOKEN);
        REST.put("DELETE /api/v1/sessions", Scope.TOKEN);
        REST.put("DELETE /api/v1/sessions/{id}", Scope.TOKEN);
        REST.put("POST /api/v1/me/password", Scope.TOKEN);
        REST.put("POST /api/v1/devices", Scope.TOKEN);
        REST.put("GET /api/v1/devices", Scope.TOKEN);
        REST.put("DELETE /api/v1/devices/{id}", Scope.TOKEN);
        // Notifications (issue 15): a level is set on a conversation of the caller's; DND and the VAPID key are the
        // caller's own or public to every user (PushApiTest).
        REST.put("PUT /api/v1/conversations/{id}/notifications", Scope.CONVERSATION);
        REST.put("GET /api/v1/me/notifications", Scope.TOKEN);
        REST.put("PUT /api/v1/me/notifications", Scope.TOKEN);
        REST.put("GET /api/v1/push/vapid-public-key", Scope.TOKEN);
        // Attachments (issue 16): a slot and a message are aimed at a conversation; an attachment id answers
        // attachment_not_found alike to a non-member, a removed member, after the delete and for someone else's upload
        // (AttachmentFlowTest, each rule its own test): this matrix has no attachment ids of its own to aim at.
        REST.put("POST /api/v1/conversations/{id}/attachments", Scope.CONVERSATION);
        REST.put("POST /api/v1/conversations/{id}/attachment-messages", Scope.CONVERSATION);
        REST.put("POST /api/v1/attachments/{attachmentId}/finalize", Scope.TOKEN);
        REST.put("GET /api/v1/attachments/{attachmentId}", Scope.TOKEN);
        REST.put("GET /api/v1/attachments/{attachmentId}/download", Scope.TOKEN);
        // Search (issue 17): only the caller's conversations are searched (SearchContract: non-member, removed member).
        REST.put("GET /api/v1/search", Scope.TOKEN);
        REST.put("POST /api/v1/search", Scope.TOKEN);
        // Talk to a stranger (issue 22): counts only.
        REST.put("GET /api/v1/match/stats", Scope.TOKEN);
        // Administration and moderation (issue 18): the matrix's callers are no server admins (ModerationApiTest
        // has the admin's side); a mute by a plain member is forbidden (ModerationApiTest), by a non-member 404.
        REST.put("PUT /api/v1/admin/users/{userId}/ban", Scope.ADMIN);
        REST.put("DELETE /api/v1/admin/users/{userId}/ban", Scope.ADMIN);
        REST.put("GET /api/v1/admin/audit", Scope.ADMIN);
        REST.put("GET /api/v1/admin/reports", Scope.ADMIN);
        // The moderation queue (issue 18 item 3): {itemId} is a held message of the group (existing) or an unknown id.
        REST.put("GET /api/v1/admin/queue", Scope.ADMIN);
        REST.put("POST /api/v1/admin/queue/{itemId}/approve", Scope.ADMIN);
        REST.put("POST /api/v1/admin/queue/{itemId}/reject", Scope.ADMIN);
        REST.put("PUT /api/v1/conversations/{id}/members/{userId}/mute", Scope.CONVERSATION);
        REST.put("DELETE /api/v1/conversations/{id}/members/{userId}/mute", Scope.CONVERSATION);
        REST.put("POST /api/v1/conversations/{id}/messages/{messageId}/report", Scope.MESSAGE);
    }

    /** Frame types by record of {@link ClientFrame}, and their scope. */
    static final Map<String, Map<String, Scope>> WS = Map.ofEntries(
            Map.entry("Auth", Map.of("auth", Scope.TOKEN)),
            Map.entry("Sync", Map.of("sync", Scope.CONVERSATION)),
            Map.entry("Send", Map.of("send", Scope.CONVERSATION)),
            Map.entry("Edit", Map.of("edit", Scope.MESSAGE)),
            Map.entry("Delete", Map.of("delete", Scope.MESSAGE)),
            Map.entry("React", Map.of("react", Scope.MESSAGE, "unreact", Scope.MESSAGE)),
            Map.entry("Receipt", Map.of("delivered", Scope.CONVERSATION, "read", Scope.CONVERSATION)),
            Map.entry("Typing", Map.of("typing", Scope.CONVERSATION)),
            Map.entry("PresenceQuery", Map.of("presence_query", Scope.PRESENCE)),
            Map.entry("Ping", Map.of("ping", Scope.TOKEN)),
            // Matching is the caller's own queue place and pair (pseudonymous): nothing of another user to aim at.
            Map.entry(
                    "Match",
                    Map.of(
                            "match_join", Scope.TOKEN,
                            "match_leave", Scope.TOKEN,
                            "match_next", Scope.TOKEN,
                            "match_end", Scope.TOKEN,
                            "match_block", Scope.TOKEN,
                            "match_report", Scope.TOKEN)));

    static final String MISSING_CONVERSATION = "c_doesnotexist0000000";
    static final String MISSING_MESSAGE = "m_doesnotexist0000000";
    static final String MISSING_USER = "u_doesnotexist";

    @TempDir
    static Path dir;

    static final ManualScheduler TIME = new ManualScheduler();
    static TestServer server;
    /** The owner's group, with mem, gone (removed) and ban (banned) once members; and its message. */
    static String group;

    static String message;
    /** A conversation of x1 and x2 only, and its message: what a guess of another conversation's ids lands on. */
    static String foreign;

    static String foreignMessage;
    /** A message of mem held in the moderation queue (put there through the store: screening is off here). */
    static long heldId;

    /** A member's access token whose device session was revoked (signed out) after it was issued. */
    static String revokedToken;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir).on(TIME).start();
        for (String u : List.of("ow", "mem", "non", "gone", "ban", "x1", "x2")) {
            new Rest(server.httpUrl(), TestServer.token(u)).get("/api/v1/me");
        }
        // A built-in account with a device session, a member of the group until its session is revoked below.
        JsonObject rev = new Rest(server.httpUrl(), null)
                .post(
                        "/api/v1/auth/register",
                        new JsonObject().put("username", "revoked").put("password", "revoked-pass"))
                .json();
        Rest owner = new Rest(server.httpUrl(), TestServer.token("ow"));
        group = owner.group("matrix", "mem", "gone", "ban", rev.getString("userId"));
        message = owner.post(
                        "/api/v1/conversations/" + group + "/messages",
                        new JsonObject().put("clientMsgId", "seed").put("body", "seed"))
                .json()
                .getString("messageId");
        assertThat(owner.delete("/api/v1/conversations/" + group + "/members/gone")
                        .status())
                .isEqualTo(200);
        Rest x1 = new Rest(server.httpUrl(), TestServer.token("x1"));
        foreign = x1.group("theirs", "x2");
        foreignMessage = x1.post(
                        "/api/v1/conversations/" + foreign + "/messages",
                        new JsonObject().put("clientMsgId", "seed-x").put("body", "theirs"))
                .json()
                .getString("messageId");
        heldId = ((io.parley.server.store.jdbc.JdbcChatStore) server.server().store())
                .moderation()
                .hold(
                        new io.parley.server.store.NewMessage(
                                group,
                                "mem",
                                "held-1",
                                "held",
                                "m_held0000000000000",
                                TIME.clock().millis()),
                        "matrix")
                .get(10, TimeUnit.SECONDS)
                .item()
                .id();
        server.server()
                .store()
                .setBanned("ban", true, System.currentTimeMillis())
                .get(10, TimeUnit.SECONDS);
        revokedToken = rev.getString("token");
        Rest revoked = new Rest(server.httpUrl(), revokedToken);
        assertThat(revoked.get("/api/v1/conversations/" + group).status())
                .as("the session's token works before the revocation")
                .isEqualTo(200);
        assertThat(revoked.delete("/api/v1/sessions/current").status()).isEqualTo(204);
        String banned = TestServer.token("ban");
        server.advanceUntil(
                Duration.ofSeconds(1),
                BanList.REFRESH.plusSeconds(2),
                () -> meStatus(banned) == 401,
                "the ban read by the node");
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static int meStatus(String token) {
        try {
            return FuzzTest.raw(port(), "GET", "/api/v1/me", bearer(token), null)
                    .status();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int port() {
        return server.port();
    }

    static Map<String, String> bearer(String token) {
        Map<String, String> h = new HashMap<>();
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        }
        return h;
    }

    static String forged(String user) {
        return new HmacJwt(
                        "another-secret-that-is-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8),
                        "parley",
                        null,
                        Clock.systemUTC())
                .issue(user, Duration.ofHours(1));
    }

    /**
     * A refused kind of caller: its token, the ids it aims at (existing, missing), and what it must get. A refused
     * token gets {@code refusal} on REST (status and code) and {@code closeCode} on the WebSocket.
     */
    record Caller(
            String name, String token, boolean tokenRefused, boolean guessesMessage, String refusal, int closeCode) {
        Caller(String name, String token, boolean tokenRefused, boolean guessesMessage) {
            this(name, token, tokenRefused, guessesMessage, "401 unauthorized", 4001);
        }
    }

    static List<Caller> callers() {
        return List.of(
                new Caller("non-member", TestServer.token("non"), false, false),
                new Caller("removed member", TestServer.token("gone"), false, false),
                new Caller("guessed id of another conversation", TestServer.token("mem"), false, true),
                new Caller("expired token", TestServer.expiredToken("mem"), true, false),
                new Caller("forged signature", forged("mem"), true, false),
                new Caller("banned user", TestServer.token("ban"), true, false),
                new Caller("no token", null, true, false),
                new Caller("revoked session", revokedToken, true, false, "401 session_revoked", 4003));
    }

    @Test
    void everyOperationHasARow() {
        Set<String> documented = new TreeSet<>();
        OpenApiEndpoints.all().forEach(e -> documented.add(e.key()));
        assertThat(new TreeSet<>(REST.keySet()))
                .as("rows of REST (a new endpoint needs one, a removed one loses it)")
                .isEqualTo(documented);
        Set<String> records = new TreeSet<>();
        for (Class<?> c : ClientFrame.class.getPermittedSubclasses()) {
            records.add(c.getSimpleName());
        }
        assertThat(new TreeSet<>(WS.keySet()))
                .as("rows of WS (a new frame record needs one)")
                .isEqualTo(records);
    }

    // ---- REST --------------------------------------------------------------------------------------------------

    /** The request for {@code e} aimed at {@code conversation} and {@code msg}, with a body valid for a member. */
    static FuzzTest.Answer call(OpenApiEndpoints.Endpoint e, String token, String conversation, String msg, String user)
            throws Exception {
        String path = e.path()
                .replace("{id}", conversation)
                .replace("{messageId}", msg)
                .replace("{itemId}", user.equals(MISSING_USER) ? "987654321" : String.valueOf(heldId))
                .replace("{userId}", user)
                .replace("{username}", "mem")
                .replace("{emoji}", URLEncoder.encode("\ud83d\udc4d", StandardCharsets.UTF_8));
        String body = null;
        Map<String, String> headers = bearer(token);
        if (e.hasBody()) {
            Map<String, Object> values = new HashMap<>();
            values.put("type", "group");
            values.put("title", "t");
            values.put("members", new JsonArray());
            values.put("userIds", new JsonArray().add("x1"));
            values.put("role", "admin");
            values.put("clientMsgId", "am-" + System.nanoTime());
            values.put("body", "hello");
            values.put("replyTo", null);
            values.put("seq", 1);
            values.put("active", true);
            values.put("name", "notes.txt");
            values.put("contentType", "text/plain");
            values.put("size", 5);
            values.put("sha256", "0".repeat(64));
            values.put("until", "2999-01-01T00:00:00Z");
            values.put("reason", "spam");
            body = OpenApiEndpoints.example(e, List.of(user), values).encode();
            headers.put("Content-Type", "application/json");
        }
        return FuzzTest.raw(port(), e.method(), path, headers, body);
    }

    /** status, code and message with the ids of the request taken out: what a caller may compare between guesses. */
    static String shape(FuzzTest.Answer a, String... ids) {
        String code = "-";
        String text = a.body();
        try {
            JsonObject error = new JsonObject(a.body()).getJsonObject("error");
            if (error != null) {
                code = error.getString("code");
                text = error.getString("message");
            }
        } catch (RuntimeException notJson) {
            // the body is compared as it is
        }
        for (String id : ids) {
            text = text.replace(id, "<id>");
        }
        return a.status() + " " + code + " " + text;
    }

    @Test
    void rest_refusesEveryCaller_withItsCode_andTheSameAnswerWhetherOrNotTheTargetExists() throws Exception {
        List<String> wrong = new ArrayList<>();
        int cells = 0;
        for (OpenApiEndpoints.Endpoint e : OpenApiEndpoints.all()) {
            Scope scope = REST.get(e.key());
            if (scope == null || scope == Scope.PUBLIC) {
                continue;
            }
            for (Caller c : callers()) {
                String expected;
                String existing;
                String missing;
                if (c.tokenRefused()) {
                    expected = c.refusal();
                    existing = shape(call(e, c.token(), group, message, "mem"), group, message);
                    missing = shape(
                            call(e, c.token(), MISSING_CONVERSATION, MISSING_MESSAGE, MISSING_USER),
                            MISSING_CONVERSATION,
                            MISSING_MESSAGE);
                } else if (scope == Scope.CONVERSATION || scope == Scope.MESSAGE) {
                    if (c.guessesMessage()) {
                        if (scope == Scope.CONVERSATION) {
                            // mem guesses the whole other conversation.
                            expected = "404 conversation_not_found";
                            existing = shape(call(e, c.token(), foreign, message, "x1"), foreign);
                            missing = shape(
                                    call(e, c.token(), MISSING_CONVERSATION, message, "x1"), MISSING_CONVERSATION);
                        } else {
                            // mem's own conversation, the other conversation's message.
                            expected = "404 message_not_found";
                            existing = shape(call(e, c.token(), group, foreignMessage, "mem"), foreignMessage);
                            missing = shape(call(e, c.token(), group, MISSING_MESSAGE, "mem"), MISSING_MESSAGE);
                        }
                    } else {
                        expected = "404 conversation_not_found";
                        existing = shape(call(e, c.token(), group, message, "mem"), group);
                        missing = shape(call(e, c.token(), MISSING_CONVERSATION, message, "mem"), MISSING_CONVERSATION);
                    }
                } else if (scope == Scope.ADMIN) {
                    expected = "403 forbidden";
                    existing = shape(call(e, c.token(), group, message, "mem"), "mem");
                    missing = shape(call(e, c.token(), group, message, MISSING_USER), MISSING_USER);
                } else if (scope == Scope.PRESENCE) {
                    // x1 shares no conversation with any of these callers.
                    expected = "404 user_not_found";
                    existing = shape(call(e, c.token(), group, message, "x1"), "x1");
                    missing = shape(call(e, c.token(), group, message, MISSING_USER), MISSING_USER);
                } else {
                    continue; // TOKEN scope: a valid token is all it needs
                }
                cells++;
                if (!existing.startsWith(expected + " ")) {
                    wrong.add(e.key() + " as " + c.name() + ": " + existing + " (expected " + expected + ")");
                }
                if (!existing.equals(missing)) {
                    wrong.add(e.key() + " as " + c.name() + ": the target's existence shows: " + existing + " vs "
                            + missing);
                }
            }
        }
        System.out.println("authorization matrix, REST: " + cells + " cells");
        assertThat(wrong).as("REST cells answered otherwise").isEmpty();
    }

    @Test
    void rest_matrixRequestsAreValid_forAMember() throws Exception {
        // The matrix's requests would be served to the owner: the refusals above are about the caller, not a bad
        // request. DELETEs are left out (they would remove the message or a member the matrix aims at).
        List<String> wrong = new ArrayList<>();
        for (OpenApiEndpoints.Endpoint e : OpenApiEndpoints.all()) {
            Scope scope = REST.get(e.key());
            // attachment-messages needs a finalized upload of the owner's (AttachmentFlowTest sends one).
            if ((scope == Scope.CONVERSATION || scope == Scope.MESSAGE)
                    && !e.method().equals("DELETE")
                    && !e.path().endsWith("/attachment-messages")) {
                FuzzTest.Answer a = call(e, TestServer.token("ow"), group, message, "mem");
                if (a.status() >= 400) {
                    wrong.add(e.key() + ": " + shape(a));
                }
                if (e.path().endsWith("/mute")) {
                    // mem must not stay muted: the WS rows aim mem's frames at this group.
                    String unmute = e.path().replace("{id}", group).replace("{userId}", "mem");
                    FuzzTest.Answer u = FuzzTest.raw(port(), "DELETE", unmute, bearer(TestServer.token("ow")), null);
                    assertThat(u.status()).as(u.body()).isEqualTo(200);
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    // ---- WebSocket ---------------------------------------------------------------------------------------------

    static JsonObject frame(String type, String conversation, String msg, String user) {
        JsonObject f = new JsonObject().put("type", type);
        switch (type) {
            case "sync" ->
                f.put("cursors", new JsonObject().put(conversation, 0)).put("unlisted", "skip");
            case "send" ->
                f.put("conversationId", conversation)
                        .put("clientMsgId", "wm-" + System.nanoTime())
                        .put("body", "hi");
            case "edit" ->
                f.put("conversationId", conversation)
                        .put("messageId", msg)
                        .put("body", "x")
                        .put("ref", "r");
            case "delete" ->
                f.put("conversationId", conversation).put("messageId", msg).put("ref", "r");
            case "react", "unreact" ->
                f.put("conversationId", conversation)
                        .put("messageId", msg)
                        .put("emoji", "\ud83d\udc4d")
                        .put("ref", "r");
            case "delivered", "read" -> f.put("conversationId", conversation).put("seq", 1);
            case "typing" -> f.put("conversationId", conversation).put("active", true);
            case "presence_query" -> f.put("userIds", new JsonArray().add(user)).put("ref", "q");
            case "auth" -> f.put("token", TestServer.token("mem"));
            default -> f.put("id", "p");
        }
        return f;
    }

    private static long refs;

    /**
     * Sends {@code f} (with a fresh ref, or clientMsgId for a send) and returns the frames the session gets until the
     * one that answers it (an error or answer with its ref; for a sync its synced; for read, delivered and typing an
     * error with the type as ref), with the ids and the ref taken out. Answers come after a store read, so a ping
     * behind the frame is no barrier; the ref is.
     */
    static List<String> answers(FuzzTest.Socket s, JsonObject f, String... ids) throws Exception {
        String type = f.getString("type");
        String ref;
        if (type.equals("send")) {
            ref = "wm-" + ++refs;
            f.put("clientMsgId", ref);
        } else if (f.containsKey("ref")) {
            ref = "r-" + ++refs;
            f.put("ref", ref);
        } else {
            ref = type;
        }
        s.ws.sendText(f.encode(), true).get(10, TimeUnit.SECONDS);
        List<String> got = new ArrayList<>();
        while (true) {
            String text = s.in.poll(10, TimeUnit.SECONDS);
            if (text == null || text.startsWith("close ")) {
                got.add(text == null ? "no answer within 10 s" : text);
                return got;
            }
            JsonObject frame = new JsonObject(text);
            frame.remove("serverTime");
            String t = frame.encode().replace("\"" + ref + "\"", "\"<ref>\"");
            for (String id : ids) {
                t = t.replace(id, "<id>");
            }
            got.add(t);
            boolean answer = ref.equals(frame.getString("ref"))
                    || ref.equals(frame.getString("clientMsgId"))
                    || (type.equals("sync") && "synced".equals(frame.getString("type")));
            if (answer) {
                return got;
            }
        }
    }

    @Test
    void ws_refusesEveryCaller_withItsCode_andTheSameAnswerWhetherOrNotTheTargetExists() throws Exception {
        List<String> wrong = new ArrayList<>();
        int cells = 0;
        for (Caller c : callers()) {
            if (c.tokenRefused()) {
                // Refused at the door: its close code (4001; 4003 for a revoked session) and no welcome, whether the
                // token is in the URL or an auth frame.
                FuzzTest.Socket s =
                        FuzzTest.Socket.openUrl(server.wsUrl() + (c.token() == null ? "" : "?token=" + c.token()));
                if (c.token() == null) {
                    s.ws.sendText(
                            new JsonObject()
                                    .put("type", "auth")
                                    .put("token", forged("mem"))
                                    .encode(),
                            true);
                }
                String first = s.in.poll(10, TimeUnit.SECONDS);
                cells++;
                if (first == null || !first.startsWith("close " + c.closeCode())) {
                    wrong.add("connect as " + c.name() + ": " + first + " (expected close " + c.closeCode() + ")");
                }
                s.ws.abort();
                continue;
            }
            FuzzTest.Socket s = FuzzTest.Socket.openUrl(server.wsUrl() + "?token=" + c.token());
            String welcome = s.in.poll(10, TimeUnit.SECONDS);
            assertThat(welcome).contains("\"welcome\"");
            for (Map<String, Scope> byType : WS.values()) {
                for (Map.Entry<String, Scope> t : byType.entrySet()) {
                    String type = t.getKey();
                    Scope scope = t.getValue();
                    List<String> existing;
                    List<String> missing;
                    String expected;
                    if (scope == Scope.PRESENCE) {
                        expected = null; // the answer leaves the user out: compared with a user who does not exist
                        existing = answers(s, frame(type, group, message, "x1"), "x1");
                        missing = answers(s, frame(type, group, message, MISSING_USER), MISSING_USER);
                    } else if (scope == Scope.TOKEN) {
                        continue;
                    } else if (c.guessesMessage() && scope == Scope.MESSAGE) {
                        expected = "message_not_found";
                        existing = answers(s, frame(type, group, foreignMessage, "x1"), foreignMessage);
                        missing = answers(s, frame(type, group, MISSING_MESSAGE, "x1"), MISSING_MESSAGE);
                    } else {
                        String target = c.guessesMessage() ? foreign : group;
                        expected = type.equals("sync") ? null : "conversation_not_found";
                        existing = answers(s, frame(type, target, message, "x1"), target);
                        missing = answers(s, frame(type, MISSING_CONVERSATION, message, "x1"), MISSING_CONVERSATION);
                    }
                    cells++;
                    if (expected != null
                            && !(existing.size() == 1 && existing.get(0).contains("\"code\":\"" + expected + "\""))) {
                        wrong.add(
                                type + " as " + c.name() + ": " + existing + " (expected one error " + expected + ")");
                    }
                    if (expected == null && existing.stream().anyMatch(x -> x.contains("\"event\""))) {
                        wrong.add(type + " as " + c.name() + ": events of a conversation not theirs: " + existing);
                    }
                    if (!existing.equals(missing)) {
                        wrong.add(type + " as " + c.name() + ": the target's existence shows: " + existing + " vs "
                                + missing);
                    }
                }
            }
            s.ws.abort();
        }
        System.out.println("authorization matrix, WebSocket: " + cells + " cells");
        assertThat(wrong).as("WebSocket cells answered otherwise").isEmpty();
    }
}
