package io.parley.server.store;

import static io.parley.server.store.StoreFixture.await;
import static io.parley.server.store.StoreFixture.failure;
import static io.parley.server.store.StoreFixture.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.EventKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Appending to the log (order, idempotency, membership, concurrency) and reading it back.
 */
interface LogContract extends StoreFixture {

    @Test
    default void appendMessage_assignsContiguousSeqsPerConversation_independentAcrossConversations() {
        users("a", "b");
        group("g1", "a", "b");
        group("g2", "a", "b");

        List<Long> g1 = new ArrayList<>();
        List<Long> g2 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            g1.add(await(store().appendMessage(message("g1", "a", "x" + i, "m" + i)))
                    .event()
                    .seq());
            g2.add(await(store().appendMessage(message("g2", "b", "y" + i, "m" + i)))
                    .event()
                    .seq());
        }

        assertThat(g1).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(g2).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(await(store().lastSeqs("a"))).isEqualTo(Map.of("g1", 8L, "g2", 8L));
    }

    @Test
    default void appendMessage_returnsTheStoredEventWithTheMembersAsRecipients() {
        users("a", "b", "c");
        group("g1", "a", "b");

        Appended appended = await(store().appendMessage(new NewMessage("g1", "a", "c1", "hello", "msg-1", T0 + 5)));

        assertThat(appended.duplicate()).isFalse();
        var e = appended.event();
        assertThat(e)
                .extracting(
                        LogEntry::conversationId,
                        LogEntry::kind,
                        LogEntry::createdAt,
                        LogEntry::actorId,
                        Entries::messageId,
                        Entries::clientMsgId,
                        Entries::body)
                .containsExactly("g1", EventKind.MESSAGE, T0 + 5, "a", "msg-1", "c1", "hello");
        assertThat(listener().recipientsOf(e)).containsExactlyInAnyOrder("a", "b");
        assertThat(await(store().eventsAfter("g1", 3, 10))).containsExactly(e);
    }

    @Test
    default void appendMessage_fromManyThreads_hasNoGapNorDuplicate_andIsPublishedInOrderBeforeItsFutureCompletes()
            throws Exception {
        int threadCount = 8;
        int perThread = 500;
        String[] users = new String[threadCount];
        for (int t = 0; t < threadCount; t++) {
            users[t] = "u" + t;
        }
        users(users);
        List<String> conversations = List.of("g0", "g1", "g2", "g3");
        for (String g : conversations) {
            groupOf(g, users);
        }
        long creationEvents = 1L + threadCount;
        ConcurrentLinkedQueue<String> publishedTooLate = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<CompletableFuture<Appended>> futures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(threadCount);
        List<Future<?>> submitters = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            String sender = users[t];
            submitters.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    CompletableFuture<Appended> f = store().appendMessage(message(
                            conversations.get(i % conversations.size()), sender, sender + "-" + i, "m"));
                    f.thenAccept(a -> {
                        if (!listener().saw(a.event())) {
                            publishedTooLate.add(
                                    a.event().conversationId() + "#" + a.event().seq());
                        }
                    });
                    futures.add(f);
                }
                return null;
            }));
        }
        start.countDown();
        try {
            for (Future<?> s : submitters) {
                s.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        Map<String, List<Long>> returnedSeqs = new HashMap<>();
        for (CompletableFuture<Appended> f : futures) {
            Appended a = await(f);
            assertThat(a.duplicate()).isFalse();
            returnedSeqs
                    .computeIfAbsent(a.event().conversationId(), k -> new ArrayList<>())
                    .add(a.event().seq());
        }

        assertThat(publishedTooLate)
                .as("futures completed before the listener saw their event")
                .isEmpty();
        long perConversation = (long) threadCount * perThread / conversations.size();
        List<Long> expectedMessageSeqs = LongStream.rangeClosed(creationEvents + 1, creationEvents + perConversation)
                .boxed()
                .toList();
        List<Long> expectedAllSeqs = LongStream.rangeClosed(1, creationEvents + perConversation)
                .boxed()
                .toList();
        for (String g : conversations) {
            assertThat(returnedSeqs.get(g)).containsExactlyInAnyOrderElementsOf(expectedMessageSeqs);
            assertThat(listener().eventsOf(g)).extracting(LogEntry::seq).containsExactlyElementsOf(expectedAllSeqs);
            assertThat(await(store().eventsAfter(g, 0, 10_000)))
                    .extracting(LogEntry::seq)
                    .containsExactlyElementsOf(expectedAllSeqs);
        }
    }

    @Test
    default void appendMessage_withSameClientMsgId_returnsOriginalAndStoresNothing() {
        users("a", "b");
        group("g1", "a", "b");
        group("g2", "a", "b");
        Appended original = await(store().appendMessage(message("g1", "a", "c1", "first")));
        int publishedBefore = listener().events().size();

        Appended retry = await(store().appendMessage(new NewMessage("g1", "a", "c1", "second", "other-id", T0 + 9)));
        Appended elsewhere = await(store().appendMessage(message("g2", "a", "c1", "third")));
        Appended otherSender = await(store().appendMessage(message("g1", "b", "c1", "from b")));

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.event()).isEqualTo(original.event());
        assertThat(elsewhere.duplicate()).isTrue();
        assertThat(elsewhere.event().conversationId()).isEqualTo("g1");
        assertThat(otherSender.duplicate()).isFalse();
        assertThat(await(store().eventsAfter("g1", 0, 100)))
                .filteredOn(e -> e.kind() == EventKind.MESSAGE)
                .extracting(Entries::body)
                .containsExactly("first", "from b");
        assertThat(await(store().lastSeqs("a"))).containsEntry("g2", 3L);
        assertThat(listener().events()).hasSize(publishedBefore + 1);
    }

    @Test
    default void appendMessage_withConcurrentDuplicates_storesOneAndReturnsItToAll() {
        users("a", "b");
        group("g1", "a", "b");
        List<CompletableFuture<Appended>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(store().appendMessage(message("g1", "a", "same", "body " + i)));
        }
        List<Appended> results = calls.stream().map(StoreFixture::await).toList();

        assertThat(results).filteredOn(a -> !a.duplicate()).hasSize(1);
        assertThat(results).extracting(a -> a.event().seq()).containsOnly(4L);
        assertThat(await(store().eventsAfter("g1", 3, 100))).hasSize(1);
        assertThat(listener().eventsOf("g1"))
                .filteredOn(e -> e.kind() == EventKind.MESSAGE)
                .hasSize(1);
    }

    @Test
    default void appendMessage_byNonMember_failsWithNotFoundAndStoresNothing() {
        users("a", "b", "x");
        group("g1", "a", "b");

        assertThat(failure(store().appendMessage(message("g1", "x", "c1", "intrude"))))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store().eventsAfter("g1", 0, 100))).hasSize(3);
        assertThat(listener().events()).hasSize(3);
        // Not stored, so the same client id still works once x is a member.
        await(store().addMembers("g1", "a", List.of("x"), T0));
        assertThat(await(store().appendMessage(message("g1", "x", "c1", "hello")))
                        .duplicate())
                .isFalse();
    }

    @Test
    default void appendMessage_toUnknownConversation_failsWithNotFound() {
        users("a");

        assertThat(failure(store().appendMessage(message("nope", "a", "c1", "hi"))))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store().eventsAfter("nope", 0, 10))).isEmpty();
    }

    @Test
    default void appendMessage_failuresAmongConcurrentWrites_failOnlyThemselves() {
        users("a", "b", "x");
        group("g1", "a", "b");
        List<CompletableFuture<Appended>> good = new ArrayList<>();
        List<CompletableFuture<Appended>> bad = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            good.add(store().appendMessage(message("g1", "a", "ok" + i, "m")));
            bad.add(store().appendMessage(message("g1", "x", "bad" + i, "m")));
        }

        assertThat(good.stream().map(f -> await(f).event().seq()).toList())
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(4, 103).boxed().toList());
        assertThat(bad).allSatisfy(f -> assertThat(failure(f)).isInstanceOf(StoreException.NotFound.class));
        assertThat(listener().eventsOf("g1"))
                .extracting(LogEntry::seq)
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, 103).boxed().toList());
    }

    @Test
    default void eventsAfterAndBefore_pageInAscendingOrder_withoutRecipients() {
        users("a", "b");
        group("g1", "a", "b");
        appendAll("g1", "a", 10);

        assertThat(await(store().eventsAfter("g1", 5, 3)))
                .extracting(LogEntry::seq)
                .containsExactly(6L, 7L, 8L);
        assertThat(await(store().eventsAfter("g1", 12, 10)))
                .extracting(LogEntry::seq)
                .containsExactly(13L);
        assertThat(await(store().eventsAfter("g1", 13, 10))).isEmpty();
        assertThat(await(store().eventsBefore("g1", 6, 3)))
                .extracting(LogEntry::seq)
                .containsExactly(3L, 4L, 5L);
        assertThat(await(store().eventsBefore("g1", 3, 10)))
                .extracting(LogEntry::seq)
                .containsExactly(1L, 2L);
        assertThat(await(store().eventsBefore("g1", Long.MAX_VALUE, 2)))
                .extracting(LogEntry::seq)
                .containsExactly(12L, 13L);
        // Recipients are a fact of the commit, not of the log: what is read back is the entries as committed.
        assertThat(await(store().eventsAfter("g1", 0, 100)))
                .containsExactlyElementsOf(listener().eventsOf("g1"));
    }

    @Test
    default void paging_whileAppendsHappen_isStableAndSeesEveryEventOnce() {
        users("a", "b");
        group("g1", "a", "b");
        appendAll("g1", "a", 20);
        List<LogEntry> window = await(store().eventsBefore("g1", 15, 5));
        List<CompletableFuture<Appended>> inFlight = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            inFlight.add(store().appendMessage(message("g1", i % 2 == 0 ? "a" : "b", "late" + i, "m")));
        }
        long total = 3 + 20 + 300;

        List<Long> seen = new ArrayList<>();
        long cursor = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (cursor < total) {
            assertThat(System.nanoTime()).as("paging made no progress").isLessThan(deadline);
            List<LogEntry> page = await(store().eventsAfter("g1", cursor, 7));
            assertThat(await(store().eventsBefore("g1", 15, 5))).isEqualTo(window);
            for (LogEntry e : page) {
                assertThat(e.seq()).isEqualTo(cursor + 1);
                seen.add(e.seq());
                cursor = e.seq();
            }
        }
        inFlight.forEach(StoreFixture::await);

        assertThat(seen)
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, total).boxed().toList());
        List<Long> backwards = new ArrayList<>();
        long before = Long.MAX_VALUE;
        List<LogEntry> page;
        while (!(page = await(store().eventsBefore("g1", before, 7))).isEmpty()) {
            for (int i = page.size() - 1; i >= 0; i--) {
                backwards.add(0, page.get(i).seq());
            }
            before = page.get(0).seq();
        }
        assertThat(backwards).isEqualTo(seen);
    }
}
