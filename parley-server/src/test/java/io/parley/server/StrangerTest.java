package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.redis.RedisSupport;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Talk to a stranger end to end: real sockets on a real node (its time manual, so the grace and the relax wait are
 * moved by the test), the frames of docs/protocol.md "Matching", and the pair's conversation used as any other.
 */
class StrangerTest {
    static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    private static RawWs connect(TestServer server, String user) {
        RawWs ws = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token(user));
        assertThat(ws.next("welcome").getString("userId")).isEqualTo(user);
        return ws;
    }

    /** The moderation queue as the store has it, newest first. */
    private static final class QueueReader {
        static java.util.List<io.parley.server.store.ModerationStore.QueueItem> queue(TestServer server) {
            try {
                return ((io.parley.server.store.jdbc.JdbcChatStore)
                                server.server().store())
                        .moderation()
                        .queue(null, Long.MAX_VALUE, 10)
                        .get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static JsonObject match(RawWs ws) {
        JsonObject f = ws.next();
        while (!f.getString("type").equals("match") && !f.getString("type").equals("error")) {
            f = ws.next();
        }
        return f;
    }

    private static JsonObject expect(RawWs ws, String event) {
        JsonObject f = match(ws);
        assertThat(f.getString("event")).as("frame %s", f).isEqualTo(event);
        return f;
    }

    @Test
    void twoStrangers_matchWithPseudonyms_chat_andNextKeepsThemApart(@TempDir Path dir) {
        try (TestServer server = new TestServer(dir).on(new ManualScheduler()).start();
                RawWs alice = connect(server, "alice");
                RawWs bob = connect(server, "bob")) {
            alice.send("{\"type\":\"match_join\",\"ref\":\"j1\",\"interests\":[\"Chess\"],\"language\":\"en\"}");
            JsonObject waiting = expect(alice, "waiting");
            assertThat(waiting.getString("ref")).isEqualTo("j1");
            assertThat(waiting.getLong("online")).isEqualTo(1);
            assertThat(waiting.getLong("waiting")).isEqualTo(1);
            assertThat(new Rest(server.httpUrl(), TestServer.token("carol"))
                            .get("/api/v1/match/stats")
                            .json())
                    .isEqualTo(new JsonObject().put("online", 1).put("waiting", 1));

            bob.send("{\"type\":\"match_join\",\"ref\":\"j2\",\"interests\":[\"chess\",\"films\"]}");
            JsonObject bobs = expect(bob, "matched");
            JsonObject alices = expect(alice, "matched");
            assertThat(bobs.getString("ref")).isEqualTo("j2");
            String conversation = bobs.getString("conversationId");
            assertThat(alices.getString("conversationId")).isEqualTo(conversation);
            assertThat(alices.getString("partner"))
                    .isEqualTo(bobs.getString("you"))
                    .startsWith("stranger-");
            assertThat(bobs.getString("partner")).isEqualTo(alices.getString("you"));
            assertThat(alices.encode() + bobs.encode()).doesNotContain("alice").doesNotContain("bob");

            // The pair's conversation is an ordinary one: a durable, acked message reaches the partner.
            bob.send("{\"type\":\"send\",\"conversationId\":\"" + conversation
                    + "\",\"clientMsgId\":\"m1\",\"body\":\"hello stranger\"}");
            assertThat(bob.next("ack").getLong("seq")).isPositive();
            JsonObject ev = alice.next("event");
            while (!"message".equals(ev.getString("kind"))) {
                ev = alice.next("event");
            }
            assertThat(ev.getString("body")).isEqualTo("hello stranger");
            alice.send("{\"type\":\"typing\",\"conversationId\":\"" + conversation + "\"}");
            assertThat(bob.next("typing").getString("conversationId")).isEqualTo(conversation);

            alice.send("{\"type\":\"match_report\",\"ref\":\"r1\",\"reason\":\"rude\"}");
            assertThat(expect(alice, "reported").getString("conversationId")).isEqualTo(conversation);
            // The report and the pair's recent messages wait in the moderation queue for an admin (issue 22 item 5).
            java.util.List<io.parley.server.store.ModerationStore.QueueItem> queued = QueueReader.queue(server);
            assertThat(queued).hasSize(1);
            assertThat(queued.get(0).kind()).isEqualTo("report");
            assertThat(queued.get(0).conversationId()).isEqualTo(conversation);
            assertThat(queued.get(0).reporterId()).isEqualTo("alice");
            assertThat(queued.get(0).senderId()).isEqualTo("bob");
            assertThat(queued.get(0).reason()).isEqualTo("rude");
            assertThat(queued.get(0).body()).endsWith("reported: hello stranger");

            alice.send("{\"type\":\"match_next\",\"ref\":\"n1\"}");
            assertThat(expect(alice, "ended").getString("reason")).isEqualTo("next");
            assertThat(expect(bob, "partner_left").getString("reason")).isEqualTo("skipped");
            expect(alice, "waiting");
            bob.send("{\"type\":\"match_join\",\"ref\":\"j3\"}");
            assertThat(expect(bob, "waiting").getLong("waiting"))
                    .as("the skip keeps the two apart: both wait")
                    .isEqualTo(2);

            bob.send("{\"type\":\"match_end\",\"ref\":\"e1\"}");
            JsonObject notPaired = match(bob);
            assertThat(notPaired.getString("code")).isEqualTo("bad_request");
            bob.send("{\"type\":\"match_leave\",\"ref\":\"l1\"}");
            expect(bob, "left");
        }
    }

    @Test
    void reconnectWithinGrace_rejoins_andAfterTheGraceThePartnerIsTold(@TempDir Path dir) {
        ManualScheduler time = new ManualScheduler();
        try (TestServer server = new TestServer(dir, Map.of("match.grace", "15s"))
                        .on(time)
                        .start();
                RawWs bob = connect(server, "bob")) {
            RawWs alice = connect(server, "alice");
            alice.send("{\"type\":\"match_join\"}");
            expect(alice, "waiting");
            bob.send("{\"type\":\"match_join\"}");
            JsonObject matched = expect(bob, "matched");
            expect(alice, "matched");
            alice.close();
            JsonObject away = expect(bob, "partner_away");
            assertThat(away.getLong("graceMs")).isEqualTo(15_000);
            time.advance(Duration.ofSeconds(10));

            try (RawWs alice2 = connect(server, "alice")) {
                alice2.send("{\"type\":\"match_join\",\"ref\":\"back\"}");
                JsonObject rejoined = expect(alice2, "rejoined");
                assertThat(rejoined.getString("conversationId")).isEqualTo(matched.getString("conversationId"));
                assertThat(rejoined.getString("partner")).isEqualTo(matched.getString("you"));
                expect(bob, "partner_back");
                time.advance(Duration.ofSeconds(10));
                // The first grace found alice back: nothing ended.
                bob.send("{\"type\":\"ping\",\"id\":\"p1\"}");
                for (JsonObject f = bob.next(); !f.getString("type").equals("pong"); f = bob.next()) {
                    assertThat(f.getString("type")).as("frame %s", f).isNotEqualTo("match");
                }
            }
            expect(bob, "partner_away");
            time.advance(Duration.ofSeconds(16));
            assertThat(expect(bob, "partner_left").getString("reason")).isEqualTo("timeout");
        }
    }

    @Test
    void secondTab_isRefused_orTakesOverExplicitly_neverASecondEntry(@TempDir Path dir) {
        try (TestServer server = new TestServer(dir).on(new ManualScheduler()).start();
                RawWs tab1 = connect(server, "alice");
                RawWs tab2 = connect(server, "alice")) {
            tab1.send("{\"type\":\"match_join\"}");
            expect(tab1, "waiting");
            tab2.send("{\"type\":\"match_join\",\"ref\":\"t2\"}");
            JsonObject refused = match(tab2);
            assertThat(refused.getString("code")).isEqualTo("match_session_taken");
            assertThat(refused.getString("ref")).isEqualTo("t2");
            tab2.send("{\"type\":\"match_join\",\"takeover\":true}");
            JsonObject lost = expect(tab1, "lost");
            assertThat(lost.getString("reason")).isEqualTo("taken_over");
            assertThat(expect(tab2, "waiting").getLong("waiting")).isEqualTo(1);
            tab1.send("{\"type\":\"match_leave\"}");
            assertThat(match(tab1).getString("code")).isEqualTo("bad_request");
            tab1.send("{\"type\":\"match_join\",\"interests\":[\"no,commas\"]}");
            assertThat(match(tab1).getString("code")).isEqualTo("invalid_field");
        }
    }

    /** Item 6: with Redis down the join answers unavailable, and ordinary conversations keep working. */
    @Test
    void redisDown_joinAnswersUnavailable_andConversationsKeepWorking(@TempDir Path dir) throws Exception {
        RedisSupport.requireRedis();
        try (RedisSupport.Private redis = new RedisSupport.Private();
                TestServer server = new TestServer(
                                dir, Map.of("redis.url", redis.url(), "redis.prefix", RedisSupport.newPrefix()))
                        .start();
                RawWs alice = connect(server, "alice");
                RawWs bob = connect(server, "bob")) {
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            alice.send("{\"type\":\"match_join\"}");
            expect(alice, "waiting");
            redis.kill();
            bob.send("{\"type\":\"match_join\",\"ref\":\"down\"}");
            JsonObject refused = match(bob);
            assertThat(refused.getString("code")).isEqualTo("unavailable");
            assertThat(refused.getString("ref")).isEqualTo("down");
            alice.send("{\"type\":\"send\",\"conversationId\":\"" + dm + "\",\"clientMsgId\":\"m1\",\"body\":\"hi\"}");
            assertThat(alice.next("ack").getLong("seq")).isPositive();
        }
    }
}
