package io.parley.server.store;

import static io.parley.server.store.StoreFixture.T0;
import static io.parley.server.store.StoreFixture.await;
import static io.parley.server.store.StoreFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.EventKind;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Edits, deletes, reactions, replies, receipt cursors and contacts. */
interface MessageChangesContract extends StoreFixture {
    long WINDOW = 60_000;

    private String send(String conversationId, String sender, String clientMsgId, String body) {
        return await(store().appendMessage(StoreFixture.message(conversationId, sender, clientMsgId, body)))
                .event()
                .messageId();
    }

    @Test
    default void edit_appendsAnEvent_keepsVersions_andOnlyTheSenderEditsWithinTheWindow() {
        users("a", "b", "c");
        group("g1", "a", "b");
        String m = send("g1", "a", "c1", "original");
        Changed edit = await(store().editMessage("g1", "a", m, "edited", T0 + 10, WINDOW));
        assertThat(edit.changed()).isTrue();
        assertThat(edit.event().kind()).isEqualTo(EventKind.MESSAGE_EDITED);
        assertThat(edit.event().seq()).isEqualTo(5);
        assertThat(Entries.body(edit.event())).isEqualTo("edited");
        assertThat(listener().recipientsOf(edit.event())).containsExactlyInAnyOrder("a", "b");
        assertThat(await(store().editMessage("g1", "a", m, "edited", T0 + 11, WINDOW))
                        .changed())
                .isFalse();
        assertThat(await(store().editHistory("g1", m)))
                .extracting(MessageVersion::body)
                .containsExactly("original", "edited");
        assertThat(await(store().messages("g1", null, null, 10)))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.body()).isEqualTo("edited");
                    assertThat(v.editedAt()).isEqualTo(T0 + 10);
                });
        // The log keeps the original at the message's seq.
        assertThat(await(store().eventsAfter("g1", 3, 10)))
                .extracting(Entries::body)
                .containsExactly("original", "edited");

        assertThat(failure(store().editMessage("g1", "b", m, "x", T0 + 12, WINDOW)))
                .isInstanceOf(StoreException.Forbidden.class);
        assertThat(failure(store().editMessage("g1", "c", m, "x", T0 + 12, WINDOW)))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(store().editMessage("g1", "a", "nope", "x", T0 + 12, WINDOW)))
                .isInstanceOf(StoreException.MessageNotFound.class);
        assertThat(failure(store().editMessage("g1", "a", m, "x", T0 + 1 + WINDOW + 1, WINDOW)))
                .isInstanceOf(StoreException.EditWindowClosed.class);
    }

    @Test
    default void delete_scrubsTheContentEverywhere_keepsTheSeq_andAuditsModeration() {
        users("a", "b", "c");
        group("g1", "a", "b", "c");
        await(store().setRole("g1", "a", "b", Role.ADMIN, T0));
        String m = send("g1", "c", "c1", "secret");
        await(store().editMessage("g1", "c", m, "secret 2", T0 + 2, WINDOW));
        String reply = await(store().appendMessage(new NewMessage("g1", "a", "c2", "re", "r1", T0 + 3, m)))
                .event()
                .messageId();
        await(store().react("g1", "a", m, "\uD83D\uDC4D", true, T0 + 4));

        assertThat(failure(store().deleteMessage("g1", "a", reply + "x", T0 + 5)))
                .isInstanceOf(StoreException.MessageNotFound.class);
        Changed del = await(store().deleteMessage("g1", "b", m, T0 + 5));
        assertThat(del.event().kind()).isEqualTo(EventKind.MESSAGE_DELETED);
        assertThat(await(store().deleteMessage("g1", "c", m, T0 + 6)).changed()).isFalse();

        List<LogEntry> log = await(store().eventsAfter("g1", 0, 100));
        assertThat(log)
                .filteredOn(e -> m.equals(Entries.messageId(e))
                        && (e.kind() == EventKind.MESSAGE || e.kind() == EventKind.MESSAGE_EDITED))
                .hasSize(2)
                .allSatisfy(e -> {
                    assertThat(Entries.body(e)).isNull();
                    assertThat(Entries.deleted(e)).isTrue();
                });
        List<MessageView> views = await(store().messages("g1", null, null, 10));
        assertThat(views).extracting(MessageView::messageId).containsExactly(m, reply);
        assertThat(views.get(0).deleted()).isTrue();
        assertThat(views.get(0).body()).isNull();
        assertThat(views.get(0).reactions()).isEmpty();
        assertThat(views.get(1).replySnippet()).isNull();
        assertThat(await(store().editHistory("g1", m))).isEmpty();
        assertThat(await(store().auditLog("g1", Long.MAX_VALUE, 10)))
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.actorId()).isEqualTo("b");
                    assertThat(a.targetUserId()).isEqualTo("c");
                    assertThat(a.seq()).isEqualTo(del.event().seq());
                });
        // A plain member cannot delete someone else's message.
        assertThat(failure(store().deleteMessage("g1", "c", reply, T0 + 7)))
                .isInstanceOf(StoreException.Forbidden.class);
    }

    @Test
    default void reactions_onePerUserAndEmoji_countedWithWhoReacted() {
        users("a", "b");
        group("g1", "a", "b");
        String m = send("g1", "a", "c1", "hi");
        String up = "\uD83D\uDC4D";
        assertThat(await(store().react("g1", "a", m, up, true, T0 + 1)).event().kind())
                .isEqualTo(EventKind.REACTION_ADDED);
        assertThat(await(store().react("g1", "a", m, up, true, T0 + 2)).changed())
                .isFalse();
        await(store().react("g1", "b", m, up, true, T0 + 3));
        await(store().react("g1", "b", m, "\u2764\uFE0F", true, T0 + 4));
        assertThat(await(store().react("g1", "b", m, "\u2764\uFE0F", false, T0 + 5))
                        .event()
                        .kind())
                .isEqualTo(EventKind.REACTION_REMOVED);
        assertThat(await(store().react("g1", "b", m, "\u2764\uFE0F", false, T0 + 6))
                        .changed())
                .isFalse();
        MessageView v = await(store().messages("g1", null, null, 10)).get(0);
        assertThat(v.reactions()).singleElement().satisfies(r -> {
            assertThat(r.emoji()).isEqualTo(up);
            assertThat(r.count()).isEqualTo(2);
            assertThat(r.userIds()).containsExactly("a", "b");
        });
    }

    @Test
    default void replies_carryTheParentAndASnippet_andAreListed() {
        users("a", "b");
        group("g1", "a", "b");
        String parent = send("g1", "a", "c1", "x".repeat(150));
        var r = await(store().appendMessage(new NewMessage("g1", "b", "c2", "re", "r1", T0 + 2, parent)))
                .event();
        assertThat(r.replyTo()).isEqualTo(parent);
        assertThat(r.replySnippet()).hasSize(100).endsWith("\u2026"); // at most 100 characters, the ellipsis included
        assertThat(await(store().replies("g1", parent, 0, 10)))
                .extracting(MessageView::messageId)
                .containsExactly("r1");
        assertThat(failure(store().appendMessage(new NewMessage("g1", "b", "c3", "re", "r2", T0 + 3, "nope"))))
                .isInstanceOf(StoreException.MessageNotFound.class);
    }

    @Test
    default void receipts_moveForwardOnly_deliveredAtLeastRead_andCarryRecipients() {
        users("a", "b", "c");
        group("g1", "a", "b");
        appendAll("g1", "a", 5); // seqs 4..8
        List<ReceiptChange> changes = await(store().updateReceipts(
                        List.of(new ReceiptUpdate("g1", "b", 7, 0), new ReceiptUpdate("g1", "c", 7, 7)), T0 + 10, 500));
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.deliveredSeq()).isEqualTo(7);
            assertThat(c.recipients()).containsExactlyInAnyOrder("a", "b");
        });
        assertThat(await(store().updateReceipts(List.of(new ReceiptUpdate("g1", "b", 3, 0)), T0 + 11, 500)))
                .isEmpty();
        ReceiptChange read = await(store().updateReceipts(List.of(new ReceiptUpdate("g1", "b", 0, 100)), T0 + 12, 1))
                .get(0);
        assertThat(read.readSeq()).isEqualTo(8);
        assertThat(read.deliveredSeq()).isEqualTo(8);
        assertThat(read.recipients())
                .as("over the fanout limit: only the member")
                .containsExactly("b");
        assertThat(await(store().receiptsSince("a", T0 + 11, 500)))
                .singleElement()
                .satisfies(c -> assertThat(c.userId()).isEqualTo("b"));
        assertThat(await(store().receiptsSince("a", T0 + 12, 500))).isEmpty();
        assertThat(await(store().members("g1", "a")))
                .filteredOn(m -> m.userId().equals("b"))
                .singleElement()
                .satisfies(m -> assertThat(m.deliveredSeq()).isEqualTo(8));
    }

    @Test
    default void contacts_areUsersSharingAConversationUpToTheSizeLimit() {
        users("a", "b", "c", "d", "e");
        group("g1", "a", "b");
        group("big", "c", "a", "d");
        Map<String, Set<String>> small = await(store().contacts(List.of("a", "e"), 2));
        assertThat(small).containsOnlyKeys("a");
        assertThat(small.get("a")).containsExactly("b");
        assertThat(await(store().contacts(List.of("a"), 3)).get("a")).containsExactlyInAnyOrder("b", "c", "d");
        // Leaving shrinks the conversation: the size limit follows the member count.
        await(store().removeMember("big", "d", "d", T0 + 1));
        assertThat(await(store().contacts(List.of("a"), 2)).get("a")).containsExactlyInAnyOrder("b", "c");
    }
}
