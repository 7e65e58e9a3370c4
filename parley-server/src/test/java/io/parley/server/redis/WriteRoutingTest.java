package io.parley.server.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.protocol.EventKind;
import io.parley.server.Poll;
import io.parley.server.chat.Appends;
import io.parley.server.store.Appended;
import io.parley.server.store.EventHeader;
import io.parley.server.store.LogEntry;
import io.parley.server.store.NewMessage;
import io.parley.server.store.StoreException;
import io.parley.server.time.ManualScheduler;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Write routing between nodes sharing one Redis prefix, against the machine's Redis. Each node's "store" is a
 * recording append (the seam {@link Appends}), so the test sees which node appended each send; the store's own rules
 * (idempotency, the conversation lock) are the JDBC store's and are tested there and in the cluster tests.
 */
class WriteRoutingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final String prefix = RedisSupport.newPrefix();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void redis() {
        RedisSupport.requireRedis();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }

    /** A node's store: records who appended what, numbers each conversation's messages, may be told to fail. */
    private static final class Store implements Appends {
        final Map<String, AtomicLong> seqs = new ConcurrentHashMap<>();
        final List<NewMessage> appended = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile RuntimeException failWith;
        volatile boolean hang;

        @Override
        public CompletableFuture<Appended> append(NewMessage m) {
            if (hang) {
                return new CompletableFuture<>();
            }
            if (failWith != null) {
                return CompletableFuture.failedFuture(failWith);
            }
            appended.add(m);
            long seq = seqs.computeIfAbsent(m.conversationId(), c -> new AtomicLong())
                    .incrementAndGet();
            return CompletableFuture.completedFuture(new Appended(
                    new LogEntry.MessagePosted(
                            new EventHeader(m.conversationId(), seq, EventKind.MESSAGE, m.createdAt(), m.senderId()),
                            m.messageId(),
                            m.clientMsgId(),
                            m.body(),
                            m.replyTo(),
                            m.replyTo() == null ? null : "snippet of " + m.replyTo(),
                            false),
                    false));
        }
    }

    private record Node(String id, Store store, RedisConnections redis, WriteRouting routing) {}

    private Node node(String id) {
        RedisConnections redis = new RedisConnections(RedisSupport.URL, prefix);
        open.add(redis);
        Store store = new Store();
        WriteRouting routing = new WriteRouting(redis, id, store, scheduler, TIMEOUT);
        open.add(routing);
        return new Node(id, store, redis, routing);
    }

    /** Heartbeats until every node sees {@code expected} as the live nodes (each beat is a Redis round trip). */
    private void converge(List<Node> nodes, List<String> expected) {
        Poll.until(
                () -> {
                    scheduler.advance(WriteRouting.HEARTBEAT);
                    return nodes.stream().allMatch(n -> n.routing().liveNodes().equals(expected));
                },
                Duration.ofSeconds(10),
                "every node seeing the live nodes " + expected);
    }

    private static NewMessage message(String conversation, String sender, String key) {
        return new NewMessage(conversation, sender, key, "hello " + key, "m_" + key, 1_000L, null);
    }

    private static Appended get(CompletableFuture<Appended> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void everyConversationIsAppendedByOneNodeWhicheverNodeSends() throws Exception {
        Node a = node("n_a");
        Node b = node("n_b");
        Node c = node("n_c");
        converge(List.of(a, b, c), List.of("n_a", "n_b", "n_c"));
        List<Node> nodes = List.of(a, b, c);
        Map<String, Appended> answers = new HashMap<>();
        for (int conv = 0; conv < 30; conv++) {
            for (Node sender : nodes) {
                for (int i = 0; i < 3; i++) {
                    String key = "k" + conv + sender.id() + i;
                    Appended got = get(sender.routing().append(message("c_" + conv, "u_" + sender.id(), key)));
                    answers.put(key, got);
                }
            }
        }
        Set<String> owners = new java.util.HashSet<>();
        for (int conv = 0; conv < 30; conv++) {
            String cid = "c_" + conv;
            String owner = a.routing().owner(cid);
            assertEquals(owner, b.routing().owner(cid), "the nodes agree on the owner of " + cid);
            assertEquals(owner, c.routing().owner(cid));
            owners.add(owner);
            for (Node n : nodes) {
                long here = n.store().appended.stream()
                        .filter(m -> m.conversationId().equals(cid))
                        .count();
                assertEquals(n.id().equals(owner) ? 9 : 0, here, cid + " appended on " + n.id());
            }
        }
        assertEquals(Set.of("n_a", "n_b", "n_c"), owners, "30 conversations spread over all three nodes");
        // The answer a forwarded send gets is the owner's stored event, field by field.
        Appended one = answers.get("k0n_b1");
        assertEquals("c_0", one.event().conversationId());
        assertEquals("m_k0n_b1", one.event().messageId());
        assertEquals("k0n_b1", one.event().clientMsgId());
        assertEquals("hello k0n_b1", one.event().body());
        assertEquals("u_n_b", one.event().actorId());
        assertEquals(1_000L, one.event().createdAt());
        assertFalse(one.duplicate());
        // Seqs 1..9 of each conversation, each once: its owner numbered them all.
        for (int conv = 0; conv < 30; conv++) {
            String cid = "c_" + conv;
            List<Long> seqs = answers.values().stream()
                    .filter(x -> x.event().conversationId().equals(cid))
                    .map(x -> x.event().seq())
                    .sorted()
                    .toList();
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), seqs, cid);
        }
        assertEquals(
                a.routing().forwarded() + b.routing().forwarded() + c.routing().forwarded(),
                a.routing().served() + b.routing().served() + c.routing().served());
        assertTrue(a.routing().forwarded() > 0);
        assertEquals(
                0,
                a.routing().fallbacks() + b.routing().fallbacks() + c.routing().fallbacks());
    }

    @Test
    void aReplyTravelsWithItsSnippet() throws Exception {
        Node a = node("n_a");
        Node b = node("n_b");
        converge(List.of(a, b), List.of("n_a", "n_b"));
        String cid = conversationOwnedBy(a, "n_b");
        Appended got = get(a.routing().append(new NewMessage(cid, "u_1", "k1", "re", "m_1", 5L, "m_parent")));
        assertEquals("m_parent", got.event().replyTo());
        assertEquals("snippet of m_parent", got.event().replySnippet());
        assertEquals(1, b.store().appended.size());
    }

    @Test
    void theOwnersRefusalIsTheSendersAnswer() throws Exception {
        Node a = node("n_a");
        Node b = node("n_b");
        converge(List.of(a, b), List.of("n_a", "n_b"));
        String cid = conversationOwnedBy(a, "n_b");
        b.store().failWith = new StoreException.NotFound("conversation not found");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class,
                () -> a.routing().append(message(cid, "u_1", "k1")).get(10, TimeUnit.SECONDS));
        assertInstanceOf(StoreException.NotFound.class, e.getCause());
        b.store().failWith = new StoreException.MessageNotFound("message not found");
        e = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class,
                () -> a.routing().append(message(cid, "u_1", "k2")).get(10, TimeUnit.SECONDS));
        assertInstanceOf(StoreException.MessageNotFound.class, e.getCause());
        assertTrue(a.store().appended.isEmpty(), "a refusal is not appended elsewhere");
        assertEquals(0, a.routing().fallbacks());
    }

    @Test
    void aFailingOwnerStoreMakesTheSenderAppendItself() throws Exception {
        Node a = node("n_a");
        Node b = node("n_b");
        converge(List.of(a, b), List.of("n_a", "n_b"));
        String cid = conversationOwnedBy(a, "n_b");
        b.store().failWith = new RuntimeException(new SQLException("connection reset"));
        Appended got = get(a.routing().append(message(cid, "u_1", "k1")));
        assertEquals("k1", got.event().clientMsgId());
        assertEquals(1, a.store().appended.size());
        assertEquals(1, a.routing().fallbacks());
    }

    @Test
    void anOwnerThatDoesNotAnswerInTimeLeavesTheSendToTheSender() throws Exception {
        Node a = node("n_a");
        Node b = node("n_b");
        converge(List.of(a, b), List.of("n_a", "n_b"));
        String cid = conversationOwnedBy(a, "n_b");
        b.store().hang = true;
        CompletableFuture<Appended> f = a.routing().append(message(cid, "u_1", "k1"));
        Poll.until(() -> b.routing().served() == 1, Duration.ofSeconds(10), "the owner receiving the send");
        assertFalse(f.isDone(), "waits for the owner's answer");
        scheduler.advance(TIMEOUT);
        assertEquals("k1", get(f).event().clientMsgId());
        assertEquals(1, a.store().appended.size());
        assertEquals(1, a.routing().fallbacks());
    }

    @Test
    void aNodeThatIsGoneIsNotWaitedForAndLosesItsConversations() throws Exception {
        Node a = node("n_a");
        Node b = node("n_b");
        converge(List.of(a, b), List.of("n_a", "n_b"));
        String cid = conversationOwnedBy(a, "n_b");
        // b dies without leaving (kill -9): nobody listens on its channel, so a appends at once, without a timeout.
        b.redis().close();
        Appended got = get(a.routing().append(message(cid, "u_1", "k1")));
        assertEquals("k1", got.event().clientMsgId());
        assertEquals(1, a.routing().fallbacks());
        // Its heartbeat stops: within the TTL a owns everything and forwards nothing.
        converge(List.of(a), List.of("n_a"));
        assertEquals("n_a", a.routing().owner(cid));
        long forwarded = a.routing().forwarded();
        get(a.routing().append(message(cid, "u_1", "k2")));
        assertEquals(forwarded, a.routing().forwarded());
    }

    @Test
    void aStoppingNodeLeavesAtOnce() throws Exception {
        Node a = node("n_a");
        Node b = node("n_b");
        converge(List.of(a, b), List.of("n_a", "n_b"));
        String cid = conversationOwnedBy(a, "n_b");
        b.routing().close();
        // b removed itself from the live nodes (it did not wait for its place to expire) ...
        assertEquals(
                List.of("n_a"),
                a.redis().commands().zrange(a.redis().key("nodes"), 0, -1).get(10, TimeUnit.SECONDS));
        // ... so a's next heartbeat makes a the owner of b's conversations.
        converge(List.of(a), List.of("n_a"));
        assertEquals("n_a", a.routing().owner(cid));
        get(a.routing().append(message(cid, "u_1", "k1")));
        assertEquals(1, a.store().appended.size());
        assertTrue(b.store().appended.isEmpty());
    }

    @Test
    void ownersMoveOnlyWithTheNodeThatLeft() {
        List<String> three = List.of("n_a", "n_b", "n_c");
        List<String> two = List.of("n_a", "n_c");
        int moved = 0;
        for (int i = 0; i < 3000; i++) {
            String cid = "c_" + i;
            String before = WriteRouting.owner(three, cid, "n_a");
            String after = WriteRouting.owner(two, cid, "n_a");
            if (!before.equals("n_b")) {
                assertEquals(before, after, cid + " kept its owner");
            } else {
                assertNotEquals("n_b", after);
                moved++;
            }
        }
        assertTrue(moved > 800 && moved < 1200, "about a third moved: " + moved);
        assertEquals("n_self", WriteRouting.owner(List.of(), "c_1", "n_self"));
    }

    private static String conversationOwnedBy(Node any, String owner) {
        for (int i = 0; ; i++) {
            if (any.routing().owner("c_" + i).equals(owner)) {
                return "c_" + i;
            }
        }
    }
}
