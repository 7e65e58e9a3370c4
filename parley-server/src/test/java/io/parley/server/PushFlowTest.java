package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.push.LocalPushService;
import io.parley.server.store.jdbc.PostgresSupport;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The push pipeline against a real server on manual time and a local Web Push service that verifies VAPID and
 * decrypts (issue 15 item 8): one coalesced push per window with the right count; none for a recipient whose device
 * received the messages within the grace window; a read elsewhere clears; 500 and 429 (Retry-After) then 200
 * delivers once; an outage of 60 s raises the queue depth and loses nothing; two PostgreSQL nodes never send one job
 * twice.
 */
class PushFlowTest {
    private static final Duration STEP = Duration.ofSeconds(1);
    private static final Duration BUDGET = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private final LocalPushService service = new LocalPushService();
    private TestServer server;
    private TestServer second;
    private String schema;

    PushFlowTest() throws Exception {}

    @AfterEach
    void stop() {
        if (second != null) {
            second.stop();
        }
        if (server != null) {
            server.stop();
        }
        service.close();
        if (schema != null) {
            PostgresSupport.dropSchema(schema);
        }
    }

    private static Map<String, String> settings() {
        Map<String, String> o = new HashMap<>();
        o.put("push.grace", "5s");
        o.put("push.coalesce-window", "60s");
        o.put("push.poll-interval", "1s");
        o.put("push.backoff-base", "1s");
        o.put("push.backoff-max", "8s");
        o.put("push.max-attempts", "30");
        o.put("push.rate", "0");
        return o;
    }

    private TestServer startServer(Map<String, String> overrides, ManualScheduler time, String name) {
        TestServer s = new TestServer(dir.resolve(name), overrides);
        return (time == null ? s : s.on(time)).start();
    }

    private void start() {
        server = startServer(settings(), new ManualScheduler(), "data");
    }

    private Rest register(TestServer s, String name) {
        Rest anon = new Rest(s.httpUrl(), null);
        JsonObject creds = new JsonObject().put("username", name).put("password", name + "-pass");
        assertThat(anon.post("/api/v1/auth/register", creds).status()).isEqualTo(201);
        return new Rest(
                s.httpUrl(), anon.post("/api/v1/auth/login", creds).json().getString("token"));
    }

    private static Rest login(TestServer s, String name) {
        return new Rest(s.httpUrl(), token(s, name));
    }

    /** A new session's access token. */
    private static String token(TestServer s, String name) {
        Rest anon = new Rest(s.httpUrl(), null);
        JsonObject creds = new JsonObject().put("username", name).put("password", name + "-pass");
        return anon.post("/api/v1/auth/login", creds).json().getString("token");
    }

    private void subscribe(Rest user, String browser) {
        String key = user.get("/api/v1/push/vapid-public-key").json().getString("publicKey");
        service.expectVapidKey(key);
        Rest.Response r = user.post(
                "/api/v1/devices",
                new JsonObject().put("platform", "webpush").put("subscription", service.subscribe(browser)));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static long send(Rest from, String conversation, String text) {
        Rest.Response r = from.post(
                "/api/v1/conversations/" + conversation + "/messages",
                new JsonObject()
                        .put("clientMsgId", UUID.randomUUID().toString())
                        .put("body", text));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getLong("seq");
    }

    private void advanceUntil(java.util.function.BooleanSupplier condition, String what) {
        server.advanceUntil(STEP, BUDGET, condition, what);
    }

    private void advance(Duration d) {
        for (long i = 0; i < d.toSeconds(); i++) {
            server.time().advance(STEP);
            Chatter.holdsWithin(() -> false, Duration.ofMillis(20));
        }
    }

    @Test
    void anOfflineRecipient_getsOneCoalescedPushPerWindow_withTheUnreadCount() {
        start();
        Rest alice = register(server, "alice");
        Rest bob = register(server, "bob");
        subscribe(bob, "bob-phone");
        String dm = alice.direct(bob.get("/api/v1/me").json().getString("userId"));
        send(alice, dm, "one");
        send(alice, dm, "two");
        long last = send(alice, dm, "three");

        advanceUntil(() -> !service.received().isEmpty(), "a push for bob");
        advance(Duration.ofSeconds(30));
        assertThat(service.refusals()).isEmpty();
        assertThat(service.received()).hasSize(1);
        LocalPushService.Received first = service.received().get(0);
        assertThat(first.topic()).isEqualTo(dm);
        // push.content none (the default): nothing of the sender or the text leaves the server.
        assertThat(first.payload().getString("title")).isEqualTo("3 new messages");
        assertThat(first.payload().getString("body")).isEmpty();
        assertThat(first.payload().getInteger("count")).isEqualTo(3);
        assertThat(first.payload().getLong("latestSeq")).isEqualTo(last);
        assertThat(first.payload().getBoolean("clear")).isFalse();
        assertThat(first.payload().getInteger("badge")).as("bob's unread total").isEqualTo(3);

        // Within the coalescing window more messages wait; after it, one push says how many are unread in all.
        send(alice, dm, "four");
        send(alice, dm, "five");
        advance(Duration.ofSeconds(20));
        assertThat(service.received()).hasSize(1);
        advanceUntil(() -> service.received().size() == 2, "the second window's push");
        advance(Duration.ofSeconds(70));
        assertThat(service.received()).hasSize(2);
        assertThat(service.received().get(1).payload().getInteger("count")).isEqualTo(5);
        assertThat(service.received().get(1).payload().getInteger("badge")).isEqualTo(5);
    }

    @Test
    void theBadge_isTheUsersUnreadTotalOverAllConversations_andAClearLowersIt() {
        start();
        Rest alice = register(server, "alice");
        Rest carol = register(server, "carol");
        Rest bobPhone = register(server, "bob");
        subscribe(bobPhone, "bob-phone");
        Rest bobLaptop = login(server, "bob");
        String bobId = bobPhone.get("/api/v1/me").json().getString("userId");
        String withAlice = alice.direct(bobId);
        String withCarol = carol.direct(bobId);
        send(alice, withAlice, "one");
        send(carol, withCarol, "two");
        send(carol, withCarol, "three");
        long last = send(bobPhone, withCarol, "bob's own message is not unread for bob");

        advanceUntil(() -> service.received().size() == 2, "a push per conversation");
        Map<String, JsonObject> byConversation = new HashMap<>();
        for (LocalPushService.Received r : service.received()) {
            byConversation.put(r.payload().getString("conversationId"), r.payload());
        }
        assertThat(byConversation.get(withAlice).getInteger("count")).isEqualTo(1);
        assertThat(byConversation.get(withCarol).getInteger("count")).isEqualTo(2);
        assertThat(byConversation.get(withAlice).getInteger("badge"))
                .as("1 from alice and 2 from carol")
                .isEqualTo(3);
        assertThat(byConversation.get(withCarol).getInteger("badge")).isEqualTo(3);

        assertThat(bobLaptop
                        .post("/api/v1/conversations/" + withCarol + "/read", new JsonObject().put("seq", last))
                        .status())
                .isEqualTo(200);
        advanceUntil(() -> service.received().size() == 3, "the clear");
        JsonObject clear = service.received().get(2).payload();
        assertThat(clear.getBoolean("clear")).isTrue();
        assertThat(clear.getString("conversationId")).isEqualTo(withCarol);
        assertThat(clear.getInteger("badge"))
                .as("alice's one message is still unread")
                .isEqualTo(1);
    }

    @Test
    void aGroupPushesOnlyMentionsByDefault_andMutedOrDoNotDisturbGetNone() {
        start();
        Rest alice = register(server, "alice");
        Rest bob = register(server, "bob");
        Rest carol = register(server, "carol");
        subscribe(bob, "bob-phone");
        subscribe(carol, "carol-phone");
        String group = alice.group(
                "team",
                bob.get("/api/v1/me").json().getString("userId"),
                carol.get("/api/v1/me").json().getString("userId"));
        send(alice, group, "lunch anyone?");
        advance(Duration.ofSeconds(15));
        assertThat(service.requests()).as("no mention, level mentions").isZero();

        // carol is in do-not-disturb; bob mutes the group after one mention.
        String until = server.time().clock().instant().plus(Duration.ofHours(1)).toString();
        assertThat(carol.put("/api/v1/me/notifications", new JsonObject().put("doNotDisturbUntil", until))
                        .status())
                .isEqualTo(200);
        send(alice, group, "@Bob and @carol, lunch?");
        advanceUntil(() -> service.received().size() == 1, "bob's mention");
        assertThat(service.receivedBy("bob-phone")).hasSize(1);
        assertThat(service.receivedBy("bob-phone").get(0).payload().getInteger("count"))
                .isEqualTo(1);

        assertThat(bob.put("/api/v1/conversations/" + group + "/notifications", new JsonObject().put("level", "none"))
                        .status())
                .isEqualTo(200);
        advance(Duration.ofSeconds(61));
        send(alice, group, "@bob still there?");
        advance(Duration.ofSeconds(70));
        assertThat(service.received()).hasSize(1);
        assertThat(service.receivedBy("carol-phone")).isEmpty();
    }

    @Test
    void aRecipientWhoseDeviceReceivedTheMessageWithinTheGrace_getsNoPush() {
        start();
        Rest alice = register(server, "alice");
        Rest bob = register(server, "bob");
        subscribe(bob, "bob-laptop");
        String bobId = bob.get("/api/v1/me").json().getString("userId");
        String dm = alice.direct(bobId);
        try (Chatter online = Chatter.connectWith("bob", server.wsUrl(), token(server, "bob"))) {
            long seq = send(alice, dm, "are you there?");
            server.advanceUntil(
                    Duration.ofMillis(200),
                    Duration.ofSeconds(4),
                    () -> deliveredSeq(alice, dm, bobId) >= seq,
                    "bob's device reports the message delivered");
            advance(Duration.ofSeconds(20));
            assertThat(service.requests()).isZero();
        }
    }

    private static long deliveredSeq(Rest r, String conversation, String userId) {
        for (Object o : r.get("/api/v1/conversations/" + conversation + "/receipts")
                .json()
                .getJsonArray("receipts")) {
            JsonObject m = (JsonObject) o;
            if (m.getString("userId").equals(userId)) {
                return m.getLong("deliveredSeq");
            }
        }
        return -1;
    }

    @Test
    void readingOnAnotherDevice_clearsWhatWasShown() {
        start();
        Rest alice = register(server, "alice");
        Rest bobPhone = register(server, "bob");
        subscribe(bobPhone, "bob-phone");
        Rest bobLaptop = login(server, "bob");
        String dm = alice.direct(bobPhone.get("/api/v1/me").json().getString("userId"));
        long seq = send(alice, dm, "hello");
        advanceUntil(() -> service.received().size() == 1, "the push");

        assertThat(bobLaptop
                        .post("/api/v1/conversations/" + dm + "/read", new JsonObject().put("seq", seq))
                        .status())
                .isEqualTo(200);
        advanceUntil(() -> service.received().size() == 2, "the clear");
        JsonObject clear = service.received().get(1).payload();
        assertThat(clear.getBoolean("clear")).isTrue();
        assertThat(clear.getString("conversationId")).isEqualTo(dm);
        assertThat(clear.getInteger("count")).isZero();
        assertThat(service.received().get(1).urgency()).isEqualTo("low");
        advance(Duration.ofSeconds(30));
        assertThat(service.received()).hasSize(2);
    }

    @Test
    void aProviderAnswering500Then429_thenAccepting_deliversOnce() {
        start();
        Rest alice = register(server, "alice");
        Rest bob = register(server, "bob");
        subscribe(bob, "bob-phone");
        String dm = alice.direct(bob.get("/api/v1/me").json().getString("userId"));
        service.answerNext(500, null);
        service.answerNext(429, "7");
        send(alice, dm, "hi");

        Duration took =
                server.advanceUntil(STEP, BUDGET, () -> !service.received().isEmpty(), "the push");
        assertThat(service.requests()).isEqualTo(3);
        // The 429's Retry-After (7 s) is honoured: no third attempt before it.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(5 + 7));
        advance(Duration.ofSeconds(60));
        assertThat(service.received()).hasSize(1);
        assertThat(service.requests()).isEqualTo(3);
        assertThat(scrape())
                .contains("parley_push_notification_sent_total{channel=\"webpush\",result=\"retry\"} 2.0")
                .contains("parley_push_notification_sent_total{channel=\"webpush\",result=\"delivered\"} 1.0");
    }

    @Test
    void aPushFailingMaxAttemptsTimes_becomesACountedDeadLetter_andLeavesTheQueue() {
        Map<String, String> o = settings();
        o.put("push.max-attempts", "3");
        server = startServer(o, new ManualScheduler(), "data");
        Rest alice = register(server, "alice");
        Rest bob = register(server, "bob");
        subscribe(bob, "bob-phone");
        String dm = alice.direct(bob.get("/api/v1/me").json().getString("userId"));
        service.down(true);
        send(alice, dm, "hi");
        advanceUntil(() -> service.requests() == 3, "three attempts");
        advance(Duration.ofSeconds(60));
        assertThat(service.requests()).isEqualTo(3);
        assertThat(queueDepth()).isZero();
        assertThat(scrape())
                .contains("parley_push_notification_sent_total{channel=\"webpush\",result=\"retry\"} 3.0")
                .contains("parley_push_notification_sent_total{channel=\"webpush\",result=\"dead\"} 1.0");
    }

    @Test
    void aProviderDownFor60s_raisesTheQueueDepth_andEverythingArrivesAfter() {
        start();
        Rest alice = register(server, "alice");
        String[] names = {"bob", "carol", "dave"};
        for (String n : names) {
            Rest r = register(server, n);
            subscribe(r, n + "-phone");
            send(alice, alice.direct(r.get("/api/v1/me").json().getString("userId")), "hi " + n);
        }
        service.down(true);
        advance(Duration.ofSeconds(10));
        assertThat(queueDepth()).isEqualTo(3);
        advance(Duration.ofSeconds(50));
        assertThat(queueDepth()).isEqualTo(3);
        assertThat(service.requests()).isGreaterThan(3);
        service.down(false);
        advanceUntil(() -> service.received().size() == 3, "every push after the outage");
        advance(Duration.ofSeconds(30));
        for (String n : names) {
            assertThat(service.receivedBy(n + "-phone")).hasSize(1);
        }
        assertThat(queueDepth()).isZero();
    }

    @Test
    void twoPostgresNodesOnOneSchema_neverSendTheSameJob() {
        PostgresSupport.requirePostgres();
        schema = PostgresSupport.newSchema();
        // Real time here: each node's workers run on a thread of their own, so the two claim at the same moments.
        Map<String, String> o = settings();
        o.put("store.url", PostgresSupport.url(schema));
        o.put("push.grace", "1s");
        o.put("push.poll-interval", "20ms");
        server = startServer(o, null, "node-a");
        // The second node shares the VAPID keys, as a cluster's nodes must.
        copyVapid(dir.resolve("node-a"), dir.resolve("node-b"));
        second = startServer(o, null, "node-b");
        Rest alice = register(server, "alice");
        int users = 12;
        for (int i = 0; i < users; i++) {
            Rest r = register(second, "user" + i);
            subscribe(r, "user" + i);
            String dm = alice.direct(r.get("/api/v1/me").json().getString("userId"));
            send(alice, dm, "one");
            send(alice, dm, "two");
        }
        Chatter.await(() -> service.received().size() >= users, Duration.ofSeconds(30), "a push for everyone");
        // Both nodes keep polling the same rows for a while: a second send of any job would show here.
        assertThat(Chatter.holdsWithin(() -> service.requests() > users, Duration.ofSeconds(3)))
                .isFalse();
        assertThat(service.refusals()).isEmpty();
        for (int i = 0; i < users; i++) {
            assertThat(service.receivedBy("user" + i)).as("user" + i).hasSize(1);
        }
    }

    private static void copyVapid(Path from, Path to) {
        try {
            java.nio.file.Files.createDirectories(to);
            java.nio.file.Files.copy(from.resolve("vapid-keys"), to.resolve("vapid-keys"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String scrape() {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(server.httpUrl() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long queueDepth() {
        Matcher m = Pattern.compile("(?m)^parley_push_queue_depth(?:\\{[^}]*\\})? ([0-9.E]+)$")
                .matcher(scrape());
        assertThat(m.find()).as("parley_push_queue_depth in /metrics").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
