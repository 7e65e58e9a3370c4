package io.parley.server.store;

import static io.parley.server.store.StoreFixture.await;
import static io.parley.server.store.StoreFixture.failure;
import static io.parley.server.store.StoreFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What one member sees: read cursors, unread counts, conversation lists and last seqs.
 */
interface ReadStateContract extends StoreFixture {

    @Test
    default void markRead_movesOnlyForwardAndCapsAtTheLastSeq() {
        users("a", "b");
        group("g1", "a", "b");
        appendAll("g1", "b", 5);

        assertThat(await(store().markRead("g1", "a", 6))).isEqualTo(6L);
        assertThat(await(store().markRead("g1", "a", 4))).isEqualTo(6L);
        assertThat(await(store().markRead("g1", "a", 100))).isEqualTo(8L);
        assertThat(await(store().members("g1", "a")))
                .filteredOn(m -> m.userId().equals("a"))
                .extracting(Member::readSeq)
                .containsExactly(8L);
        assertThat(failure(store().markRead("g1", "ghost", 1))).isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    default void unreadCount_countsOthersMessagesAfterTheReadCursor() {
        users("a", "b", "c");
        group("g1", "a", "b");
        appendAll("g1", "b", 3);
        appendAll("g1", "a", 2);

        assertThat(summary("g1", "a").unreadCount()).isEqualTo(3);
        assertThat(summary("g1", "b").unreadCount()).isEqualTo(2);
        await(store().markRead("g1", "a", 5));
        assertThat(summary("g1", "a").unreadCount()).isEqualTo(1);
        assertThat(summary("g1", "a").readSeq()).isEqualTo(5);

        await(store().addMembers("g1", "a", List.of("c"), T0));
        assertThat(summary("g1", "c").unreadCount())
                .as("history is not unread for a newcomer")
                .isZero();
        await(store().appendMessage(message("g1", "b", "after-join", "hi")));
        assertThat(summary("g1", "c").unreadCount()).isEqualTo(1);
    }

    @Test
    default void listConversations_ordersByLastActivity_withMembersAndLastMessage() {
        users("a", "b", "c");
        group("g1", "a", "b");
        await(store().createGroup("g2", "a", "Two", List.of("c"), T0 + 10));
        Created direct = await(store().getOrCreateDirect("d1", "a", "c", T0 + 20));
        var last = await(store().appendMessage(new NewMessage("g1", "b", "c1", "newest", "m1", T0 + 30)))
                .event();
        await(store().setRole("g2", "a", "c", Role.ADMIN, T0 + 5));

        List<ConversationSummary> list = await(store().listConversations("a"));

        assertThat(list).extracting(ConversationSummary::id).containsExactly("g1", "d1", "g2");
        assertThat(list.get(0).lastMessage()).isEqualTo(last);
        assertThat(list.get(0).lastSeq()).isEqualTo(4L);
        assertThat(list.get(0).unreadCount()).isEqualTo(1L);
        assertThat(list.get(1).lastMessage()).isNull();
        assertThat(list.get(1).members()).extracting(Member::userId).containsExactlyInAnyOrder("a", "c");
        assertThat(list.get(2).members()).extracting(Member::userId).containsExactlyInAnyOrder("a", "c");
        assertThat(list.get(2).title()).isEqualTo("Two");
        assertThat(list.get(1)).isEqualTo(summary("d1", "a"));
        assertThat(direct.conversation().id()).isEqualTo("d1");
        assertThat(await(store().listConversations("b")))
                .extracting(ConversationSummary::id)
                .containsExactly("g1");
        assertThat(await(store().listConversations("nobody"))).isEmpty();
    }

    @Test
    default void findConversationAndMembers_areHiddenFromNonMembers() {
        users("a", "b", "x");
        group("g1", "a", "b");

        assertThat(await(store().findConversation("g1", "b"))).isPresent();
        assertThat(await(store().findConversation("g1", "x"))).isEmpty();
        assertThat(await(store().findConversation("nope", "a"))).isEmpty();
        assertThat(failure(store().members("g1", "x"))).isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store().members("nope", "a"))).isInstanceOf(StoreException.NotFound.class);
        assertThat(await(store().members("g1", "b")))
                .extracting(Member::userId, Member::username)
                .containsExactlyInAnyOrder(tuple("a", "name-a"), tuple("b", "name-b"));
    }

    @Test
    default void lastSeqs_coverEveryConversationOfTheUser() {
        users("a", "b", "c");
        group("g1", "a", "b");
        group("g2", "b", "c");
        appendAll("g1", "a", 2);

        assertThat(await(store().lastSeqs("a"))).isEqualTo(Map.of("g1", 5L));
        assertThat(await(store().lastSeqs("b"))).isEqualTo(Map.of("g1", 5L, "g2", 3L));
        assertThat(await(store().lastSeqs("nobody"))).isEmpty();
    }

    @Test
    default void ping_answersTrueWhileOpen() {
        assertThat(await(store().ping())).isTrue();
    }
}
