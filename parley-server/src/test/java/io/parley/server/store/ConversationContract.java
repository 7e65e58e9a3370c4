package io.parley.server.store;

import static io.parley.server.store.StoreFixture.await;
import static io.parley.server.store.StoreFixture.failure;
import static io.parley.server.store.StoreFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.parley.protocol.EventKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Direct and group conversations and changes of membership, with the events they append.
 */
interface ConversationContract extends StoreFixture {

    @Test
    default void getOrCreateDirect_whenCreating_appendsCreationEventsForBothMembers() {
        users("a", "b");

        Created created = await(store().getOrCreateDirect("d1", "a", "b", T0));

        assertThat(created.created()).isTrue();
        assertThat(created.conversation().id()).isEqualTo("d1");
        assertThat(created.conversation().kind()).isEqualTo(ConversationKind.DIRECT);
        assertThat(created.conversation().members()).extracting(Member::userId).containsExactlyInAnyOrder("a", "b");
        assertThat(created.conversation().members()).extracting(Member::role).containsOnly(Role.MEMBER);
        assertThat(created.events())
                .extracting(LogEntry::kind)
                .containsExactly(EventKind.CONVERSATION_CREATED, EventKind.MEMBER_ADDED, EventKind.MEMBER_ADDED);
        assertThat(created.events()).extracting(LogEntry::seq).containsExactly(1L, 2L, 3L);
        assertThat(created.events()).extracting(Entries::memberId).containsExactly(null, "a", "b");
        assertThat(created.events())
                .allSatisfy(e -> assertThat(listener().recipientsOf(e)).containsExactlyInAnyOrder("a", "b"));
        assertThat(listener().eventsOf("d1")).isEqualTo(created.events());
    }

    @Test
    default void getOrCreateDirect_returnsTheSameConversationWhoeverAsksFirst() {
        users("a", "b", "c");
        Created first = await(store().getOrCreateDirect("d1", "b", "a", T0));

        Created second = await(store().getOrCreateDirect("d2", "a", "b", T0 + 1));
        Created other = await(store().getOrCreateDirect("d3", "a", "c", T0 + 2));

        assertThat(second.created()).isFalse();
        assertThat(second.events()).isEmpty();
        assertThat(second.conversation().id()).isEqualTo(first.conversation().id());
        assertThat(other.created()).isTrue();
        assertThat(other.conversation().id()).isEqualTo("d3");
        assertThat(listener().eventsOf("d1")).hasSize(3);
        assertThat(await(store().findConversation("d2", "a"))).isEmpty();
    }

    @Test
    default void getOrCreateDirect_underConcurrentCalls_createsExactlyOne() {
        users("a", "b");
        List<CompletableFuture<Created>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(
                    i % 2 == 0
                            ? store().getOrCreateDirect("d" + i, "a", "b", T0)
                            : store().getOrCreateDirect("d" + i, "b", "a", T0));
        }
        List<Created> results = calls.stream().map(StoreFixture::await).toList();

        assertThat(results)
                .extracting(r -> r.conversation().id())
                .containsOnly(results.get(0).conversation().id());
        assertThat(results).filteredOn(Created::created).hasSize(1);
        String id = results.get(0).conversation().id();
        assertThat(await(store().eventsAfter(id, 0, 100))).hasSize(3);
        assertThat(await(store().listConversations("a"))).hasSize(1);
    }

    @Test
    default void getOrCreateDirect_withUnknownUser_failsWithNotFoundAndStoresNothing() {
        users("a");

        assertThat(failure(store().getOrCreateDirect("d1", "a", "ghost", T0)))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store().listConversations("a"))).isEmpty();
        assertThat(await(store().eventsAfter("d1", 0, 10))).isEmpty();
        assertThat(listener().events()).isEmpty();
    }

    @Test
    default void getOrCreateDirect_withTheSameUserTwice_makesAOneMemberConversationAndTouchesNothingElse() {
        users("a", "b");
        Created ab = await(store().getOrCreateDirect("d1", "a", "b", T0));

        Created self = await(store().getOrCreateDirect("d2", "a", "a", T0));

        assertThat(self.conversation().members()).extracting(Member::userId).containsExactly("a");
        assertThat(await(store().getOrCreateDirect("d3", "a", "a", T0))
                        .conversation()
                        .id())
                .isEqualTo("d2");
        assertThat(await(store().getOrCreateDirect("d4", "b", "a", T0)).conversation())
                .isEqualTo(summary("d1", "b"));
        assertThat(await(store().eventsAfter("d1", 0, 10))).isEqualTo(ab.events());
    }

    @Test
    default void createGroup_makesTheOwnerOwnerAndOthersMembers_withoutDuplicates() {
        users("o", "m1", "m2");

        Created created = await(store().createGroup("g1", "o", "Team", List.of("m1", "o", "m2", "m1"), T0));

        assertThat(created.created()).isTrue();
        ConversationSummary g = created.conversation();
        assertThat(g.kind()).isEqualTo(ConversationKind.GROUP);
        assertThat(g.title()).isEqualTo("Team");
        assertThat(g.createdBy()).isEqualTo("o");
        assertThat(g.members())
                .extracting(Member::userId, Member::role)
                .containsExactlyInAnyOrder(tuple("o", Role.OWNER), tuple("m1", Role.MEMBER), tuple("m2", Role.MEMBER));
        assertThat(created.events())
                .extracting(LogEntry::kind, Entries::memberId, Entries::role)
                .containsExactly(
                        tuple(EventKind.CONVERSATION_CREATED, null, null),
                        tuple(EventKind.MEMBER_ADDED, "o", Role.OWNER),
                        tuple(EventKind.MEMBER_ADDED, "m1", Role.MEMBER),
                        tuple(EventKind.MEMBER_ADDED, "m2", Role.MEMBER));
        assertThat(Entries.title(created.events().get(0))).isEqualTo("Team");
        assertThat(created.events()).allSatisfy(e -> {
            assertThat(e.actorId()).isEqualTo("o");
            assertThat(listener().recipientsOf(e)).containsExactlyInAnyOrder("o", "m1", "m2");
        });
        assertThat(listener().eventsOf("g1")).isEqualTo(created.events());
        // One run with one recipient list, so the bus carries the recipients once for the creation, not per event.
        assertThat(listener().runs()).contains("g1:4:shared");
    }

    @Test
    default void createStranger_storesBothPseudonymsWithTheGroup_andBlocksAreStoredOnce() {
        users("a", "b");

        Created created = await(store().createStranger("s_1", "a", "stranger-aaaaaa", "b", "stranger-bbbbbb", "S", T0));

        assertThat(created.conversation().members()).extracting(Member::userId).containsExactlyInAnyOrder("a", "b");
        assertThat(await(store().strangerAliases("s_1")))
                .isEqualTo(java.util.Map.of("a", "stranger-aaaaaa", "b", "stranger-bbbbbb"));
        assertThat(await(store().strangerAliases("nope"))).isEmpty();
        assertThat(await(store().matchBlocks())).isEmpty();
        await(store().addMatchBlock("a", "b", T0));
        await(store().addMatchBlock("a", "b", T0 + 1));
        assertThat(await(store().matchBlocks())).isEqualTo(java.util.Map.of("a", java.util.Set.of("b")));
    }

    @Test
    default void createGroup_withUnknownMember_failsWithNotFoundAndStoresNothing() {
        users("o", "m1");

        assertThat(failure(store().createGroup("g1", "o", "Team", List.of("m1", "ghost"), T0)))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store().listConversations("o"))).isEmpty();
        assertThat(await(store().findConversation("g1", "o"))).isEmpty();
        assertThat(listener().events()).isEmpty();
    }

    @Test
    default void createGroup_withTakenId_failsWithConflict() {
        users("o");
        await(store().createGroup("g1", "o", "First", List.of(), T0));

        assertThat(failure(store().createGroup("g1", "o", "Second", List.of(), T0)))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(await(store().findConversation("g1", "o")))
                .get()
                .extracting(ConversationSummary::title)
                .isEqualTo("First");
    }

    @Test
    default void addMembers_skipsExistingMembersAndAppendsOneEventPerAddedUser() {
        users("o", "m1", "n1", "n2");
        group("g1", "o", "m1");

        List<LogEntry.MemberAdded> events =
                await(store().addMembers("g1", "o", List.of("m1", "n1", "n2", "n1"), T0 + 1));

        assertThat(events).extracting(LogEntry::kind).containsOnly(EventKind.MEMBER_ADDED);
        assertThat(events).extracting(Entries::memberId).containsExactly("n1", "n2");
        assertThat(events).extracting(LogEntry::seq).containsExactly(4L, 5L);
        assertThat(events)
                .allSatisfy(
                        e -> assertThat(listener().recipientsOf(e)).containsExactlyInAnyOrder("o", "m1", "n1", "n2"));
        assertThat(await(store().members("g1", "n2")))
                .extracting(Member::userId)
                .containsExactlyInAnyOrder("o", "m1", "n1", "n2");
        assertThat(await(store().addMembers("g1", "o", List.of("n1"), T0 + 2))).isEmpty();
        assertThat(listener().runs()).last().isEqualTo("g1:2:shared");
    }

    @Test
    default void addMembers_byNonMemberOrWithUnknownUser_failsWithNotFoundAndAddsNobody() {
        users("o", "m1", "x", "n1");
        group("g1", "o", "m1");

        assertThat(failure(store().addMembers("g1", "x", List.of("n1"), T0)))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store().addMembers("g1", "o", List.of("n1", "ghost"), T0)))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store().members("g1", "o"))).extracting(Member::userId).containsExactlyInAnyOrder("o", "m1");
        assertThat(await(store().lastSeqs("o"))).containsEntry("g1", 3L);
    }

    @Test
    default void removeMember_appendsMemberRemovedThatReachesTheRemovedMemberToo() {
        users("o", "m1", "m2");
        group("g1", "o", "m1", "m2");

        var removed = await(store().removeMember("g1", "o", "m1", T0 + 1));

        assertThat(removed.kind()).isEqualTo(EventKind.MEMBER_REMOVED);
        assertThat(removed.seq()).isEqualTo(5L);
        assertThat(removed.actorId()).isEqualTo("o");
        assertThat(removed.memberId()).isEqualTo("m1");
        assertThat(listener().recipientsOf(removed)).containsExactlyInAnyOrder("o", "m1", "m2");
        assertThat(await(store().members("g1", "o"))).extracting(Member::userId).containsExactlyInAnyOrder("o", "m2");
        assertThat(failure(store().members("g1", "m1"))).isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store().appendMessage(message("g1", "m1", "c1", "hi"))))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(listener().eventsOf("g1")).last().isEqualTo(removed);
    }

    @Test
    default void removeMember_leavingByOneself_isAllowed_andRemovingANonMemberFails() {
        users("o", "m1", "x");
        group("g1", "o", "m1");

        var left = await(store().removeMember("g1", "m1", "m1", T0 + 1));
        assertThat(left.actorId()).isEqualTo("m1");
        assertThat(listener().recipientsOf(left)).containsExactlyInAnyOrder("o", "m1");

        assertThat(failure(store().removeMember("g1", "o", "x", T0 + 2))).isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store().removeMember("g1", "x", "o", T0 + 2))).isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store().lastSeqs("o"))).containsEntry("g1", 4L);
    }

    @Test
    default void setRole_changesTheRoleAndAppendsMemberRole() {
        users("o", "m1", "m2");
        group("g1", "o", "m1", "m2");

        var event = await(store().setRole("g1", "o", "m1", Role.ADMIN, T0 + 1));

        assertThat(event.kind()).isEqualTo(EventKind.MEMBER_ROLE);
        assertThat(event.memberId()).isEqualTo("m1");
        assertThat(event.role()).isEqualTo(Role.ADMIN);
        assertThat(listener().recipientsOf(event)).containsExactlyInAnyOrder("o", "m1", "m2");
        assertThat(await(store().members("g1", "m2")))
                .filteredOn(m -> m.userId().equals("m1"))
                .extracting(Member::role)
                .containsExactly(Role.ADMIN);
        assertThat(failure(store().setRole("g1", "o", "ghost", Role.ADMIN, T0)))
                .isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    default void rename_updatesTheTitleAndAppendsConversationRenamedInOneWrite() {
        users("o", "m1", "x");
        group("g1", "o", "m1");
        long before = await(store().lastSeqs("o")).get("g1");

        var event = await(store().rename("g1", "m1", "Renamed", T0 + 1));

        assertThat(event.kind()).isEqualTo(EventKind.CONVERSATION_RENAMED);
        assertThat(event.seq()).isEqualTo(before + 1);
        assertThat(event.actorId()).isEqualTo("m1");
        assertThat(event.title()).isEqualTo("Renamed");
        assertThat(listener().recipientsOf(event)).containsExactlyInAnyOrder("o", "m1");
        assertThat(listener().eventsOf("g1")).last().isEqualTo(event);
        assertThat(await(store().findConversation("g1", "o")))
                .hasValueSatisfying(c -> assertThat(c.title()).isEqualTo("Renamed"));
        assertThat(await(store().listConversations("m1")))
                .singleElement()
                .satisfies(c -> assertThat(c.title()).isEqualTo("Renamed"));
        assertThat(await(store().eventsAfter("g1", before, 10))).containsExactly(event);

        assertThat(failure(store().rename("g1", "x", "Taken over", T0 + 2)))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store().rename("nope", "o", "Nothing", T0 + 2))).isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store().findConversation("g1", "o")))
                .hasValueSatisfying(c -> assertThat(c.title()).isEqualTo("Renamed"));
        assertThat(await(store().lastSeqs("o"))).containsEntry("g1", before + 1);
    }
}
