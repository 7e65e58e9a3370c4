package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.redis.RedisSupport;
import io.parley.server.store.jdbc.PostgresSupport;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Talk to a stranger on two nodes (PostgreSQL schema and Redis prefix of the test's own): the pair is made by the
 * Redis matcher across nodes, the partner hears through the bus, and a user who reconnects to the other node within
 * the grace gets the pair back; a second tab on the other node is refused. Each node's time is manual (the grace
 * timer runs where the session closed).
 */
class StrangerClusterTest {
    private final String schema = PostgresSupport.newSchema();
    private final String prefix = RedisSupport.newPrefix();
    static Vertx vertx;

    @BeforeAll
    static void services() {
        PostgresSupport.requirePostgres();
        RedisSupport.requireRedis();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() {
        vertx.close();
    }

    @AfterEach
    void clean() {
        PostgresSupport.dropSchema(schema);
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }

    private Map<String, String> node() {
        Map<String, String> c = new HashMap<>();
        c.put("store.url", PostgresSupport.url(schema));
        c.put("redis.url", RedisSupport.URL);
        c.put("redis.prefix", prefix);
        c.put("match.grace", "15s");
        return c;
    }

    private static RawWs connect(TestServer server, String user) {
        RawWs ws = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token(user));
        ws.next("welcome");
        return ws;
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
    void pairAcrossNodes_secondTabElsewhereRefused_reconnectToTheOtherNodeRejoins_graceEndsIt(@TempDir Path dir) {
        ManualScheduler timeA = new ManualScheduler();
        try (TestServer a = new TestServer(dir.resolve("a"), node()).on(timeA).start();
                TestServer b = new TestServer(dir.resolve("b"), node())
                        .on(new ManualScheduler())
                        .start();
                RawWs bob = connect(b, "bob")) {
            RawWs alice = connect(a, "alice");
            alice.send("{\"type\":\"match_join\"}");
            expect(alice, "waiting");
            try (RawWs aliceTab2 = connect(b, "alice")) {
                aliceTab2.send("{\"type\":\"match_join\"}");
                assertThat(match(aliceTab2).getString("code")).isEqualTo("match_session_taken");
            }
            bob.send("{\"type\":\"match_join\"}");
            JsonObject bobs = expect(bob, "matched");
            JsonObject alices = expect(alice, "matched");
            assertThat(alices.getString("conversationId")).isEqualTo(bobs.getString("conversationId"));
            String conversation = bobs.getString("conversationId");
            alice.send("{\"type\":\"send\",\"conversationId\":\"" + conversation
                    + "\",\"clientMsgId\":\"m1\",\"body\":\"from node a\"}");
            alice.next("ack");
            JsonObject ev = bob.next("event");
            while (!"message".equals(ev.getString("kind"))) {
                ev = bob.next("event");
            }
            assertThat(ev.getString("body")).isEqualTo("from node a");
            // Node a did not create the pair's conversation (b did): it reads the pseudonyms from the store.
            assertThat(ev.getString("actorId")).isEqualTo(alices.getString("you"));
            assertThat(ev.encode()).doesNotContain("alice");
            JsonObject members = new Rest(a.httpUrl(), TestServer.token("bob"))
                    .get("/api/v1/conversations/" + conversation + "/members")
                    .json();
            assertThat(members.encode()).contains(alices.getString("you")).doesNotContain("alice");

            alice.close();
            expect(bob, "partner_away");
            try (RawWs aliceOnB = connect(b, "alice")) {
                aliceOnB.send("{\"type\":\"match_join\"}");
                assertThat(expect(aliceOnB, "rejoined").getString("conversationId"))
                        .isEqualTo(conversation);
                expect(bob, "partner_back");
                timeA.advance(Duration.ofSeconds(16));
                // Node a's grace timer found alice back (on node b): nothing ended.
                bob.send("{\"type\":\"ping\",\"id\":\"p\"}");
                for (JsonObject f = bob.next(); !f.getString("type").equals("pong"); f = bob.next()) {
                    assertThat(f.getString("type")).as("frame %s", f).isNotEqualTo("match");
                }
            }
            // Now alice leaves from node b; node b's grace timer ends the pair after the grace.
            expect(bob, "partner_away");
            b.time().advance(Duration.ofSeconds(16));
            assertThat(expect(bob, "partner_left").getString("reason")).isEqualTo("timeout");
        }
    }
}
