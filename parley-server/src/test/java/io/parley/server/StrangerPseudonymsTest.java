package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.time.ManualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, "a pseudonymous partner identity that reveals no account data": two registered accounts (usernames and
 * display names set) are matched, chat, react, read, type, report and block; every frame either of them receives and
 * every REST body about their conversation (also after a restart, from the store) is searched for the partner's user
 * id, username and display name, and none of them is there. Looking the partner up by pseudonym finds nothing, and
 * the members cannot reshape the conversation. The block outlives a restart.
 */
class StrangerPseudonymsTest {
    static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    record Account(String userId, String username, String displayName, String token) {}

    private static Account register(TestServer server, String username, String displayName) {
        Rest.Response r = new Rest(server.httpUrl(), null)
                .post(
                        "/api/v1/auth/register",
                        new JsonObject().put("username", username).put("password", username + "-password"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String token = r.json().getString("token");
        Rest.Response named = new Rest(server.httpUrl(), token)
                .call("PATCH", "/api/v1/me", new JsonObject().put("displayName", displayName));
        assertThat(named.status()).as(named.toString()).isEqualTo(200);
        return new Account(r.json().getString("userId"), username, displayName, token);
    }

    /** A socket whose every frame read is kept, to be searched at the end. */
    static final class Seen {
        final RawWs ws;
        final List<JsonObject> frames = new ArrayList<>();
        int pings;

        Seen(RawWs ws) {
            this.ws = ws;
        }

        JsonObject next() {
            JsonObject f = ws.next();
            frames.add(f);
            return f;
        }

        JsonObject next(String type, String field, String value) {
            for (JsonObject f = next(); ; f = next()) {
                if (type.equals(f.getString("type")) && (field == null || value.equals(f.getString(field)))) {
                    return f;
                }
            }
        }

        /** Reads everything the server sent before a pong of a ping sent now. */
        void drain() {
            pings++;
            String id = "drain-" + pings;
            ws.send("{\"type\":\"ping\",\"id\":\"" + id + "\"}");
            next("pong", "id", id);
        }
    }

    private static Seen connect(TestServer server, Account a) {
        Seen s = new Seen(RawWs.connect(vertx, server.port(), "/ws?token=" + a.token()));
        s.next("welcome", null, null);
        return s;
    }

    private static void assertReveals(String what, String text, Account partner) {
        assertThat(text)
                .as("%s shows nothing of the partner's account", what)
                .doesNotContain(partner.userId())
                .doesNotContain(partner.username())
                .doesNotContain(partner.displayName());
    }

    @Test
    void strangerConversation_everyFrameAndRestBody_showsThePartnerOnlyByPseudonym(@TempDir Path dir) {
        ManualScheduler time = new ManualScheduler();
        String conversation;
        String aliceAlias;
        String bobAlias;
        Account alice;
        Account bob;
        List<String> aliceSaw = new ArrayList<>();
        List<String> bobSaw = new ArrayList<>();
        try (TestServer server = new TestServer(dir).on(time).start()) {
            alice = register(server, "aliceliddell", "Alice Liddell");
            bob = register(server, "bobbyfischer", "Bobby Fischer");
            Seen a = connect(server, alice);
            Seen b = connect(server, bob);
            a.ws.send("{\"type\":\"match_join\"}");
            a.next("match", "event", "waiting");
            b.ws.send("{\"type\":\"match_join\"}");
            JsonObject matched = b.next("match", "event", "matched");
            a.next("match", "event", "matched");
            conversation = matched.getString("conversationId");
            bobAlias = matched.getString("you");
            aliceAlias = matched.getString("partner");

            b.ws.send("{\"type\":\"send\",\"conversationId\":\"" + conversation
                    + "\",\"clientMsgId\":\"b1\",\"body\":\"hello stranger\"}");
            JsonObject message = a.next("event", "clientMsgId", "b1");
            assertThat(message.getString("actorId"))
                    .as("%s %s", message, matched)
                    .isEqualTo(bobAlias);
            String messageId = message.getString("messageId");
            long seq = message.getLong("seq");
            a.ws.send("{\"type\":\"send\",\"conversationId\":\"" + conversation
                    + "\",\"clientMsgId\":\"a1\",\"body\":\"hello back\"}");
            assertThat(b.next("event", "clientMsgId", "a1").getString("actorId"))
                    .isEqualTo(aliceAlias);
            a.ws.send("{\"type\":\"react\",\"conversationId\":\"" + conversation + "\",\"messageId\":\"" + messageId
                    + "\",\"emoji\":\"👍\"}");
            b.next("event", "kind", "reaction_added");
            a.ws.send("{\"type\":\"typing\",\"conversationId\":\"" + conversation + "\"}");
            assertThat(b.next("typing", null, null).getString("userId")).isEqualTo(aliceAlias);
            a.ws.send("{\"type\":\"read\",\"conversationId\":\"" + conversation + "\",\"seq\":" + seq + "}");
            time.advance(Duration.ofSeconds(5));
            JsonObject receipts = b.next("receipts", null, null);
            assertThat(receipts.getJsonArray("receipts").getJsonObject(0).getString("userId"))
                    .isEqualTo(aliceAlias);
            a.ws.send("{\"type\":\"presence_query\",\"userIds\":[\"" + bob.userId() + "\"]}");
            a.drain();
            b.drain();

            Rest rest = new Rest(server.httpUrl(), alice.token());
            String c = "/api/v1/conversations/" + conversation;
            for (String path : List.of(
                    "/api/v1/conversations",
                    c,
                    c + "/members",
                    c + "/messages",
                    c + "/events",
                    c + "/receipts",
                    c + "/messages/" + messageId,
                    c + "/messages/" + messageId + "/receipts",
                    c + "/audit")) {
                Rest.Response r = rest.get(path);
                assertThat(r.status()).as(path + " " + r).isIn(200, 403);
                aliceSaw.add(path + " " + r.json().encode());
            }
            // Search hits name the sender: the hit of bob's message shows his pseudonym.
            Poll.until(
                    () -> rest.get("/api/v1/search?q=stranger")
                                    .json()
                                    .getJsonArray("results")
                                    .size()
                            > 0,
                    Duration.ofSeconds(10),
                    "the message indexed");
            JsonObject hits = rest.get("/api/v1/search?q=stranger").json();
            assertThat(hits.getJsonArray("results").getJsonObject(0).getString("senderId"))
                    .isEqualTo(bobAlias);
            aliceSaw.add(hits.encode());
            JsonObject shown = rest.get(c + "/members").json();
            assertThat(shown.getJsonArray("members").stream()
                            .map(m -> ((JsonObject) m).getString("userId"))
                            .toList())
                    .containsExactlyInAnyOrder(aliceAlias, bobAlias);
            assertThat(rest.get(c).json().getString("type")).isEqualTo("stranger");

            // The pseudonym is no account: no user, no DM, no search hit.
            String enc = URLEncoder.encode(bobAlias, StandardCharsets.UTF_8);
            assertThat(rest.get("/api/v1/users/by-username/" + enc).status()).isEqualTo(404);
            assertThat(rest.get("/api/v1/users?q=" + enc).json().encode()).doesNotContain(bob.userId());
            Rest.Response dm = rest.post(
                    "/api/v1/conversations",
                    new JsonObject().put("type", "direct").put("userId", bobAlias));
            assertThat(dm.status()).as(dm.toString()).isIn(400, 404);
            // The members cannot reshape it (docs/api.md, "Stranger conversations").
            assertThat(rest.call("PATCH", c, new JsonObject().put("title", "Mine"))
                            .errorCode())
                    .isEqualTo("forbidden");
            assertThat(rest.post(
                                    c + "/members",
                                    new JsonObject()
                                            .put("userIds", new io.vertx.core.json.JsonArray().add(alice.userId())))
                            .errorCode())
                    .isEqualTo("forbidden");
            Rest bobRest = new Rest(server.httpUrl(), bob.token());
            assertThat(bobRest.put(c + "/members/" + bobAlias + "/role", new JsonObject().put("role", "admin"))
                            .errorCode())
                    .isEqualTo("forbidden");
            for (String path : List.of(c, c + "/members", c + "/messages", c + "/events", c + "/audit")) {
                bobSaw.add(path + " " + bobRest.get(path).json().encode());
            }

            a.ws.send("{\"type\":\"match_report\",\"reason\":\"rude\"}");
            a.next("match", "event", "reported");
            a.ws.send("{\"type\":\"match_block\",\"ref\":\"blk\"}");
            assertThat(a.next("match", "event", "ended").getString("reason")).isEqualTo("block");
            b.next("match", "event", "partner_left");
            a.drain();
            b.drain();
            a.frames.forEach(f -> aliceSaw.add(f.encode()));
            b.frames.forEach(f -> bobSaw.add(f.encode()));
            a.ws.close();
            b.ws.close();
        }

        // After a restart the pseudonyms come from the store.
        try (TestServer server = new TestServer(dir).on(new ManualScheduler()).start()) {
            Rest rest = new Rest(server.httpUrl(), alice.token());
            String c = "/api/v1/conversations/" + conversation;
            JsonObject members = rest.get(c + "/members").json();
            assertThat(members.encode()).contains(bobAlias);
            aliceSaw.add(members.encode());
            aliceSaw.add(rest.get(c + "/messages").json().encode());
            aliceSaw.add(rest.get("/api/v1/conversations").json().encode());
            try (RawWs again = RawWs.connect(vertx, server.port(), "/ws?token=" + alice.token())) {
                again.next("welcome");
                again.send("{\"type\":\"sync\",\"cursors\":{\"" + conversation + "\":0}}");
                for (JsonObject f = again.next(); !"synced".equals(f.getString("type")); f = again.next()) {
                    aliceSaw.add(f.encode());
                }
            }
        }
        // The block survived the restart (stored, and read by the matcher before it pairs): the two only wait.
        try (TestServer server = new TestServer(dir).on(new ManualScheduler()).start()) {
            Seen a = connect(server, alice);
            Seen b = connect(server, bob);
            a.ws.send("{\"type\":\"match_join\"}");
            a.next("match", "event", "waiting");
            b.ws.send("{\"type\":\"match_join\"}");
            assertThat(b.next("match", null, null).getString("event"))
                    .as("alice blocked bob before the restart")
                    .isEqualTo("waiting");
            a.ws.close();
            b.ws.close();
        }
        assertThat(aliceSaw).anyMatch(s -> s.contains("hello stranger"));
        assertReveals("what alice saw", String.join("\n", aliceSaw), bob);
        assertReveals("what bob saw", String.join("\n", bobSaw), alice);
    }
}
