package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.OutgoingMessage;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server admins, bans over REST, mutes and reports on a real node (SQLite) on manual time: the admin endpoints refuse
 * everyone else alike, a REST ban closes the user's socket with 4001, a muted member's sends, edits and reactions are
 * refused with {@code muted} over REST and WebSocket and nothing is stored, reports are idempotent, every action is in
 * the audit logs, and bad input gets its documented code and changes nothing.
 */
class ModerationApiTest {
    @TempDir
    Path dir;

    private final ManualScheduler time = new ManualScheduler();
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir.resolve("data")).on(time).start();
        for (String u : List.of("root", "ow", "mem", "other", "non")) {
            assertThat(rest(u).get("/api/v1/me").status()).isEqualTo(200);
        }
        server.grantAdmin("root");
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

    private List<String> actions(Rest.Response audit) {
        assertThat(audit.status()).as(audit.toString()).isEqualTo(200);
        return audit.json().getJsonArray("entries").stream()
                .map(o -> ((JsonObject) o).getString("action") + " " + ((JsonObject) o).getString("actorId") + " "
                        + ((JsonObject) o).getString("targetUserId"))
                .toList();
    }

    @Test
    void adminBan_closesTheSocketWith4001_refusesTokens_isAudited_andOthersGetTheSame403() {
        try (Chatter memWs = Chatter.connect("mem", server.wsUrl())) {
            Rest.Response byMember = rest("ow").put("/api/v1/admin/users/mem/ban", null);
            Rest.Response byMemberUnknown = rest("ow").put("/api/v1/admin/users/u_nobody/ban", null);
            assertThat(byMember.status()).isEqualTo(403);
            assertThat(byMember.errorCode()).isEqualTo("forbidden");
            assertThat(byMemberUnknown.toString()).isEqualTo(byMember.toString());
            assertThat(rest("ow").get("/api/v1/admin/audit").errorCode()).isEqualTo("forbidden");
            assertThat(rest("ow").get("/api/v1/admin/reports").errorCode()).isEqualTo("forbidden");
            Rest.Response unknown = rest("root").put("/api/v1/admin/users/u_nobody/ban", null);
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.errorCode()).isEqualTo("user_not_found");

            Rest.Response ban = rest("root").put("/api/v1/admin/users/mem/ban", null);

            assertThat(ban.status()).as(ban.toString()).isEqualTo(200);
            assertThat(ban.json().getBoolean("changed")).isTrue();
            // The close signal carries the ban's revocation entry at once: no timer involved.
            Poll.until(
                    () -> memWs.closes.stream().anyMatch(c -> c.equals("4001 user is banned")),
                    Duration.ofSeconds(1),
                    "mem's socket closed with 4001 within 1 s");
            assertThat(rest("mem").get("/api/v1/me").status()).isEqualTo(401);
            assertThat(rest("root")
                            .put("/api/v1/admin/users/mem/ban", null)
                            .json()
                            .getBoolean("changed"))
                    .isFalse();
            Rest.Response unban = rest("root").delete("/api/v1/admin/users/mem/ban");
            assertThat(unban.json().getBoolean("changed")).isTrue();
            assertThat(actions(rest("root").get("/api/v1/admin/audit")))
                    .containsSubsequence("unban root mem", "ban root mem", "grant_admin test root");
        }
    }

    @Test
    void mutedMember_isRefusedWithMuted_onRestAndWebSocket_storesNothing_stillReads_andUnmuteLetsThemBack()
            throws Exception {
        String group = rest("ow").group("g", "mem", "other");
        String c = "/api/v1/conversations/" + group;
        Rest.Response first = rest("mem")
                .post(c + "/messages", new JsonObject().put("clientMsgId", "m1").put("body", "hi"));
        String messageId = first.json().getString("messageId");

        Rest.Response mute;
        try (Chatter otherWs = Chatter.connect("other", server.wsUrl())) {
            mute = rest("ow").put(c + "/members/mem/mute", new JsonObject().putNull("until"));

            Chatter.await(
                    () -> otherWs.events().stream()
                            .anyMatch(e -> e.kind().equals("member_muted")
                                    && e.memberId().equals("mem")
                                    && e.actorId().equals("ow")
                                    && e.until() == null),
                    Duration.ofSeconds(10),
                    "the member_muted event on another member's socket");
        }

        assertThat(mute.status()).as(mute.toString()).isEqualTo(200);
        assertThat(mute.json().getString("until")).isNull();
        Rest.Response send = rest("mem")
                .post(c + "/messages", new JsonObject().put("clientMsgId", "m2").put("body", "x"));
        assertThat(send.status()).isEqualTo(403);
        assertThat(send.errorCode()).isEqualTo("muted");
        assertThat(rest("mem")
                        .call("PATCH", c + "/messages/" + messageId, new JsonObject().put("body", "edited"))
                        .errorCode())
                .isEqualTo("muted");
        String emoji = URLEncoder.encode("\ud83d\udc4d", StandardCharsets.UTF_8);
        assertThat(rest("mem")
                        .put(c + "/messages/" + messageId + "/reactions/" + emoji, null)
                        .errorCode())
                .isEqualTo("muted");
        try (Chatter memWs = Chatter.connect("mem", server.wsUrl())) {
            OutgoingMessage ws = memWs.send(group, "over the socket");
            assertThat(ws.acked())
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(OutgoingMessage.SendFailedException.class)
                    .satisfies(e -> assertThat(((OutgoingMessage.SendFailedException) e).code())
                            .isEqualTo("muted"));
        }
        Rest.Response history = rest("mem").get(c + "/messages");
        assertThat(history.status()).isEqualTo(200);
        JsonArray messages = history.json().getJsonArray("messages");
        assertThat(messages).hasSize(1);
        assertThat(messages.getJsonObject(0).getString("body")).isEqualTo("hi");
        assertThat(rest("other")
                        .post(
                                c + "/messages",
                                new JsonObject().put("clientMsgId", "o1").put("body", "ok"))
                        .status())
                .isEqualTo(201);

        Rest.Response unmute = rest("ow").delete(c + "/members/mem/mute");

        assertThat(unmute.json().getBoolean("unmuted")).isTrue();
        assertThat(rest("mem")
                        .post(
                                c + "/messages",
                                new JsonObject().put("clientMsgId", "m3").put("body", "back"))
                        .status())
                .isEqualTo(201);
        assertThat(actions(rest("ow").get(c + "/audit")))
                .containsSubsequence("member_unmuted ow mem", "member_muted ow mem");
        assertThat(actions(rest("root").get("/api/v1/admin/audit")))
                .containsSubsequence("member_unmuted ow mem", "member_muted ow mem");
    }

    @Test
    void muteUntilATime_endsByItself_whenTheClockPassesIt() {
        String group = rest("ow").group("g", "mem");
        String c = "/api/v1/conversations/" + group;
        Instant until = time.clock().instant().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
        assertThat(rest("root")
                        .put(c + "/members/mem/mute", new JsonObject().put("until", until.toString()))
                        .status())
                .isEqualTo(200);
        JsonArray events = rest("mem").get(c + "/events").json().getJsonArray("events");
        JsonObject muted = events.getJsonObject(events.size() - 1);
        assertThat(muted.getString("kind")).isEqualTo("member_muted");
        assertThat(muted.getString("actorId")).isEqualTo("root");
        assertThat(Instant.parse(muted.getString("until"))).isEqualTo(until);
        assertThat(rest("mem")
                        .post(
                                c + "/messages",
                                new JsonObject().put("clientMsgId", "a").put("body", "x"))
                        .errorCode())
                .isEqualTo("muted");

        time.advance(Duration.ofHours(1).plusSeconds(1));

        assertThat(rest("mem")
                        .post(
                                c + "/messages",
                                new JsonObject().put("clientMsgId", "a").put("body", "x"))
                        .status())
                .isEqualTo(201);
    }

    @Test
    void mute_refusesWhoMayNot_andBadInput_withDocumentedCodes_changingNothing() {
        String group = rest("ow").group("g", "mem", "other");
        String c = "/api/v1/conversations/" + group;
        JsonObject forever = new JsonObject().putNull("until");
        assertThat(rest("other").put(c + "/members/mem/mute", forever).errorCode())
                .isEqualTo("forbidden");
        assertThat(rest("mem").put(c + "/members/ow/mute", forever).errorCode()).isEqualTo("forbidden");
        assertThat(rest("non").put(c + "/members/mem/mute", forever).errorCode())
                .isEqualTo("conversation_not_found");
        assertThat(rest("ow").put(c + "/members/non/mute", forever).errorCode()).isEqualTo("user_not_found");
        assertThat(rest("ow")
                        .put(c + "/members/mem/mute", new JsonObject().put("until", "tomorrow"))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(rest("ow")
                        .put(c + "/members/mem/mute", new JsonObject().put("until", 5))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(rest("ow")
                        .put(
                                c + "/members/mem/mute",
                                new JsonObject()
                                        .put(
                                                "until",
                                                time.clock()
                                                        .instant()
                                                        .minusSeconds(1)
                                                        .toString()))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(rest("ow").put(c + "/members/mem/mute", new JsonObject()).errorCode())
                .isEqualTo("missing_field");
        assertThat(rest("mem")
                        .post(
                                c + "/messages",
                                new JsonObject().put("clientMsgId", "a").put("body", "x"))
                        .status())
                .isEqualTo(201);
        assertThat(rest("ow").delete(c + "/members/mem/mute").json().getBoolean("unmuted"))
                .isFalse();
        assertThat(actions(rest("ow").get(c + "/audit"))).isEmpty();
    }

    @Test
    void report_isStoredOnce_listedForAdmins_audited_andBadInputIsRefused() {
        String group = rest("ow").group("g", "mem");
        String c = "/api/v1/conversations/" + group;
        String messageId = rest("mem")
                .post(c + "/messages", new JsonObject().put("clientMsgId", "a").put("body", "spam"))
                .json()
                .getString("messageId");
        String path = c + "/messages/" + messageId + "/report";

        Rest.Response first = rest("ow").post(path, new JsonObject().put("reason", "spam"));
        Rest.Response again = rest("ow").post(path, new JsonObject().put("reason", "still spam"));

        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(first.json().getJsonObject("report").getString("senderId")).isEqualTo("mem");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().getJsonObject("report")).isEqualTo(first.json().getJsonObject("report"));
        assertThat(rest("non").post(path, new JsonObject().put("reason", "x")).errorCode())
                .isEqualTo("conversation_not_found");
        assertThat(rest("ow")
                        .post(c + "/messages/m_nope/report", new JsonObject().put("reason", "x"))
                        .errorCode())
                .isEqualTo("message_not_found");
        assertThat(rest("mem")
                        .post(path, new JsonObject().put("reason", "y".repeat(501)))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(rest("mem").post(path, new JsonObject().put("reason", " ")).errorCode())
                .isEqualTo("invalid_field");
        assertThat(rest("mem").post(path, new JsonObject()).errorCode()).isEqualTo("missing_field");
        Rest.Response reports = rest("root").get("/api/v1/admin/reports");
        assertThat(reports.json().getJsonArray("reports")).hasSize(1);
        assertThat(reports.json().getJsonArray("reports").getJsonObject(0).getString("reason"))
                .isEqualTo("spam");
        assertThat(actions(rest("root").get("/api/v1/admin/audit"))).contains("message_reported ow mem");
    }

    @Test
    void authAdmins_grantsTheNamedUsersAtStart_andSkipsUnknownNames() {
        Rest.Response carol = new Rest(server.httpUrl(), null)
                .post(
                        "/api/v1/auth/register",
                        new JsonObject().put("username", "carol").put("password", "carol-pass"));
        assertThat(carol.status()).isEqualTo(201);
        Rest carolRest = new Rest(server.httpUrl(), carol.json().getString("token"));
        assertThat(carolRest.get("/api/v1/admin/audit").status()).isEqualTo(403);
        server.stop();

        server = new TestServer(dir.resolve("data"), Map.of("auth.admins", "carol, nobody-here"))
                .on(time)
                .start();

        Rest again = new Rest(server.httpUrl(), carol.json().getString("token"));
        assertThat(actions(again.get("/api/v1/admin/audit")))
                .contains("grant_admin config " + carol.json().getString("userId"));
    }
}
