package io.parley.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.Rest;
import io.parley.server.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin commands against a real store and a real server on it, once per store (SQLite, PostgreSQL): each test
 * runs commands in process through {@link Admin#run} with a configuration file naming the same store as the server.
 */
abstract class AdminCommandsContract {
    @TempDir
    Path dir;

    TestServer server;
    AdminRun admin;

    /** The store's settings (store.url and what else it needs), as both the server and the commands read them. */
    abstract Map<String, String> storeSettings();

    /** A connection to the store's database (and schema) that bypasses Parley, to corrupt it on purpose. */
    abstract Connection raw() throws SQLException;

    /** Makes {@code members.user_id} accept ids no user has, as a database without that foreign key would. */
    abstract void dropMemberUserForeignKey() throws SQLException;

    /** Runs first: what the store needs before a server opens it. */
    void prepareStore() {}

    @BeforeEach
    void startServerAndAdmin() {
        prepareStore();
        server = new TestServer(dir.resolve("data"), storeSettings()).start();
        Map<String, String> settings = new HashMap<>(storeSettings());
        settings.put("data.dir", dir.resolve("data").toString());
        settings.put("auth.bcrypt-cost", "4");
        settings.put("http.port", Integer.toString(server.port()));
        admin = new AdminRun(dir, settings);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    Rest anonymous() {
        return new Rest(server.httpUrl(), null);
    }

    Rest.Response login(String username, String password) {
        return anonymous()
                .post(
                        "/api/v1/auth/login",
                        new JsonObject().put("username", username).put("password", password));
    }

    /** Registers over REST; returns the answer (userId, token). */
    JsonObject register(String username) {
        Rest.Response r = anonymous()
                .post(
                        "/api/v1/auth/register",
                        new JsonObject().put("username", username).put("password", username + "-password"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    void sql(String statement, Object... params) throws SQLException {
        try (Connection c = raw();
                PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    /** A direct conversation of alice and bob with three messages and a read receipt; returns its id. */
    String conversationWithMessages(JsonObject alice, JsonObject bob) {
        Rest a = new Rest(server.httpUrl(), alice.getString("token"));
        String conv = a.direct(bob.getString("userId"));
        for (int i = 1; i <= 3; i++) {
            Rest.Response sent = a.post(
                    "/api/v1/conversations/" + conv + "/messages",
                    new JsonObject().put("clientMsgId", "m" + i).put("body", "hello " + i));
            assertThat(sent.status()).as(sent.toString()).isBetween(200, 201);
        }
        return conv;
    }

    // ---- accounts --------------------------------------------------------------------------------------------------

    @Test
    void createUser_printsTheUserId_andTheAccountLogsIn() {
        AdminRun.Result r = admin.runWithInput("carol-password\n", "create-user", "carol");

        assertThat(r.status()).as(r.toString()).isZero();
        String id = r.out().trim();
        assertThat(id).startsWith("u_");
        Rest.Response login = login("carol", "carol-password");
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(login.json().getString("userId")).isEqualTo(id);
    }

    @Test
    void createUser_withPasswordFile_takesItsFirstLine() throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, "file-password\nignored\n", StandardCharsets.UTF_8);

        AdminRun.Result r = admin.run("create-user", "dave", "--password-file", file.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(login("dave", "file-password").status()).isEqualTo(200);
    }

    @Test
    void createUser_refusesATakenName_aShortPassword_aBadName_andAPseudonym() {
        register("alice");

        AdminRun.Result taken = admin.runWithInput("another-password\n", "create-user", "alice");
        AdminRun.Result shortPassword = admin.runWithInput("short\n", "create-user", "erin");
        AdminRun.Result badName = admin.runWithInput("erin-password\n", "create-user", "e rin");
        AdminRun.Result pseudonym = admin.runWithInput("erin-password\n", "create-user", "Stranger-erin");

        assertThat(taken.status()).as(taken.toString()).isEqualTo(Admin.FAILED);
        assertThat(taken.err()).contains("taken");
        assertThat(shortPassword.status()).as(shortPassword.toString()).isEqualTo(Admin.USAGE);
        assertThat(badName.status()).as(badName.toString()).isEqualTo(Admin.USAGE);
        assertThat(pseudonym.status()).as(pseudonym.toString()).isEqualTo(Admin.USAGE);
        assertThat(pseudonym.err()).contains("reserved for stranger pseudonyms");
        assertThat(login("Stranger-erin", "erin-password").status()).isEqualTo(401);
        assertThat(login("erin", "erin-password").status()).isEqualTo(401);
        assertThat(login("alice", "alice-password").status()).isEqualTo(200);
    }

    @Test
    void resetPassword_replacesThePassword_andFailsForAnUnknownName() {
        register("alice");

        AdminRun.Result r = admin.runWithInput("brand-new-password\n", "reset-password", "alice");
        AdminRun.Result unknown = admin.runWithInput("brand-new-password\n", "reset-password", "nobody");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(login("alice", "brand-new-password").status()).isEqualTo(200);
        assertThat(login("alice", "alice-password").status()).isEqualTo(401);
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(Admin.FAILED);
    }

    @Test
    void ban_refusesLogin_andUnbanAllowsItAgain() {
        register("alice");

        AdminRun.Result ban = admin.run("ban", "alice");
        AdminRun.Result again = admin.run("ban", "alice");
        Rest.Response whileBanned = login("alice", "alice-password");
        AdminRun.Result unban = admin.run("unban", "alice");

        assertThat(ban.status()).as(ban.toString()).isZero();
        assertThat(again.status()).as(again.toString()).isZero();
        assertThat(again.out()).contains("already banned");
        assertThat(whileBanned.status()).isEqualTo(403);
        assertThat(whileBanned.errorCode()).isEqualTo("forbidden");
        assertThat(unban.status()).as(unban.toString()).isZero();
        assertThat(login("alice", "alice-password").status()).isEqualTo(200);
    }

    @Test
    void ban_byId_bansAUserOfExternalTokens_andAnUnknownUserFails() throws Exception {
        // An external token provisions the user on first sight: no username, so only --id names it.
        assertThat(new Rest(server.httpUrl(), TestServer.token("ext-7"))
                        .get("/api/v1/me")
                        .status())
                .isEqualTo(200);

        AdminRun.Result ban = admin.run("ban", "--id", "ext-7");
        AdminRun.Result unknown = admin.run("ban", "nobody");
        AdminRun.Result unknownId = admin.run("ban", "--id", "nobody");

        assertThat(ban.status()).as(ban.toString()).isZero();
        try (Connection c = raw();
                PreparedStatement ps = c.prepareStatement("SELECT banned_at FROM users WHERE id = 'ext-7'");
                java.sql.ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getObject(1)).isNotNull();
        }
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(Admin.FAILED);
        assertThat(unknownId.status()).as(unknownId.toString()).isEqualTo(Admin.FAILED);
    }

    @Test
    void sessionsList_printsTheUsersLiveSessions_andRevoke_refusesTheTokenOnTheRunningNode_audited() {
        JsonObject alice = register("alice");
        Rest aliceRest = new Rest(server.httpUrl(), alice.getString("token"));
        String sessionId = aliceRest
                .get("/api/v1/sessions")
                .json()
                .getJsonArray("sessions")
                .getJsonObject(0)
                .getString("id");

        AdminRun.Result list = admin.run("sessions", "list", "alice");
        AdminRun.Result unknownUser = admin.run("sessions", "list", "nobody");
        AdminRun.Result unknownSession = admin.run("sessions", "revoke", "s_nope");
        AdminRun.Result usage = admin.run("sessions", "list");
        AdminRun.Result revoke = admin.run("sessions", "revoke", sessionId);
        AdminRun.Result twice = admin.run("sessions", "revoke", sessionId);

        assertThat(list.status()).as(list.toString()).isZero();
        assertThat(list.out()).startsWith(sessionId + "\t");
        assertThat(unknownUser.status()).isEqualTo(Admin.FAILED);
        assertThat(unknownSession.status()).isEqualTo(Admin.FAILED);
        assertThat(usage.status()).isEqualTo(Admin.USAGE);
        assertThat(revoke.status()).as(revoke.toString()).isZero();
        assertThat(twice.out()).contains("already revoked");
        // The running node reads the revocation log every Revocations.POLL (500 ms).
        io.parley.server.Poll.until(
                () -> aliceRest.get("/api/v1/me").status() == 401,
                java.time.Duration.ofSeconds(1),
                "the revoked session's token refused within 1 s");
        assertThat(admin.run("sessions", "list", "alice").out()).isEmpty();
    }

    @Test
    void grantAdmin_makesAServerAdminOnTheRunningNode_revokeAdminUndoesIt_bothAudited() {
        JsonObject alice = register("alice");
        Rest aliceRest = new Rest(server.httpUrl(), alice.getString("token"));
        assertThat(aliceRest.get("/api/v1/admin/audit").status()).isEqualTo(403);

        AdminRun.Result grant = admin.run("grant-admin", "alice");
        AdminRun.Result again = admin.run("grant-admin", "alice");
        AdminRun.Result unknown = admin.run("grant-admin", "nobody");

        assertThat(grant.status()).as(grant.toString()).isZero();
        assertThat(again.out()).contains("already");
        assertThat(unknown.status()).isEqualTo(Admin.FAILED);
        // The node reads the admins every ModerationService.REFRESH (1 s).
        io.parley.server.Poll.until(
                () -> aliceRest.get("/api/v1/admin/audit").status() == 200,
                java.time.Duration.ofSeconds(3),
                "alice an admin on the running node");
        JsonArray entries = aliceRest.get("/api/v1/admin/audit").json().getJsonArray("entries");
        assertThat(entries.getJsonObject(0).getString("action")).isEqualTo("grant_admin");
        assertThat(entries.getJsonObject(0).getString("actorId")).startsWith("cli:");
        assertThat(admin.run("revoke-admin", "alice").status()).isZero();
        io.parley.server.Poll.until(
                () -> aliceRest.get("/api/v1/admin/audit").status() == 403,
                java.time.Duration.ofSeconds(3),
                "alice no admin any more");
    }

    // ---- export ----------------------------------------------------------------------------------------------------

    @Test
    void export_writesEveryEventAsAJsonLine_inSeqOrder_inTheRestShape() throws Exception {
        JsonObject alice = register("alice");
        JsonObject bob = register("bob");
        String conv = conversationWithMessages(alice, bob);
        Path out = dir.resolve("export.jsonl");

        AdminRun.Result toStdout = admin.run("export", conv);
        AdminRun.Result toFile = admin.run("export", conv, "--out", out.toString());

        assertThat(toStdout.status()).as(toStdout.toString()).isZero();
        assertThat(toFile.status()).as(toFile.toString()).isZero();
        List<String> lines = toStdout.out().lines().toList();
        assertThat(Files.readAllLines(out, StandardCharsets.UTF_8)).isEqualTo(lines);
        JsonArray rest = new Rest(server.httpUrl(), alice.getString("token"))
                .get("/api/v1/conversations/" + conv + "/events?after=0&limit=200")
                .json()
                .getJsonArray("events");
        List<JsonObject> exported = new ArrayList<>();
        lines.forEach(l -> exported.add(new JsonObject(l)));
        // conversation_created, two member_added, three messages
        assertThat(exported).hasSize(6);
        for (int i = 0; i < exported.size(); i++) {
            assertThat(exported.get(i).getLong("seq")).isEqualTo(i + 1L);
            assertThat(exported.get(i)).isEqualTo(rest.getJsonObject(i));
        }
        assertThat(exported.get(5).getString("body")).isEqualTo("hello 3");
    }

    @Test
    void export_ofAnUnknownConversation_failsAndWritesNothing() {
        Path out = dir.resolve("none.jsonl");

        AdminRun.Result r = admin.run("export", "c_nope", "--out", out.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(Admin.FAILED);
        assertThat(out).doesNotExist();
    }

    // ---- search-rebuild --------------------------------------------------------------------------------------------

    /** Deletes the search index's documents behind the server's back. */
    void wipeSearchIndex() throws SQLException {
        sql("DELETE FROM search_docs");
    }

    @Test
    void searchRebuild_restoresAWipedIndex_whileTheServerRuns() throws Exception {
        JsonObject alice = register("alice");
        JsonObject bob = register("bob");
        conversationWithMessages(alice, bob);
        Rest a = new Rest(server.httpUrl(), alice.getString("token"));
        // The server's indexer (real time) indexes the messages; then the index is wiped behind its back.
        io.parley.server.Poll.until(
                () -> a.get("/api/v1/search?q=hello")
                                .json()
                                .getJsonArray("results")
                                .size()
                        == 3,
                java.time.Duration.ofSeconds(20),
                "the server indexed the messages");
        wipeSearchIndex();
        assertThat(a.get("/api/v1/search?q=hello").json().getJsonArray("results"))
                .isEmpty();

        AdminRun.Result r = admin.run("search-rebuild", "--wait");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains("queued 3 message(s)").contains("backlog 0");
        assertThat(a.get("/api/v1/search?q=hello").json().getJsonArray("results"))
                .hasSize(3);
        assertThat(admin.run("search-rebuild", "extra").status()).isEqualTo(Admin.USAGE);
    }

    // ---- verify ----------------------------------------------------------------------------------------------------

    @Test
    void verify_onALiveCleanStore_reportsCountsAndExitsZero() {
        JsonObject alice = register("alice");
        JsonObject bob = register("bob");
        conversationWithMessages(alice, bob);

        AdminRun.Result r = admin.run("verify");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("schema version " + io.parley.server.store.jdbc.StoreCheck.SCHEMA_VERSION)
                .contains("users 2")
                .contains("conversations 1")
                .contains("messages 3")
                .contains("OK");
        assertThat(r.out()).doesNotContain("PROBLEM");
    }

    @Test
    void verify_findsADeletedEvent_asAGapInTheSeqs() throws Exception {
        String conv = conversationWithMessages(register("alice"), register("bob"));
        sql("DELETE FROM events WHERE conversation_id = ? AND seq = 5", conv);

        AdminRun.Result r = admin.run("verify");

        assertThat(r.status()).as(r.toString()).isEqualTo(Admin.FAILED);
        assertThat(r.out()).contains("PROBLEM conversation " + conv + ": last_seq 6 but 5 event(s); seq missing: 5");
    }

    @Test
    void verify_findsALastSeqBehindItsLog_andEventsOfNoConversation() throws Exception {
        String conv = conversationWithMessages(register("alice"), register("bob"));
        sql("UPDATE conversations SET last_seq = 4 WHERE id = ?", conv);
        sql("UPDATE events SET conversation_id = 'c_gone' WHERE conversation_id = ? AND seq = 1", conv);

        AdminRun.Result r = admin.run("verify");

        assertThat(r.status()).as(r.toString()).isEqualTo(Admin.FAILED);
        assertThat(r.out())
                .contains("conversation " + conv + ": last_seq 4 but 5 event(s); seq missing: 1; seq outside"
                        + " 1..last_seq: 5, 6")
                .contains("events of unknown conversation c_gone: 1 event(s)");
    }

    @Test
    void verify_findsReceiptCursorsOutOfBounds() throws Exception {
        JsonObject alice = register("alice");
        JsonObject bob = register("bob");
        String conv = conversationWithMessages(alice, bob);
        sql(
                "UPDATE members SET read_seq = 9, delivered_seq = 9 WHERE conversation_id = ? AND user_id = ?",
                conv,
                alice.getString("userId"));
        sql(
                "UPDATE members SET read_seq = 3, delivered_seq = 2 WHERE conversation_id = ? AND user_id = ?",
                conv,
                bob.getString("userId"));

        AdminRun.Result r = admin.run("verify");

        assertThat(r.status()).as(r.toString()).isEqualTo(Admin.FAILED);
        assertThat(r.out())
                .contains("member " + alice.getString("userId") + " has cursors out of bounds (read_seq 9,"
                        + " delivered_seq 9")
                .contains("member " + bob.getString("userId") + " has cursors out of bounds (read_seq 3,"
                        + " delivered_seq 2")
                .contains("2 problem(s) found");
    }

    @Test
    void verify_findsAMemberWhoIsNoUser_andAWrongMemberCount() throws Exception {
        String conv = conversationWithMessages(register("alice"), register("bob"));
        dropMemberUserForeignKey();
        sql("INSERT INTO members (conversation_id, user_id, role, joined_at) VALUES (?, 'u_ghost', 'member', 0)", conv);

        AdminRun.Result r = admin.run("verify");

        assertThat(r.status()).as(r.toString()).isEqualTo(Admin.FAILED);
        assertThat(r.out())
                .contains("conversation " + conv + ": member u_ghost is no known user")
                .contains("conversation " + conv + ": member_count 2 but 3 member(s)");
    }

    @Test
    void verify_findsAMessageEventNamingNoMessage() throws Exception {
        String conv = conversationWithMessages(register("alice"), register("bob"));
        sql("UPDATE events SET kind = 'message_deleted' WHERE conversation_id = ? AND seq = 4", conv);
        sql("UPDATE events SET message_id = 'm_nowhere' WHERE conversation_id = ? AND seq = 4", conv);

        AdminRun.Result r = admin.run("verify");

        assertThat(r.status()).as(r.toString()).isEqualTo(Admin.FAILED);
        assertThat(r.out()).contains("message_deleted at seq 4 names message m_nowhere");
    }
}
