package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.store.Appended;
import io.parley.server.store.ChatStore;
import io.parley.server.store.CommitListener;
import io.parley.server.store.Entries;
import io.parley.server.store.NewMessage;
import io.parley.server.store.ReceiptUpdate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes (two stores on one PostgreSQL schema) writing interleaved to the same 100 conversations from many
 * threads, as two cluster nodes do under load: every batch of each node touches conversations the other node's
 * batches touch too, in another order. Before batches locked their conversations up front, in id order, this
 * deadlocked within seconds and writes waited for many seconds (issue "The cluster stalls under load").
 *
 * <p>Bounds: the run sends for {@link #SEND_MILLIS} or {@link #WRITES_PER_NODE} writes per node, whichever comes
 * first; no write may take longer than {@link #MAX_WRITE_MILLIS} from submit to completion (a lock wait is capped by
 * {@link SqlDialect#LOCK_TIMEOUT_MILLIS}, and a node holds a conversation for one batch only).
 */
class PostgresContentionTest {
    static final int CONVERSATIONS = 100;
    static final int USERS = 20;
    static final int THREADS_PER_NODE = 8;
    static final int IN_FLIGHT_PER_THREAD = 16;
    static final int WRITES_PER_NODE = 6_000;
    static final long SEND_MILLIS = 8_000;
    static final long MAX_WRITE_MILLIS = 5_000;

    private final String schema = PostgresSupport.newSchema();
    private final List<ChatStore> stores = new ArrayList<>();

    @BeforeAll
    static void postgres() {
        PostgresSupport.requirePostgres();
    }

    @AfterEach
    void cleanup() {
        stores.forEach(ChatStore::close);
        PostgresSupport.dropSchema(schema);
    }

    private ChatStore node() {
        return node(1, CommitListener.NONE);
    }

    /** A node with {@code writers} writer lanes (store.writers). */
    private ChatStore node(int writers, CommitListener listener) {
        ChatStore s = JdbcChatStore.openPostgres(
                PostgresOptions.of(
                        io.parley.server.config.StoreUrl.postgres(PostgresSupport.url(schema)),
                        2 + writers,
                        512,
                        writers),
                listener);
        stores.add(s);
        return s;
    }

    @Test
    void twoNodesWritingToTheSameConversations_neverWaitPastTheBound_andStoreEveryAckedWriteOnceWithGaplessSeqs()
            throws Exception {
        contention(1);
    }

    /** The same with three writer lanes on each node: six writers, two per node sharing no conversation. */
    @Test
    void twoNodesOfThreeWriterLanesEach_neverWaitPastTheBound_andStoreEveryAckedWriteOnceWithGaplessSeqs()
            throws Exception {
        contention(3);
    }

    @Test
    void writerLanes_keepEachConversationsOrder_andCommitInParallel() throws Exception {
        Set<String> listenerThreads = ConcurrentHashMap.newKeySet();
        ChatStore node = node(4, e -> listenerThreads.add(Thread.currentThread().getName()));
        node.createUser("a", "a", "h").get(30, TimeUnit.SECONDS);
        node.createUser("b", "b", "h").get(30, TimeUnit.SECONDS);
        int conversations = 16;
        int each = 40;
        for (int c = 0; c < conversations; c++) {
            node.createGroup("lane-" + c, "a", "t", List.of("b"), 0).get(30, TimeUnit.SECONDS);
        }
        // Interleaved and all in flight at once: no write waits for the one before it.
        List<CompletableFuture<Appended>> writes = new ArrayList<>();
        for (int i = 0; i < each; i++) {
            for (int c = 0; c < conversations; c++) {
                String id = "lane-" + c + "-" + i;
                writes.add(node.appendMessage(new NewMessage("lane-" + c, "a", id, "x", "m-" + id, 0)));
            }
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        for (int c = 0; c < conversations; c++) {
            long previous = 0;
            for (int i = 0; i < each; i++) {
                long seq = writes.get(i * conversations + c).get().event().seq();
                assertThat(seq).as("seq of lane-%d's write %d", c, i).isGreaterThan(previous);
                previous = seq;
            }
        }
        assertThat(listenerThreads)
                .as("the lanes that committed")
                .contains(Writer.THREAD_NAME)
                .hasSizeGreaterThan(1)
                .allMatch(t -> t.startsWith(Writer.THREAD_NAME));
    }

    private void contention(int writers) throws Exception {
        ChatStore node1 = node(writers, CommitListener.NONE);
        ChatStore node2 = node(writers, CommitListener.NONE);
        List<String> users = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            users.add("u" + u);
            node1.createUser("u" + u, "user" + u, "h").get(30, TimeUnit.SECONDS);
        }
        for (int c = 0; c < CONVERSATIONS; c++) {
            node1.createGroup("c" + c, users.get(0), "c" + c, users.subList(1, USERS), 0)
                    .get(30, TimeUnit.SECONDS);
        }
        long deadlocksBefore = deadlocks();

        Map<String, String> acked = new ConcurrentHashMap<>(); // clientMsgId -> conversation
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong slowest = new AtomicLong();
        long stopAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_MILLIS);
        ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_NODE);
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            ChatStore node = n == 0 ? node1 : node2;
            for (int t = 0; t < THREADS_PER_NODE; t++) {
                String thread = "n" + n + "t" + t;
                threads.add(CompletableFuture.runAsync(
                        () -> writeUntil(node, thread, users, stopAt, acked, failures, slowest), pool));
            }
        }
        CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new))
                .get(SEND_MILLIS + 4 * MAX_WRITE_MILLIS, TimeUnit.MILLISECONDS);
        pool.shutdown();

        assertThat(failures).as("failed writes").isEmpty();
        assertThat(slowest.get()).as("slowest write (ms)").isLessThan(MAX_WRITE_MILLIS);
        assertThat(acked).hasSizeGreaterThan(1_000);
        assertThat(waitingBackends()).as("backends still waiting for a lock").isZero();
        System.out.printf(
                "contention: %d writes acked, slowest %d ms, deadlocks detected by PostgreSQL: %d%n",
                acked.size(), slowest.get(), deadlocks() - deadlocksBefore);

        // Every acked write once, and each conversation's log gapless from 1 to its last_seq.
        try (Connection c = DriverManager.getConnection(PostgresSupport.ADMIN_JDBC, PostgresSupport.USER, null);
                Statement s = c.createStatement()) {
            Map<String, String> stored = new HashMap<>();
            try (ResultSet rs = s.executeQuery(
                    "SELECT client_msg_id, conversation_id FROM " + schema + ".events WHERE kind = 'message'")) {
                while (rs.next()) {
                    assertThat(stored.put(rs.getString(1), rs.getString(2)))
                            .as("stored twice: %s", rs.getString(1))
                            .isNull();
                }
            }
            assertThat(stored).isEqualTo(acked);
            try (ResultSet rs = s.executeQuery("SELECT c.id, c.last_seq, COUNT(e.seq), MIN(e.seq), MAX(e.seq) FROM "
                    + schema + ".conversations c JOIN " + schema
                    + ".events e ON e.conversation_id = c.id GROUP BY c.id")) {
                int conversations = 0;
                while (rs.next()) {
                    conversations++;
                    String id = rs.getString(1);
                    assertThat(rs.getLong(3)).as("events of %s", id).isEqualTo(rs.getLong(2));
                    assertThat(rs.getLong(4)).as("first seq of %s", id).isEqualTo(1);
                    assertThat(rs.getLong(5)).as("last seq of %s", id).isEqualTo(rs.getLong(2));
                }
                assertThat(conversations).isEqualTo(CONVERSATIONS);
            }
        }
    }

    @Test
    void close_whileTheWriterWaitsForALockAnotherNodeHolds_returnsWithinItsBound_andAcksNothingUncommitted()
            throws Exception {
        ChatStore node = node();
        node.createUser("a", "alice", "h").get(30, TimeUnit.SECONDS);
        node.createGroup("c0", "a", "c0", List.of(), 0).get(30, TimeUnit.SECONDS);
        CompletableFuture<Appended> write;
        long took;
        try (Connection other = DriverManager.getConnection(PostgresSupport.ADMIN_JDBC, PostgresSupport.USER, null);
                Statement s = other.createStatement()) {
            // Another node's transaction holds the conversation, and keeps it.
            other.setAutoCommit(false);
            s.execute("SELECT 1 FROM " + schema + ".conversations WHERE id = 'c0' FOR UPDATE");
            write = node.appendMessage(new NewMessage("c0", "a", "stuck", "x", "m-stuck", 0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waitingBackends() == 0) {
                assertThat(System.nanoTime())
                        .as("the writer never waited for the lock")
                        .isLessThan(deadline);
            }
            long started = System.nanoTime();
            node.close();
            took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            other.rollback();
        }
        assertThat(took).as("close took (ms)").isLessThan(WriterLane.CLOSE_MILLIS + 2_000);
        assertThat(write).isCompletedExceptionally();
        ChatStore reopened = node();
        assertThat(reopened.eventsAfter("c0", 0, 100).get(30, TimeUnit.SECONDS))
                .noneMatch(e -> "stuck".equals(Entries.clientMsgId(e)));
    }

    /**
     * A batch skips the conversation another node's transaction holds: the batch's other writes commit at once, the
     * held conversation's writes follow when the row is free, in their order. (Without the skip, the whole batch
     * waited for the lock: the free write timed out with it.)
     */
    @Test
    void aConversationAnotherNodeHolds_delaysOnlyItsOwnWrites_notTheRestOfItsBatch() throws Exception {
        ChatStore node = node();
        node.createUser("a", "alice", "h").get(30, TimeUnit.SECONDS);
        node.createGroup("held", "a", "held", List.of(), 0).get(30, TimeUnit.SECONDS);
        node.createGroup("free", "a", "free", List.of(), 0).get(30, TimeUnit.SECONDS);
        // The writer takes its first batch only when the gate opens, so the three writes are one batch.
        CountDownLatch gate = new CountDownLatch(1);
        LinkedBlockingQueue<WriteJob<?>> queue = new LinkedBlockingQueue<>() {
            @Override
            public WriteJob<?> poll(long timeout, TimeUnit unit) throws InterruptedException {
                gate.await();
                return super.poll(timeout, unit);
            }
        };
        String jdbc = PostgresSupport.ADMIN_JDBC + "?currentSchema=" + schema;
        try (Connection other = DriverManager.getConnection(PostgresSupport.ADMIN_JDBC, PostgresSupport.USER, null);
                Statement s = other.createStatement();
                Writer writer = new Writer(
                        SqlDialect.POSTGRESQL,
                        () -> DriverManager.getConnection(jdbc, PostgresSupport.USER, null),
                        CommitListener.NONE,
                        16,
                        queue)) {
            other.setAutoCommit(false);
            s.execute("SELECT 1 FROM " + schema + ".conversations WHERE id = 'held' FOR UPDATE");
            CompletableFuture<Integer> held1 = writer.submit("held", tx -> retitle(tx, "held", "h1"));
            CompletableFuture<Integer> free = writer.submit("free", tx -> retitle(tx, "free", "f1"));
            CompletableFuture<Integer> held2 = writer.submit("held", tx -> retitle(tx, "held", "h2"));
            gate.countDown();

            assertThat(free.get(SqlDialect.LOCK_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS))
                    .as("the free conversation's write, while the other is held")
                    .isEqualTo(1);
            assertThat(title("free")).isEqualTo("f1");
            assertThat(held1).isNotDone();
            assertThat(held2).isNotDone();

            other.rollback();
            assertThat(held1.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(held2.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(title("held"))
                    .as("the held conversation's writes, in their order")
                    .isEqualTo("h2");
        }
    }

    private static int retitle(Tx tx, String conversation, String title) throws SQLException {
        PreparedStatement ps = tx.ps("UPDATE conversations SET title = ? WHERE id = ?");
        ps.setString(1, title);
        ps.setString(2, conversation);
        return ps.executeUpdate();
    }

    private String title(String conversation) throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresSupport.ADMIN_JDBC, PostgresSupport.USER, null);
                PreparedStatement ps =
                        c.prepareStatement("SELECT title FROM " + schema + ".conversations WHERE id = ?")) {
            ps.setString(1, conversation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * One writer thread: appends to random conversations (a few writes in flight at once), and now and then moves
     * the receipt cursors of random members, which the other node's threads move too.
     */
    private static void writeUntil(
            ChatStore node,
            String thread,
            List<String> users,
            long stopAt,
            Map<String, String> acked,
            List<Throwable> failures,
            AtomicLong slowest) {
        Semaphore inFlight = new Semaphore(IN_FLIGHT_PER_THREAD);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int writes = WRITES_PER_NODE / THREADS_PER_NODE;
        for (int i = 0; i < writes && System.nanoTime() < stopAt; i++) {
            inFlight.acquireUninterruptibly();
            long started = System.nanoTime();
            String conversation = "c" + random.nextInt(CONVERSATIONS);
            CompletableFuture<?> write;
            if (i % 10 == 9) {
                List<ReceiptUpdate> updates = new ArrayList<>();
                for (int k = 0; k < 5; k++) {
                    updates.add(new ReceiptUpdate(
                            "c" + random.nextInt(CONVERSATIONS),
                            users.get(random.nextInt(USERS)),
                            random.nextInt(1, 50),
                            0));
                }
                write = node.updateReceipts(updates, 0, 500);
            } else {
                String clientMsgId = thread + "-" + i;
                String sender = users.get(random.nextInt(USERS));
                write = node.appendMessage(
                                new NewMessage(conversation, sender, clientMsgId, "x", "m-" + clientMsgId, 0))
                        .thenAccept(
                                (Appended a) -> acked.put(clientMsgId, a.event().conversationId()));
            }
            write.whenComplete((v, err) -> {
                slowest.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), Math::max);
                if (err != null) {
                    failures.add(err);
                }
                inFlight.release();
            });
        }
        inFlight.acquireUninterruptibly(IN_FLIGHT_PER_THREAD);
    }

    private static long deadlocks() throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresSupport.ADMIN_JDBC, PostgresSupport.USER, null);
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs =
                    s.executeQuery("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Backends of this schema's stores that wait for a lock now. */
    private int waitingBackends() throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresSupport.ADMIN_JDBC, PostgresSupport.USER, null);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a "
                                + "ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database() AND a.query LIKE ?")) {
            ps.setString(1, "%conversations%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
