package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** REST: accounts, direct and group conversations, membership rules, history pagination, REST sends, unread. */
class ConversationApiTest {
    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir).start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static Rest as(String user) {
        Rest r = new Rest(server.httpUrl(), TestServer.token(user));
        r.get("/api/v1/me");
        return r;
    }

    @Test
    void register_login_andTheTokenWorks() {
        Rest anon = new Rest(server.httpUrl(), null);
        Rest.Response reg = anon.post(
                "/api/v1/auth/register", new JsonObject().put("username", "zoe").put("password", "correct horse"));
        assertThat(reg.status()).isEqualTo(201);
        assertThat(anon.post(
                                "/api/v1/auth/register",
                                new JsonObject().put("username", "zoe").put("password", "another pw1"))
                        .errorCode())
                .isEqualTo("conflict");
        assertThat(anon.post(
                                "/api/v1/auth/login",
                                new JsonObject().put("username", "zoe").put("password", "wrong pass"))
                        .errorCode())
                .isEqualTo("bad_credentials");
        assertThat(anon.post(
                                "/api/v1/auth/login",
                                new JsonObject().put("username", "nobody").put("password", "wrong pass"))
                        .errorCode())
                .isEqualTo("bad_credentials");
        assertThat(anon.post(
                                "/api/v1/auth/register",
                                new JsonObject().put("username", "z").put("password", "correct horse"))
                        .errorCode())
                .isEqualTo("invalid_field");
        Rest.Response login = anon.post(
                "/api/v1/auth/login", new JsonObject().put("username", "zoe").put("password", "correct horse"));
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().getString("userId")).isEqualTo(reg.json().getString("userId"));
        Rest zoe = new Rest(server.httpUrl(), login.json().getString("token"));
        assertThat(zoe.get("/api/v1/me").json().getString("username")).isEqualTo("zoe");
        Rest.Response found = as("yan").get("/api/v1/users/by-username/zoe");
        assertThat(found.json().getString("userId")).isEqualTo(reg.json().getString("userId"));
        Rest.Response dm = as("yan")
                .post(
                        "/api/v1/conversations",
                        new JsonObject().put("type", "direct").put("username", "zoe"));
        assertThat(dm.status()).isEqualTo(201);
    }

    @Test
    void namesInThePseudonymForm_areRefusedAtRegistrationAndAsDisplayNames_withNameReserved() {
        Rest anon = new Rest(server.httpUrl(), null);
        for (String name : List.of("stranger-abc123", "Stranger-Bob", "STRANGER-x")) {
            Rest.Response r = anon.post(
                    "/api/v1/auth/register",
                    new JsonObject().put("username", name).put("password", "correct horse"));
            assertThat(r.status()).as(name).isEqualTo(400);
            assertThat(r.errorCode()).as(name).isEqualTo("name_reserved");
            assertThat(anon.post(
                                    "/api/v1/auth/login",
                                    new JsonObject().put("username", name).put("password", "correct horse"))
                            .errorCode())
                    .as("no account was made for " + name)
                    .isEqualTo("bad_credentials");
        }
        // The word alone, or not at the start, is an ordinary name.
        assertThat(anon.post(
                                "/api/v1/auth/register",
                                new JsonObject().put("username", "strangerous").put("password", "correct horse"))
                        .status())
                .isEqualTo(201);

        Rest ivy = as("ivy");
        assertThat(ivy.call("PATCH", "/api/v1/me", new JsonObject().put("displayName", "Ivy"))
                        .status())
                .isEqualTo(200);
        for (String name : List.of(
                "stranger-k3v9qa",
                "  Stranger-Ivy",
                "\u200bstranger-x",
                "\uff33\uff54\uff52\uff41\uff4e\uff47\uff45\uff52-x",
                "stranger\u2010x",
                "stranger\u2212x")) {
            Rest.Response r = ivy.call("PATCH", "/api/v1/me", new JsonObject().put("displayName", name));
            assertThat(r.status()).as(name).isEqualTo(400);
            assertThat(r.errorCode()).as(name).isEqualTo("name_reserved");
        }
        assertThat(ivy.get("/api/v1/me").json().getString("displayName"))
                .as("nothing changed")
                .isEqualTo("Ivy");
        assertThat(ivy.call("PATCH", "/api/v1/me", new JsonObject().put("displayName", "a stranger-friendly name"))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void displayName_setThroughPatchMe_showsInMeLookupsMembersAndSearch_andBadNamesAreRefused() {
        Rest anon = new Rest(server.httpUrl(), null);
        Rest dora = new Rest(
                server.httpUrl(),
                anon.post(
                                "/api/v1/auth/register",
                                new JsonObject().put("username", "dora").put("password", "correct horse"))
                        .json()
                        .getString("token"));
        Rest dorian = new Rest(
                server.httpUrl(),
                anon.post(
                                "/api/v1/auth/register",
                                new JsonObject().put("username", "dorian").put("password", "correct horse"))
                        .json()
                        .getString("token"));
        assertThat(dora.get("/api/v1/me").json().getValue("displayName")).isNull();

        Rest.Response set = dora.call("PATCH", "/api/v1/me", new JsonObject().put("displayName", "  Dora Explorer "));
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.json().getString("displayName")).isEqualTo("Dora Explorer");
        assertThat(dora.get("/api/v1/me").json().getString("displayName")).isEqualTo("Dora Explorer");
        assertThat(dorian.get("/api/v1/users/by-username/dora").json().getString("displayName"))
                .isEqualTo("Dora Explorer");
        String dm = dorian.post(
                        "/api/v1/conversations",
                        new JsonObject().put("type", "direct").put("username", "dora"))
                .json()
                .getString("id");
        assertThat(dorian.get("/api/v1/conversations/" + dm + "/members").json().getJsonArray("members").stream()
                        .map(m -> ((JsonObject) m).getString("displayName"))
                        .toList())
                .containsExactlyInAnyOrder("Dora Explorer", null);

        Rest.Response search = dorian.get("/api/v1/users?q=DOR");
        assertThat(search.status()).isEqualTo(200);
        assertThat(search.json().getJsonArray("users").stream()
                        .map(u -> ((JsonObject) u).getString("username"))
                        .toList())
                .containsExactly("dora", "dorian");
        assertThat(dorian.get("/api/v1/users?q=dora%20ex").json().getJsonArray("users"))
                .hasSize(1);
        assertThat(dorian.get("/api/v1/users?q=dor&limit=1").json().getJsonArray("users"))
                .hasSize(1);
        assertThat(dorian.get("/api/v1/users").errorCode()).isEqualTo("missing_field");
        assertThat(dorian.get("/api/v1/users?q=%20").errorCode()).isEqualTo("invalid_field");

        assertThat(dora.call("PATCH", "/api/v1/me", new JsonObject().put("displayName", "x".repeat(65)))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(dora.call("PATCH", "/api/v1/me", new JsonObject().put("displayName", "tab\there"))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(dora.call("PATCH", "/api/v1/me", new JsonObject()).errorCode())
                .isEqualTo("missing_field");
        assertThat(dora.get("/api/v1/me").json().getString("displayName")).isEqualTo("Dora Explorer");
        assertThat(dora.call("PATCH", "/api/v1/me", new JsonObject().putNull("displayName"))
                        .json()
                        .getValue("displayName"))
                .isNull();
    }

    @Test
    void direct_isOneConversationPerPair_whoeverStartsIt() {
        Rest ann = as("ann");
        Rest ben = as("ben");
        Rest.Response first = ann.post(
                "/api/v1/conversations", new JsonObject().put("type", "direct").put("userId", "ben"));
        Rest.Response second = ben.post(
                "/api/v1/conversations", new JsonObject().put("type", "direct").put("userId", "ann"));
        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().getString("id")).isEqualTo(first.json().getString("id"));
        assertThat(ann.post(
                                "/api/v1/conversations",
                                new JsonObject().put("type", "direct").put("userId", "ann"))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(ann.post(
                                "/api/v1/conversations",
                                new JsonObject().put("type", "direct").put("userId", "nobody-at-all"))
                        .errorCode())
                .isEqualTo("user_not_found");
    }

    @Test
    void group_ownerAndAdminsManageMembers_membersLeave_othersAreRefused() {
        Rest owner = as("g-owner");
        Rest admin = as("g-admin");
        Rest member = as("g-member");
        as("g-new");
        as("g-outsider");
        String id = owner.group("Team", "g-admin", "g-member");
        assertThat(owner.put(
                                "/api/v1/conversations/" + id + "/members/g-admin/role",
                                new JsonObject().put("role", "admin"))
                        .status())
                .isEqualTo(200);
        assertThat(member.post(
                                "/api/v1/conversations/" + id + "/members",
                                new JsonObject().put("userIds", new JsonArray().add("g-new")))
                        .errorCode())
                .isEqualTo("forbidden");
        assertThat(admin.post(
                                "/api/v1/conversations/" + id + "/members",
                                new JsonObject().put("userIds", new JsonArray().add("g-new")))
                        .status())
                .isEqualTo(200);
        assertThat(admin.delete("/api/v1/conversations/" + id + "/members/g-owner")
                        .errorCode())
                .isEqualTo("forbidden");
        assertThat(member.delete("/api/v1/conversations/" + id + "/members/g-new")
                        .errorCode())
                .isEqualTo("forbidden");
        assertThat(admin.delete("/api/v1/conversations/" + id + "/members/g-new")
                        .status())
                .isEqualTo(200);
        assertThat(member.delete("/api/v1/conversations/" + id + "/members/g-member")
                        .status())
                .isEqualTo(200);
        assertThat(member.get("/api/v1/conversations/" + id).errorCode()).isEqualTo("conversation_not_found");
        assertThat(as("g-outsider")
                        .post(
                                "/api/v1/conversations/" + id + "/members",
                                new JsonObject().put("userIds", new JsonArray().add("g-outsider")))
                        .errorCode())
                .isEqualTo("conversation_not_found");
        JsonObject conv = owner.get("/api/v1/conversations/" + id).json();
        List<String> members = new ArrayList<>();
        conv.getJsonArray("members").forEach(m -> members.add(((JsonObject) m).getString("userId")));
        assertThat(members).containsExactlyInAnyOrder("g-owner", "g-admin");
        List<String> kinds = new ArrayList<>();
        owner.get("/api/v1/conversations/" + id + "/events?after=0")
                .json()
                .getJsonArray("events")
                .forEach(e -> kinds.add(((JsonObject) e).getString("kind")));
        assertThat(kinds)
                .containsExactly(
                        "conversation_created",
                        "member_added",
                        "member_added",
                        "member_added",
                        "member_role",
                        "member_added",
                        "member_removed",
                        "member_removed");
    }

    @Test
    void rename_byOwnerOrAdmin_changesTheTitleEverywhere_othersAndDirectsAndBadTitlesAreRefused() {
        Rest owner = as("r-owner");
        Rest admin = as("r-admin");
        Rest member = as("r-member");
        Rest outsider = as("r-outsider");
        String id = owner.group("Before", "r-admin", "r-member");
        owner.put("/api/v1/conversations/" + id + "/members/r-admin/role", new JsonObject().put("role", "admin"));
        String path = "/api/v1/conversations/" + id;

        Rest.Response renamed = owner.call("PATCH", path, new JsonObject().put("title", "  Launch crew  "));
        assertThat(renamed.status()).isEqualTo(200);
        JsonObject event = renamed.json().getJsonObject("event");
        assertThat(event.getString("kind")).isEqualTo("conversation_renamed");
        assertThat(event.getString("title")).isEqualTo("Launch crew");
        assertThat(event.getString("actorId")).isEqualTo("r-owner");
        assertThat(member.get(path).json().getString("title")).isEqualTo("Launch crew");
        Rest.Response byAdmin = admin.call("PATCH", path, new JsonObject().put("title", "Crew"));
        assertThat(byAdmin.status()).isEqualTo(200);
        assertThat(byAdmin.json().getJsonObject("event").getLong("seq")).isEqualTo(event.getLong("seq") + 1);

        assertThat(member.call("PATCH", path, new JsonObject().put("title", "Mine"))
                        .errorCode())
                .isEqualTo("forbidden");
        assertThat(outsider.call("PATCH", path, new JsonObject().put("title", "Mine"))
                        .errorCode())
                .isEqualTo("conversation_not_found");
        assertThat(owner.call("PATCH", path, new JsonObject().put("title", "   "))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(owner.call("PATCH", path, new JsonObject().put("title", "x".repeat(201)))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(owner.call("PATCH", path, new JsonObject().put("title", 7)).errorCode())
                .isEqualTo("invalid_field");
        assertThat(owner.call("PATCH", path, new JsonObject()).errorCode()).isEqualTo("missing_field");
        String dm = owner.direct("r-member");
        Rest.Response direct = owner.call("PATCH", "/api/v1/conversations/" + dm, new JsonObject().put("title", "Us"));
        assertThat(direct.status()).isEqualTo(403);
        assertThat(direct.errorCode()).isEqualTo("forbidden");

        List<String> titles = new ArrayList<>();
        member.get("/api/v1/conversations").json().getJsonArray("conversations").forEach(c -> {
            JsonObject o = (JsonObject) c;
            if (o.getString("id").equals(id)) {
                titles.add(o.getString("title"));
            }
        });
        assertThat(titles).containsExactly("Crew");
        List<String> renames = new ArrayList<>();
        member.get(path + "/events?after=0").json().getJsonArray("events").forEach(e -> {
            JsonObject o = (JsonObject) e;
            if (o.getString("kind").equals("conversation_renamed")) {
                renames.add(o.getString("actorId") + ":" + o.getString("title"));
            }
        });
        assertThat(renames).containsExactly("r-owner:Launch crew", "r-admin:Crew");
    }

    @Test
    void history_paginatesByCursor_stablyWhileNewMessagesArrive() {
        Rest a = as("h-a");
        as("h-b");
        String id = a.direct("h-b");
        long base = a.get("/api/v1/conversations/" + id).json().getLong("lastSeq");
        for (int i = 0; i < 25; i++) {
            assertThat(a.post(
                                    "/api/v1/conversations/" + id + "/messages",
                                    new JsonObject().put("clientMsgId", "h" + i).put("body", "m" + i))
                            .status())
                    .isEqualTo(201);
        }
        JsonObject newest =
                a.get("/api/v1/conversations/" + id + "/messages?limit=10").json();
        assertThat(newest.getBoolean("hasMore")).isTrue();
        assertThat(bodies(newest))
                .containsExactly("m15", "m16", "m17", "m18", "m19", "m20", "m21", "m22", "m23", "m24");
        // New messages arrive between page requests; paging backwards by seq is unaffected.
        a.post(
                "/api/v1/conversations/" + id + "/messages",
                new JsonObject().put("clientMsgId", "late").put("body", "late"));
        JsonObject older = a.get(
                        "/api/v1/conversations/" + id + "/messages?limit=10&before=" + newest.getLong("firstSeq"))
                .json();
        assertThat(bodies(older)).containsExactly("m5", "m6", "m7", "m8", "m9", "m10", "m11", "m12", "m13", "m14");
        JsonObject forward = a.get("/api/v1/conversations/" + id + "/messages?limit=3&after=" + (base + 23))
                .json();
        assertThat(bodies(forward)).containsExactly("m23", "m24", "late");
        assertThat(forward.getBoolean("hasMore")).isFalse();
        assertThat(a.get("/api/v1/conversations/" + id + "/messages?limit=100000")
                        .json()
                        .getInteger("limit"))
                .isEqualTo(200);
        assertThat(a.get("/api/v1/conversations/" + id + "/messages?before=1&after=2")
                        .errorCode())
                .isEqualTo("bad_request");
        assertThat(a.get("/api/v1/conversations/" + id + "/messages?before=x").errorCode())
                .isEqualTo("invalid_field");
    }

    @Test
    void restSend_isIdempotent_andListShowsLastMessageAndUnreadCount() {
        Rest a = as("u-a");
        Rest b = as("u-b");
        String id = a.direct("u-b");
        Rest.Response first = a.post(
                "/api/v1/conversations/" + id + "/messages",
                new JsonObject().put("clientMsgId", "same").put("body", "one"));
        Rest.Response retry = a.post(
                "/api/v1/conversations/" + id + "/messages",
                new JsonObject().put("clientMsgId", "same").put("body", "one"));
        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().getBoolean("duplicate")).isTrue();
        assertThat(retry.json().getLong("seq")).isEqualTo(first.json().getLong("seq"));
        a.post(
                "/api/v1/conversations/" + id + "/messages",
                new JsonObject().put("clientMsgId", "second").put("body", "two"));
        JsonObject bConv = find(b.get("/api/v1/conversations").json(), id);
        assertThat(bConv.getLong("unreadCount")).isEqualTo(2);
        assertThat(bConv.getJsonObject("lastMessage").getString("body")).isEqualTo("two");
        assertThat(find(a.get("/api/v1/conversations").json(), id).getLong("unreadCount"))
                .isZero();
        b.post(
                "/api/v1/conversations/" + id + "/read",
                new JsonObject().put("seq", first.json().getLong("seq")));
        assertThat(find(b.get("/api/v1/conversations").json(), id).getLong("unreadCount"))
                .isEqualTo(1);
        assertThat(b.post("/api/v1/conversations/" + id + "/read", new JsonObject().put("seq", -1))
                        .errorCode())
                .isEqualTo("invalid_field");
    }

    private static JsonObject find(JsonObject list, String id) {
        for (Object o : list.getJsonArray("conversations")) {
            if (((JsonObject) o).getString("id").equals(id)) {
                return (JsonObject) o;
            }
        }
        throw new AssertionError("conversation " + id + " not listed");
    }

    private static List<String> bodies(JsonObject page) {
        List<String> out = new ArrayList<>();
        page.getJsonArray("messages").forEach(e -> {
            JsonObject ev = (JsonObject) e;
            out.add(ev.getString("body"));
        });
        return out;
    }
}
