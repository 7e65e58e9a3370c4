package io.parley.server.store;

import io.parley.protocol.EventKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The behaviour every {@link ChatStore} must have. Each backend extends this once; each test gets a fresh, empty
 * database from {@link #create}, so tests do not depend on each other or on their order.
 */
public abstract class ChatStoreContract {

    protected static final long T0 = 1_700_000_000_000L;
    private static final int TIMEOUT_SECONDS = 30;

    /** A new store on a new, empty database. */
    protected abstract ChatStore create(CommitListener listener);

    /** A new store on the database of the last {@link #create} (which the test has closed). */
    protected abstract ChatStore reopen(CommitListener listener);

    /** Records in the (closed) database's schema history a migration newer than any this build has. */
    protected abstract void recordFutureMigration() throws Exception;

    /** Releases what {@link #create} set up (the stores themselves are closed already). */
    protected void cleanup() throws Exception {
    }

    protected RecordingListener listener;
    protected ChatStore store;
    private final List<ChatStore> opened = new ArrayList<>();
    private ExecutorService threads;

    @BeforeEach
    void openStore() {
        listener = new RecordingListener();
        store = track(create(listener));
    }

    @AfterEach
    void closeStores() throws Exception {
        if (threads != null) {
            threads.shutdownNow();
        }
        for (ChatStore s : opened) {
            s.close();
        }
        cleanup();
        assertThat(listener.overlapped()).as("listener called from two threads at once").isFalse();
    }

    protected ChatStore track(ChatStore s) {
        opened.add(s);
        return s;
    }

    // ---- users ---------------------------------------------------------------------------------------------------

    @Test
    void createUser_thenFindByIdOrUsername_returnsIt() {
        User created = await(store.createUser("u1", "alice", "hash-a"));

        assertThat(created.id()).isEqualTo("u1");
        assertThat(await(store.findUser("u1"))).contains(created);
        assertThat(await(store.findUserByUsername("alice"))).contains(created);
        assertThat(await(store.findUser("nobody"))).isEmpty();
        assertThat(await(store.findUserByUsername("nobody"))).isEmpty();
    }

    @Test
    void createUser_withTakenUsername_failsWithConflictAndKeepsTheFirst() {
        await(store.createUser("u1", "alice", "hash-a"));

        assertThat(failure(store.createUser("u2", "alice", "hash-b"))).isInstanceOf(StoreException.Conflict.class);
        assertThat(failure(store.createUser("u1", "other", "hash-b"))).isInstanceOf(StoreException.Conflict.class);
        assertThat(await(store.findUser("u2"))).isEmpty();
        assertThat(await(store.findCredentials("alice")))
                .contains(new Credentials("u1", "alice", "hash-a"));
    }

    @Test
    void findCredentials_isEmptyForUnknownNamesAndAccountsWithoutPassword() {
        await(store.provisionUser("ext-1"));

        assertThat(await(store.findCredentials("nobody"))).isEmpty();
        assertThat(await(store.findUser("ext-1"))).get().extracting(User::username).isNull();
    }

    @Test
    void provisionUser_concurrently_createsOneUserOnce() {
        List<CompletableFuture<User>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(store.provisionUser("ext-1"));
        }
        Set<User> users = new HashSet<>();
        calls.forEach(c -> users.add(await(c)));

        assertThat(users).hasSize(1);
        assertThat(users.iterator().next().username()).isNull();
        assertThat(await(store.provisionUser("ext-1"))).isEqualTo(users.iterator().next());
    }

    // ---- direct conversations ------------------------------------------------------------------------------------

    @Test
    void getOrCreateDirect_whenCreating_appendsCreationEventsForBothMembers() {
        users("a", "b");

        Created created = await(store.getOrCreateDirect("d1", "a", "b", T0));

        assertThat(created.created()).isTrue();
        assertThat(created.conversation().id()).isEqualTo("d1");
        assertThat(created.conversation().kind()).isEqualTo(ConversationKind.DIRECT);
        assertThat(created.conversation().members()).extracting(Member::userId).containsExactlyInAnyOrder("a", "b");
        assertThat(created.conversation().members()).extracting(Member::role).containsOnly(Role.MEMBER);
        assertThat(created.events()).extracting(LogEvent::kind).containsExactly(EventKind.CONVERSATION_CREATED,
                EventKind.MEMBER_ADDED, EventKind.MEMBER_ADDED);
        assertThat(created.events()).extracting(LogEvent::seq).containsExactly(1L, 2L, 3L);
        assertThat(created.events()).extracting(LogEvent::memberId).containsExactly(null, "a", "b");
        assertThat(created.events()).allSatisfy(e -> assertThat(e.recipients()).containsExactlyInAnyOrder("a", "b"));
        assertThat(listener.eventsOf("d1")).isEqualTo(created.events());
    }

    @Test
    void getOrCreateDirect_returnsTheSameConversationWhoeverAsksFirst() {
        users("a", "b", "c");
        Created first = await(store.getOrCreateDirect("d1", "b", "a", T0));

        Created second = await(store.getOrCreateDirect("d2", "a", "b", T0 + 1));
        Created other = await(store.getOrCreateDirect("d3", "a", "c", T0 + 2));

        assertThat(second.created()).isFalse();
        assertThat(second.events()).isEmpty();
        assertThat(second.conversation().id()).isEqualTo(first.conversation().id());
        assertThat(other.created()).isTrue();
        assertThat(other.conversation().id()).isEqualTo("d3");
        assertThat(listener.eventsOf("d1")).hasSize(3);
        assertThat(await(store.findConversation("d2", "a"))).isEmpty();
    }

    @Test
    void getOrCreateDirect_underConcurrentCalls_createsExactlyOne() {
        users("a", "b");
        List<CompletableFuture<Created>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(i % 2 == 0 ? store.getOrCreateDirect("d" + i, "a", "b", T0)
                    : store.getOrCreateDirect("d" + i, "b", "a", T0));
        }
        List<Created> results = calls.stream().map(ChatStoreContract::await).toList();

        assertThat(results).extracting(r -> r.conversation().id()).containsOnly(results.get(0).conversation().id());
        assertThat(results).filteredOn(Created::created).hasSize(1);
        String id = results.get(0).conversation().id();
        assertThat(await(store.eventsAfter(id, 0, 100))).hasSize(3);
        assertThat(await(store.listConversations("a"))).hasSize(1);
    }

    @Test
    void getOrCreateDirect_withUnknownUser_failsWithNotFoundAndStoresNothing() {
        users("a");

        assertThat(failure(store.getOrCreateDirect("d1", "a", "ghost", T0))).isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store.listConversations("a"))).isEmpty();
        assertThat(await(store.eventsAfter("d1", 0, 10))).isEmpty();
        assertThat(listener.events()).isEmpty();
    }

    @Test
    void getOrCreateDirect_withTheSameUserTwice_makesAOneMemberConversationAndTouchesNothingElse() {
        users("a", "b");
        Created ab = await(store.getOrCreateDirect("d1", "a", "b", T0));

        Created self = await(store.getOrCreateDirect("d2", "a", "a", T0));

        assertThat(self.conversation().members()).extracting(Member::userId).containsExactly("a");
        assertThat(await(store.getOrCreateDirect("d3", "a", "a", T0)).conversation().id()).isEqualTo("d2");
        assertThat(await(store.getOrCreateDirect("d4", "b", "a", T0)).conversation()).isEqualTo(
                summary("d1", "b"));
        assertThat(await(store.eventsAfter("d1", 0, 10))).isEqualTo(
                ab.events().stream().map(LogEvent::withoutRecipients).toList());
    }

    // ---- groups --------------------------------------------------------------------------------------------------

    @Test
    void createGroup_makesTheOwnerOwnerAndOthersMembers_withoutDuplicates() {
        users("o", "m1", "m2");

        Created created = await(store.createGroup("g1", "o", "Team", List.of("m1", "o", "m2", "m1"), T0));

        assertThat(created.created()).isTrue();
        ConversationSummary g = created.conversation();
        assertThat(g.kind()).isEqualTo(ConversationKind.GROUP);
        assertThat(g.title()).isEqualTo("Team");
        assertThat(g.createdBy()).isEqualTo("o");
        assertThat(g.members()).extracting(Member::userId, Member::role).containsExactlyInAnyOrder(
                tuple("o", Role.OWNER),
                tuple("m1", Role.MEMBER),
                tuple("m2", Role.MEMBER));
        assertThat(created.events()).extracting(LogEvent::kind, LogEvent::memberId, LogEvent::role).containsExactly(
                tuple(EventKind.CONVERSATION_CREATED, null, null),
                tuple(EventKind.MEMBER_ADDED, "o", Role.OWNER),
                tuple(EventKind.MEMBER_ADDED, "m1", Role.MEMBER),
                tuple(EventKind.MEMBER_ADDED, "m2", Role.MEMBER));
        assertThat(created.events().get(0).title()).isEqualTo("Team");
        assertThat(created.events()).allSatisfy(e -> {
            assertThat(e.actorId()).isEqualTo("o");
            assertThat(e.recipients()).containsExactlyInAnyOrder("o", "m1", "m2");
        });
        assertThat(listener.eventsOf("g1")).isEqualTo(created.events());
    }

    @Test
    void createGroup_withUnknownMember_failsWithNotFoundAndStoresNothing() {
        users("o", "m1");

        assertThat(failure(store.createGroup("g1", "o", "Team", List.of("m1", "ghost"), T0)))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store.listConversations("o"))).isEmpty();
        assertThat(await(store.findConversation("g1", "o"))).isEmpty();
        assertThat(listener.events()).isEmpty();
    }

    @Test
    void createGroup_withTakenId_failsWithConflict() {
        users("o");
        await(store.createGroup("g1", "o", "First", List.of(), T0));

        assertThat(failure(store.createGroup("g1", "o", "Second", List.of(), T0)))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(await(store.findConversation("g1", "o"))).get().extracting(ConversationSummary::title)
                .isEqualTo("First");
    }

    @Test
    void addMembers_skipsExistingMembersAndAppendsOneEventPerAddedUser() {
        users("o", "m1", "n1", "n2");
        group("g1", "o", "m1");

        List<LogEvent> events = await(store.addMembers("g1", "o", List.of("m1", "n1", "n2", "n1"), T0 + 1));

        assertThat(events).extracting(LogEvent::kind).containsOnly(EventKind.MEMBER_ADDED);
        assertThat(events).extracting(LogEvent::memberId).containsExactly("n1", "n2");
        assertThat(events).extracting(LogEvent::seq).containsExactly(4L, 5L);
        assertThat(events).allSatisfy(e -> assertThat(e.recipients()).containsExactlyInAnyOrder("o", "m1", "n1", "n2"));
        assertThat(await(store.members("g1", "n2"))).extracting(Member::userId)
                .containsExactlyInAnyOrder("o", "m1", "n1", "n2");
        assertThat(await(store.addMembers("g1", "o", List.of("n1"), T0 + 2))).isEmpty();
    }

    @Test
    void addMembers_byNonMemberOrWithUnknownUser_failsWithNotFoundAndAddsNobody() {
        users("o", "m1", "x", "n1");
        group("g1", "o", "m1");

        assertThat(failure(store.addMembers("g1", "x", List.of("n1"), T0))).isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store.addMembers("g1", "o", List.of("n1", "ghost"), T0)))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store.members("g1", "o"))).extracting(Member::userId).containsExactlyInAnyOrder("o", "m1");
        assertThat(await(store.lastSeqs("o"))).containsEntry("g1", 3L);
    }

    @Test
    void removeMember_appendsMemberRemovedThatReachesTheRemovedMemberToo() {
        users("o", "m1", "m2");
        group("g1", "o", "m1", "m2");

        LogEvent removed = await(store.removeMember("g1", "o", "m1", T0 + 1));

        assertThat(removed.kind()).isEqualTo(EventKind.MEMBER_REMOVED);
        assertThat(removed.seq()).isEqualTo(5L);
        assertThat(removed.actorId()).isEqualTo("o");
        assertThat(removed.memberId()).isEqualTo("m1");
        assertThat(removed.recipients()).containsExactlyInAnyOrder("o", "m1", "m2");
        assertThat(await(store.members("g1", "o"))).extracting(Member::userId).containsExactlyInAnyOrder("o", "m2");
        assertThat(failure(store.members("g1", "m1"))).isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store.appendMessage(message("g1", "m1", "c1", "hi"))))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(listener.eventsOf("g1")).last().isEqualTo(removed);
    }

    @Test
    void removeMember_leavingByOneself_isAllowed_andRemovingANonMemberFails() {
        users("o", "m1", "x");
        group("g1", "o", "m1");

        LogEvent left = await(store.removeMember("g1", "m1", "m1", T0 + 1));
        assertThat(left.actorId()).isEqualTo("m1");
        assertThat(left.recipients()).containsExactlyInAnyOrder("o", "m1");

        assertThat(failure(store.removeMember("g1", "o", "x", T0 + 2))).isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store.removeMember("g1", "x", "o", T0 + 2))).isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store.lastSeqs("o"))).containsEntry("g1", 4L);
    }

    @Test
    void setRole_changesTheRoleAndAppendsMemberRole() {
        users("o", "m1", "m2");
        group("g1", "o", "m1", "m2");

        LogEvent event = await(store.setRole("g1", "o", "m1", Role.ADMIN, T0 + 1));

        assertThat(event.kind()).isEqualTo(EventKind.MEMBER_ROLE);
        assertThat(event.memberId()).isEqualTo("m1");
        assertThat(event.role()).isEqualTo(Role.ADMIN);
        assertThat(event.recipients()).containsExactlyInAnyOrder("o", "m1", "m2");
        assertThat(await(store.members("g1", "m2"))).filteredOn(m -> m.userId().equals("m1"))
                .extracting(Member::role).containsExactly(Role.ADMIN);
        assertThat(failure(store.setRole("g1", "o", "ghost", Role.ADMIN, T0))).isInstanceOf(StoreException.NotFound.class);
    }

    // ---- appending -----------------------------------------------------------------------------------------------

    @Test
    void appendMessage_assignsContiguousSeqsPerConversation_independentAcrossConversations() {
        users("a", "b");
        group("g1", "a", "b");
        group("g2", "a", "b");

        List<Long> g1 = new ArrayList<>();
        List<Long> g2 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            g1.add(await(store.appendMessage(message("g1", "a", "x" + i, "m" + i))).event().seq());
            g2.add(await(store.appendMessage(message("g2", "b", "y" + i, "m" + i))).event().seq());
        }

        assertThat(g1).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(g2).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(await(store.lastSeqs("a"))).isEqualTo(Map.of("g1", 8L, "g2", 8L));
    }

    @Test
    void appendMessage_returnsTheStoredEventWithTheMembersAsRecipients() {
        users("a", "b", "c");
        group("g1", "a", "b");

        Appended appended = await(store.appendMessage(new NewMessage("g1", "a", "c1", "hello", "msg-1", T0 + 5)));

        assertThat(appended.duplicate()).isFalse();
        LogEvent e = appended.event();
        assertThat(e).extracting(LogEvent::conversationId, LogEvent::kind, LogEvent::createdAt, LogEvent::actorId,
                        LogEvent::messageId, LogEvent::clientMsgId, LogEvent::body)
                .containsExactly("g1", EventKind.MESSAGE, T0 + 5, "a", "msg-1", "c1", "hello");
        assertThat(e.recipients()).containsExactlyInAnyOrder("a", "b");
        assertThat(await(store.eventsAfter("g1", 3, 10))).containsExactly(e.withoutRecipients());
    }

    @Test
    void appendMessage_fromManyThreads_hasNoGapNorDuplicate_andIsPublishedOnceInSeqOrderBeforeItsFutureCompletes()
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
        long creationEvents = 1 + threadCount;
        ConcurrentLinkedQueue<String> publishedTooLate = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<CompletableFuture<Appended>> futures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        threads = Executors.newFixedThreadPool(threadCount);
        List<Future<?>> submitters = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            String sender = users[t];
            submitters.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    CompletableFuture<Appended> f = store.appendMessage(
                            message(conversations.get(i % conversations.size()), sender, sender + "-" + i, "m"));
                    f.thenAccept(a -> {
                        if (!listener.saw(a.event())) {
                            publishedTooLate.add(a.event().conversationId() + "#" + a.event().seq());
                        }
                    });
                    futures.add(f);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> s : submitters) {
            s.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        Map<String, List<Long>> returnedSeqs = new HashMap<>();
        for (CompletableFuture<Appended> f : futures) {
            Appended a = await(f);
            assertThat(a.duplicate()).isFalse();
            returnedSeqs.computeIfAbsent(a.event().conversationId(), k -> new ArrayList<>()).add(a.event().seq());
        }

        assertThat(publishedTooLate).as("futures completed before the listener saw their event").isEmpty();
        long perConversation = (long) threadCount * perThread / conversations.size();
        List<Long> expectedMessageSeqs = LongStream.rangeClosed(creationEvents + 1, creationEvents + perConversation)
                .boxed().toList();
        List<Long> expectedAllSeqs = LongStream.rangeClosed(1, creationEvents + perConversation).boxed().toList();
        for (String g : conversations) {
            assertThat(returnedSeqs.get(g)).containsExactlyInAnyOrderElementsOf(expectedMessageSeqs);
            assertThat(listener.eventsOf(g)).extracting(LogEvent::seq).containsExactlyElementsOf(expectedAllSeqs);
            assertThat(await(store.eventsAfter(g, 0, 10_000))).extracting(LogEvent::seq)
                    .containsExactlyElementsOf(expectedAllSeqs);
        }
    }

    @Test
    void appendMessage_withSameClientMsgId_returnsOriginalAndStoresNothing() {
        users("a", "b");
        group("g1", "a", "b");
        group("g2", "a", "b");
        Appended original = await(store.appendMessage(message("g1", "a", "c1", "first")));
        int publishedBefore = listener.events().size();

        Appended retry = await(store.appendMessage(new NewMessage("g1", "a", "c1", "second", "other-id", T0 + 9)));
        Appended elsewhere = await(store.appendMessage(message("g2", "a", "c1", "third")));
        Appended otherSender = await(store.appendMessage(message("g1", "b", "c1", "from b")));

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.event()).isEqualTo(original.event().withoutRecipients());
        assertThat(elsewhere.duplicate()).isTrue();
        assertThat(elsewhere.event().conversationId()).isEqualTo("g1");
        assertThat(otherSender.duplicate()).isFalse();
        assertThat(await(store.eventsAfter("g1", 0, 100))).filteredOn(e -> e.kind() == EventKind.MESSAGE)
                .extracting(LogEvent::body).containsExactly("first", "from b");
        assertThat(await(store.lastSeqs("a"))).containsEntry("g2", 3L);
        assertThat(listener.events()).hasSize(publishedBefore + 1);
    }

    @Test
    void appendMessage_withConcurrentDuplicates_storesOneAndReturnsItToAll() {
        users("a", "b");
        group("g1", "a", "b");
        List<CompletableFuture<Appended>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(store.appendMessage(message("g1", "a", "same", "body " + i)));
        }
        List<Appended> results = calls.stream().map(ChatStoreContract::await).toList();

        assertThat(results).filteredOn(a -> !a.duplicate()).hasSize(1);
        assertThat(results).extracting(a -> a.event().seq()).containsOnly(4L);
        assertThat(await(store.eventsAfter("g1", 3, 100))).hasSize(1);
        assertThat(listener.eventsOf("g1")).filteredOn(e -> e.kind() == EventKind.MESSAGE).hasSize(1);
    }

    @Test
    void appendMessage_byNonMember_failsWithNotFoundAndStoresNothing() {
        users("a", "b", "x");
        group("g1", "a", "b");

        assertThat(failure(store.appendMessage(message("g1", "x", "c1", "intrude"))))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store.eventsAfter("g1", 0, 100))).hasSize(3);
        assertThat(listener.events()).hasSize(3);
        // Not stored, so the same client id still works once x is a member.
        await(store.addMembers("g1", "a", List.of("x"), T0));
        assertThat(await(store.appendMessage(message("g1", "x", "c1", "hello"))).duplicate()).isFalse();
    }

    @Test
    void appendMessage_toUnknownConversation_failsWithNotFound() {
        users("a");

        assertThat(failure(store.appendMessage(message("nope", "a", "c1", "hi"))))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store.eventsAfter("nope", 0, 10))).isEmpty();
    }

    @Test
    void appendMessage_failuresAmongConcurrentWrites_failOnlyThemselves() {
        users("a", "b", "x");
        group("g1", "a", "b");
        List<CompletableFuture<Appended>> good = new ArrayList<>();
        List<CompletableFuture<Appended>> bad = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            good.add(store.appendMessage(message("g1", "a", "ok" + i, "m")));
            bad.add(store.appendMessage(message("g1", "x", "bad" + i, "m")));
        }

        assertThat(good.stream().map(f -> await(f).event().seq()).toList())
                .containsExactlyElementsOf(LongStream.rangeClosed(4, 103).boxed().toList());
        assertThat(bad).allSatisfy(f -> assertThat(failure(f)).isInstanceOf(StoreException.NotFound.class));
        assertThat(listener.eventsOf("g1")).extracting(LogEvent::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 103).boxed().toList());
    }

    // ---- reading the log -----------------------------------------------------------------------------------------

    @Test
    void eventsAfterAndBefore_pageInAscendingOrder_withoutRecipients() {
        users("a", "b");
        group("g1", "a", "b");
        appendAll("g1", "a", 10);

        assertThat(await(store.eventsAfter("g1", 5, 3))).extracting(LogEvent::seq).containsExactly(6L, 7L, 8L);
        assertThat(await(store.eventsAfter("g1", 12, 10))).extracting(LogEvent::seq).containsExactly(13L);
        assertThat(await(store.eventsAfter("g1", 13, 10))).isEmpty();
        assertThat(await(store.eventsBefore("g1", 6, 3))).extracting(LogEvent::seq).containsExactly(3L, 4L, 5L);
        assertThat(await(store.eventsBefore("g1", 3, 10))).extracting(LogEvent::seq).containsExactly(1L, 2L);
        assertThat(await(store.eventsBefore("g1", Long.MAX_VALUE, 2))).extracting(LogEvent::seq)
                .containsExactly(12L, 13L);
        assertThat(await(store.eventsAfter("g1", 0, 100))).allSatisfy(e -> assertThat(e.recipients()).isEmpty());
    }

    @Test
    void paging_whileAppendsHappen_isStableAndSeesEveryEventOnce() {
        users("a", "b");
        group("g1", "a", "b");
        appendAll("g1", "a", 20);
        List<LogEvent> window = await(store.eventsBefore("g1", 15, 5));
        List<CompletableFuture<Appended>> inFlight = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            inFlight.add(store.appendMessage(message("g1", i % 2 == 0 ? "a" : "b", "late" + i, "m")));
        }
        long total = 3 + 20 + 300;

        List<Long> seen = new ArrayList<>();
        long cursor = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (cursor < total) {
            assertThat(System.nanoTime()).as("paging made no progress").isLessThan(deadline);
            List<LogEvent> page = await(store.eventsAfter("g1", cursor, 7));
            assertThat(await(store.eventsBefore("g1", 15, 5))).isEqualTo(window);
            for (LogEvent e : page) {
                assertThat(e.seq()).isEqualTo(cursor + 1);
                seen.add(e.seq());
                cursor = e.seq();
            }
        }
        inFlight.forEach(ChatStoreContract::await);

        assertThat(seen).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        List<Long> backwards = new ArrayList<>();
        long before = Long.MAX_VALUE;
        List<LogEvent> page;
        while (!(page = await(store.eventsBefore("g1", before, 7))).isEmpty()) {
            for (int i = page.size() - 1; i >= 0; i--) {
                backwards.add(0, page.get(i).seq());
            }
            before = page.get(0).seq();
        }
        assertThat(backwards).isEqualTo(seen);
    }

    // ---- read cursors and summaries ------------------------------------------------------------------------------

    @Test
    void markRead_movesOnlyForwardAndCapsAtTheLastSeq() {
        users("a", "b");
        group("g1", "a", "b");
        appendAll("g1", "b", 5);

        assertThat(await(store.markRead("g1", "a", 6))).isEqualTo(6L);
        assertThat(await(store.markRead("g1", "a", 4))).isEqualTo(6L);
        assertThat(await(store.markRead("g1", "a", 100))).isEqualTo(8L);
        assertThat(await(store.members("g1", "a"))).filteredOn(m -> m.userId().equals("a"))
                .extracting(Member::readSeq).containsExactly(8L);
        assertThat(failure(store.markRead("g1", "ghost", 1))).isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    void unreadCount_countsOthersMessagesAfterTheReadCursor() {
        users("a", "b", "c");
        group("g1", "a", "b");
        appendAll("g1", "b", 3);
        appendAll("g1", "a", 2);

        assertThat(summary("g1", "a").unreadCount()).isEqualTo(3);
        assertThat(summary("g1", "b").unreadCount()).isEqualTo(2);
        await(store.markRead("g1", "a", 5));
        assertThat(summary("g1", "a").unreadCount()).isEqualTo(1);
        assertThat(summary("g1", "a").readSeq()).isEqualTo(5);

        await(store.addMembers("g1", "a", List.of("c"), T0));
        assertThat(summary("g1", "c").unreadCount()).as("history is not unread for a newcomer").isZero();
        await(store.appendMessage(message("g1", "b", "after-join", "hi")));
        assertThat(summary("g1", "c").unreadCount()).isEqualTo(1);
    }

    @Test
    void listConversations_ordersByLastActivity_withMembersAndLastMessage() {
        users("a", "b", "c");
        group("g1", "a", "b");
        await(store.createGroup("g2", "a", "Two", List.of("c"), T0 + 10));
        Created direct = await(store.getOrCreateDirect("d1", "a", "c", T0 + 20));
        LogEvent last = await(store.appendMessage(new NewMessage("g1", "b", "c1", "newest", "m1", T0 + 30))).event();
        await(store.setRole("g2", "a", "c", Role.ADMIN, T0 + 5));

        List<ConversationSummary> list = await(store.listConversations("a"));

        assertThat(list).extracting(ConversationSummary::id).containsExactly("g1", "d1", "g2");
        assertThat(list.get(0).lastMessage()).isEqualTo(last.withoutRecipients());
        assertThat(list.get(0).lastSeq()).isEqualTo(4L);
        assertThat(list.get(0).unreadCount()).isEqualTo(1L);
        assertThat(list.get(1).lastMessage()).isNull();
        assertThat(list.get(1).members()).extracting(Member::userId).containsExactlyInAnyOrder("a", "c");
        assertThat(list.get(2).members()).extracting(Member::userId).containsExactlyInAnyOrder("a", "c");
        assertThat(list.get(2).title()).isEqualTo("Two");
        assertThat(list.get(1)).isEqualTo(summary("d1", "a"));
        assertThat(direct.conversation().id()).isEqualTo("d1");
        assertThat(await(store.listConversations("b"))).extracting(ConversationSummary::id).containsExactly("g1");
        assertThat(await(store.listConversations("nobody"))).isEmpty();
    }

    @Test
    void findConversationAndMembers_areHiddenFromNonMembers() {
        users("a", "b", "x");
        group("g1", "a", "b");

        assertThat(await(store.findConversation("g1", "b"))).isPresent();
        assertThat(await(store.findConversation("g1", "x"))).isEmpty();
        assertThat(await(store.findConversation("nope", "a"))).isEmpty();
        assertThat(failure(store.members("g1", "x"))).isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store.members("nope", "a"))).isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store.members("g1", "b"))).extracting(Member::userId, Member::username)
                .containsExactlyInAnyOrder(tuple("a", "name-a"),
                        tuple("b", "name-b"));
    }

    @Test
    void lastSeqs_coverEveryConversationOfTheUser() {
        users("a", "b", "c");
        group("g1", "a", "b");
        group("g2", "b", "c");
        appendAll("g1", "a", 2);

        assertThat(await(store.lastSeqs("a"))).isEqualTo(Map.of("g1", 5L));
        assertThat(await(store.lastSeqs("b"))).isEqualTo(Map.of("g1", 5L, "g2", 3L));
        assertThat(await(store.lastSeqs("nobody"))).isEmpty();
    }

    @Test
    void ping_answersTrueWhileOpen() {
        assertThat(await(store.ping())).isTrue();
    }

    // ---- lifecycle -----------------------------------------------------------------------------------------------

    @Test
    void close_commitsQueuedWrites_andLaterCallsFailWithClosed() {
        users("a", "b");
        group("g1", "a", "b");
        List<CompletableFuture<Appended>> queued = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            queued.add(store.appendMessage(message("g1", "a", "q" + i, "m")));
        }

        store.close();

        assertThat(queued).allSatisfy(f -> assertThat(f).isCompleted());
        assertThat(listener.eventsOf("g1")).hasSize(303);
        assertThat(failure(store.appendMessage(message("g1", "a", "after", "m"))))
                .isInstanceOf(StoreException.Closed.class);
        assertThat(failure(store.findUser("a"))).isInstanceOf(StoreException.Closed.class);
        assertThat(failure(store.ping())).isInstanceOf(StoreException.Closed.class);
        store.close();

        ChatStore reopened = track(reopen(CommitListener.NONE));
        assertThat(await(reopened.lastSeqs("a"))).containsEntry("g1", 303L);
    }

    @Test
    void data_survivesCloseAndReopen() {
        users("a", "b");
        group("g1", "a", "b");
        await(store.getOrCreateDirect("d1", "a", "b", T0));
        appendAll("g1", "b", 3);
        await(store.markRead("g1", "a", 5));
        List<ConversationSummary> before = await(store.listConversations("a"));
        List<LogEvent> log = await(store.eventsAfter("g1", 0, 100));
        store.close();

        RecordingListener second = new RecordingListener();
        ChatStore reopened = track(reopen(second));

        assertThat(await(reopened.listConversations("a"))).isEqualTo(before);
        assertThat(await(reopened.eventsAfter("g1", 0, 100))).isEqualTo(log);
        assertThat(await(reopened.findCredentials("name-a"))).isPresent();
        assertThat(await(reopened.appendMessage(message("g1", "a", "x1", "again"))).event().seq()).isEqualTo(7L);
        assertThat(await(reopened.appendMessage(message("g1", "b", "m0", "dup"))).duplicate()).isTrue();
        assertThat(await(reopened.getOrCreateDirect("d9", "b", "a", T0)).conversation().id()).isEqualTo("d1");
        assertThat(second.events()).extracting(LogEvent::seq).containsExactly(7L);
    }

    @Test
    void open_onASchemaMigratedByANewerVersion_refusesToStart() throws Exception {
        users("a");
        store.close();

        recordFutureMigration();

        assertThatThrownBy(() -> track(reopen(CommitListener.NONE)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema")
                .hasMessageContaining("newer");
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    protected static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("store call failed", e.getCause());
        } catch (Exception e) {
            throw new AssertionError("store call did not complete", e);
        }
    }

    /** The exception the future failed with; fails the test if it completes normally. */
    protected static Throwable failure(CompletableFuture<?> future) {
        try {
            Object value = future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return fail("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("store call did not complete", e);
        }
    }

    /** Built-in accounts named "name-" + id. */
    protected void users(String... ids) {
        for (String id : ids) {
            await(store.createUser(id, "name-" + id, "hash-" + id));
        }
    }

    /** A group (3 + members events: created, then one member_added each) at T0. */
    protected void group(String id, String owner, String... others) {
        await(store.createGroup(id, owner, "title " + id, List.of(others), T0));
    }

    /** Same as {@link #group(String, String, String...)} with the first of {@code all} as owner. */
    private void groupOf(String id, String[] all) {
        await(store.createGroup(id, all[0], "title " + id, List.of(all).subList(1, all.length), T0));
    }

    protected static NewMessage message(String conversationId, String sender, String clientMsgId, String body) {
        return new NewMessage(conversationId, sender, clientMsgId, body, "id-" + sender + "-" + clientMsgId, T0 + 1);
    }

    /** Appends n messages from sender with client ids "m0".."m(n-1)": a second call for one sender is a retry. */
    protected void appendAll(String conversationId, String sender, int n) {
        for (int i = 0; i < n; i++) {
            await(store.appendMessage(message(conversationId, sender, "m" + i, "body " + i)));
        }
    }

    protected ConversationSummary summary(String conversationId, String userId) {
        return await(store.findConversation(conversationId, userId)).orElseThrow();
    }
}
