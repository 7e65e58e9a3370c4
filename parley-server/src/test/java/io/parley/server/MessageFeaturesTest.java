package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.ParleyException;
import io.parley.protocol.ServerFrame;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edits, deletes, reactions and replies: live, on resume, in history, and who may do what. */
class MessageFeaturesTest {
    private static final String THUMBS = "\uD83D\uDC4D";
    private static final String HEART = "\u2764\uFE0F";

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static String code(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ParleyException p) {
                return p.code();
            }
            throw new AssertionError("unexpected failure", e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a refusal, got success");
    }

    @Test
    void changesMadeWhileBobIsOffline_reachHimOnResume_inOrder_once(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            Rest bobRest = new Rest(server.httpUrl(), TestServer.token("bob"));
            bobRest.get("/api/v1/me");
            Rest aliceRest = new Rest(server.httpUrl(), TestServer.token("alice"));
            String dm = aliceRest.direct("bob");
            try (Chatter alice = Chatter.connect("alice", server.wsUrl())) {
                String m1 = get(alice.send(dm, "first").acked()).messageId();
                String m2 = get(alice.send(dm, "second").acked()).messageId();
                String m3 = get(alice.send(dm, "third").acked()).messageId();
                Map<String, Long> bobCursors;
                try (Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                    bob.awaitCount(dm, 3, Duration.ofSeconds(10));
                    bobCursors = bob.client.cursors();
                }
                long seen = bobCursors.get(dm);

                // Bob is away: every kind of change happens.
                ServerFrame.Ok edit = get(alice.client.edit(dm, m1, "first, edited"));
                assertThat(edit.duplicate()).isFalse();
                assertThat(get(alice.client.edit(dm, m1, "first, edited")).duplicate())
                        .as("same text again")
                        .isTrue();
                get(alice.client.delete(dm, m2));
                assertThat(get(alice.client.delete(dm, m2)).duplicate()).isTrue();
                get(alice.client.react(dm, m3, THUMBS, true));
                assertThat(get(alice.client.react(dm, m3, THUMBS, true)).duplicate())
                        .isTrue();
                get(alice.client.react(dm, m3, HEART, true));
                get(alice.client.react(dm, m3, HEART, false));
                String reply =
                        get(alice.client.reply(dm, m3, "re: third").acked()).messageId();

                try (Chatter bob = Chatter.connect("bob", server.wsUrl(), bobCursors)) {
                    List<ServerFrame.Event> got = bob.events().stream()
                            .filter(e -> e.conversationId().equals(dm))
                            .toList();
                    assertThat(got)
                            .extracting(ServerFrame.Event::kind)
                            .containsExactly(
                                    "message_edited",
                                    "message_deleted",
                                    "reaction_added",
                                    "reaction_added",
                                    "reaction_removed",
                                    "message");
                    for (int i = 0; i < got.size(); i++) {
                        assertThat(got.get(i).seq()).isEqualTo(seen + 1 + i);
                    }
                    assertThat(got.get(0).messageId()).isEqualTo(m1);
                    assertThat(got.get(0).body()).isEqualTo("first, edited");
                    assertThat(got.get(1).messageId()).isEqualTo(m2);
                    assertThat(got.get(2).emoji()).isEqualTo(THUMBS);
                    assertThat(got.get(5).replyTo()).isEqualTo(m3);
                    assertThat(got.get(5).replySnippet()).isEqualTo("third");

                    // Live too, once: a later edit reaches Bob's open session exactly once.
                    get(alice.client.edit(dm, reply, "re: third (fixed)"));
                    Chatter.await(
                            () -> bob.events().stream()
                                            .filter(e -> e.messageId() != null
                                                    && e.messageId().equals(reply)
                                                    && e.kind().equals("message_edited"))
                                            .count()
                                    == 1,
                            Duration.ofSeconds(10),
                            "the live edit");
                    assertThat(new HashSet<>(bob.events().stream()
                                    .map(e -> e.conversationId() + "/" + e.seq())
                                    .toList()))
                            .hasSize(bob.events().size());
                }

                // A device that replays everything sees the deleted message as a tombstone at its seq.
                try (Chatter fresh = Chatter.connect("bob", server.wsUrl())) {
                    ServerFrame.Event second = fresh.events().stream()
                            .filter(e -> m2.equals(e.messageId()) && e.kind().equals("message"))
                            .findFirst()
                            .orElseThrow();
                    assertThat(second.deleted()).isTrue();
                    assertThat(second.body()).isNull();
                }

                // History shows the current state.
                JsonArray page = bobRest.get("/api/v1/conversations/" + dm + "/messages")
                        .json()
                        .getJsonArray("messages");
                assertThat(page).hasSize(4);
                JsonObject first = page.getJsonObject(0);
                assertThat(first.getString("body")).isEqualTo("first, edited");
                assertThat(first.getString("editedAt")).isNotNull();
                JsonObject deleted = page.getJsonObject(1);
                assertThat(deleted.getBoolean("deleted")).isTrue();
                assertThat(deleted.getValue("body")).isNull();
                JsonObject third = page.getJsonObject(2);
                assertThat(third.getJsonArray("reactions")).hasSize(1);
                assertThat(third.getJsonArray("reactions").getJsonObject(0).getInteger("count"))
                        .isEqualTo(1);
                assertThat(third.getJsonArray("reactions").getJsonObject(0).getJsonArray("userIds"))
                        .containsExactly("alice");
                assertThat(page.getJsonObject(3).getJsonObject("replyTo").getString("messageId"))
                        .isEqualTo(m3);
                assertThat(page.getJsonObject(3).getString("body")).isEqualTo("re: third (fixed)");

                JsonArray versions = bobRest.get("/api/v1/conversations/" + dm + "/messages/" + m1 + "/edits")
                        .json()
                        .getJsonArray("versions");
                assertThat(versions.stream()
                                .map(v -> ((JsonObject) v).getString("body"))
                                .toList())
                        .containsExactly("first", "first, edited");
                assertThat(bobRest.get("/api/v1/conversations/" + dm + "/messages/" + m2 + "/edits")
                                .errorCode())
                        .isEqualTo("message_not_found");
                JsonArray replies = bobRest.get("/api/v1/conversations/" + dm + "/messages/" + m3 + "/replies")
                        .json()
                        .getJsonArray("messages");
                assertThat(replies).hasSize(1);
                assertThat(replies.getJsonObject(0).getString("messageId")).isEqualTo(reply);

                // A reply to a deleted message is refused; a deleted message cannot be edited or reacted to.
                assertThat(aliceRest
                                .post(
                                        "/api/v1/conversations/" + dm + "/messages",
                                        new JsonObject()
                                                .put("clientMsgId", "r2")
                                                .put("body", "re")
                                                .put("replyTo", m2))
                                .errorCode())
                        .isEqualTo("message_not_found");
                assertThat(code(alice.client.edit(dm, m2, "revive"))).isEqualTo("message_not_found");
                assertThat(code(alice.client.react(dm, m2, THUMBS, true))).isEqualTo("message_not_found");
            }
        }
    }

    @Test
    void authorization_onlyMembersChange_onlySendersEdit_onlyOwnersAndAdminsModerate(@TempDir Path dir)
            throws Exception {
        ManualScheduler time = new ManualScheduler();
        try (TestServer server = new TestServer(dir, Map.of("messages.edit-window", "3s"))
                .on(time)
                .start()) {
            for (String u : List.of("bob", "carol", "dave")) {
                new Rest(server.httpUrl(), TestServer.token(u)).get("/api/v1/me");
            }
            Rest aliceRest = new Rest(server.httpUrl(), TestServer.token("alice"));
            Rest bobRest = new Rest(server.httpUrl(), TestServer.token("bob"));
            Rest carolRest = new Rest(server.httpUrl(), TestServer.token("carol"));
            String group = aliceRest.group("team", "bob", "dave");
            assertThat(aliceRest
                            .put(
                                    "/api/v1/conversations/" + group + "/members/dave/role",
                                    new JsonObject().put("role", "admin"))
                            .status())
                    .isEqualTo(200);
            String dm = aliceRest.direct("bob");
            try (Chatter alice = Chatter.connect("alice", server.wsUrl());
                    Chatter bob = Chatter.connect("bob", server.wsUrl());
                    Chatter carol = Chatter.connect("carol", server.wsUrl());
                    Chatter dave = Chatter.connect("dave", server.wsUrl())) {
                String byAlice = get(alice.send(group, "alice's").acked()).messageId();
                String byBob = get(bob.send(group, "bob's").acked()).messageId();
                String inDm = get(alice.send(dm, "dm").acked()).messageId();

                // Carol is not a member: nothing about the group works for her, and nothing leaks.
                assertThat(code(carol.client.react(group, byAlice, THUMBS, true)))
                        .isEqualTo("conversation_not_found");
                assertThat(code(carol.client.edit(group, byAlice, "x"))).isEqualTo("conversation_not_found");
                assertThat(code(carol.client.delete(group, byAlice))).isEqualTo("conversation_not_found");
                String emoji = URLEncoder.encode(THUMBS, StandardCharsets.UTF_8);
                assertThat(carolRest
                                .put(
                                        "/api/v1/conversations/" + group + "/messages/" + byAlice + "/reactions/"
                                                + emoji,
                                        null)
                                .errorCode())
                        .isEqualTo("conversation_not_found");
                assertThat(carolRest
                                .post("/api/v1/conversations/" + group + "/read", new JsonObject().put("seq", 1))
                                .errorCode())
                        .isEqualTo("conversation_not_found");
                assertThat(carolRest
                                .post("/api/v1/conversations/" + group + "/typing", new JsonObject())
                                .errorCode())
                        .isEqualTo("conversation_not_found");
                assertThat(carolRest
                                .get("/api/v1/conversations/" + group + "/messages/" + byAlice + "/receipts")
                                .errorCode())
                        .isEqualTo("conversation_not_found");
                assertThat(carolRest.get("/api/v1/presence/alice").errorCode()).isEqualTo("user_not_found");
                assertThat(get(carol.client.queryPresence(List.of("alice", "bob"))))
                        .isEmpty();
                carol.client.markRead(group, 5);
                carol.client.typing(group, true);
                Chatter.await(() -> carol.errors().size() >= 2, Duration.ofSeconds(10), "carol's two errors");
                assertThat(carol.errors())
                        .extracting(ServerFrame.Error::code)
                        .containsExactly("conversation_not_found", "conversation_not_found");
                assertThat(carol.errors())
                        .extracting(ServerFrame.Error::ref)
                        .containsExactlyInAnyOrder("read", "typing");

                // No one edits another user's message; reacting to it is fine.
                assertThat(code(bob.client.edit(group, byAlice, "hijacked"))).isEqualTo("forbidden");
                assertThat(code(dave.client.edit(group, byAlice, "admin edit"))).isEqualTo("forbidden");
                assertThat(get(bob.client.react(group, byAlice, THUMBS, true)).seq())
                        .isNotNull();

                // Members do not delete others' messages; in a DM nobody does; the admin of a group does.
                assertThat(code(bob.client.delete(group, byAlice))).isEqualTo("forbidden");
                assertThat(code(bob.client.delete(dm, inDm))).isEqualTo("forbidden");
                assertThat(bobRest.get("/api/v1/conversations/" + group + "/audit")
                                .errorCode())
                        .isEqualTo("forbidden");
                ServerFrame.Ok moderated = get(dave.client.delete(group, byBob));
                JsonArray audit = aliceRest
                        .get("/api/v1/conversations/" + group + "/audit")
                        .json()
                        .getJsonArray("entries");
                assertThat(audit).hasSize(1);
                JsonObject entry = audit.getJsonObject(0);
                assertThat(entry.getString("actorId")).isEqualTo("dave");
                assertThat(entry.getString("action")).isEqualTo("message_deleted");
                assertThat(entry.getString("targetMessageId")).isEqualTo(byBob);
                assertThat(entry.getString("targetUserId")).isEqualTo("bob");
                assertThat(entry.getLong("seq")).isEqualTo(moderated.seq());
                // The sender deleting their own message is not moderation.
                get(alice.client.delete(dm, inDm));
                assertThat(aliceRest
                                .get("/api/v1/conversations/" + group + "/audit")
                                .json()
                                .getJsonArray("entries"))
                        .hasSize(1);

                // Bad input leaves the connection usable.
                assertThat(code(alice.client.react(group, byAlice, "lol", true)))
                        .isEqualTo("invalid_field");
                assertThat(code(alice.client.edit(group, byAlice, " "))).isEqualTo("body_empty");
                assertThat(code(alice.client.edit(group, "m_nope", "x"))).isEqualTo("message_not_found");

                // The edit window closes.
                time.advance(Duration.ofMillis(3100));
                assertThat(code(alice.client.edit(group, byAlice, "too late"))).isEqualTo("edit_window_closed");
                assertThat(get(alice.send(group, "still connected").acked()).seq())
                        .isPositive();
            }
        }
    }
}
