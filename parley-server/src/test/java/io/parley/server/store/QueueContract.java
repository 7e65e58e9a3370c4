package io.parley.server.store;

import static io.parley.server.store.StoreFixture.await;
import static io.parley.server.store.StoreFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.store.ModerationStore.Decision;
import io.parley.server.store.ModerationStore.Hold;
import io.parley.server.store.ModerationStore.QueueItem;
import io.parley.server.store.jdbc.JdbcChatStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link ModerationStore}'s moderation queue (V15): a held message is stored durably and in no log, idempotent per
 * sender and clientMsgId across queue and log; an approval appends it with the next seq and publishes it; a
 * rejection never appends; a second decision is a conflict; stranger reports are queued and counted; each audited.
 */
interface QueueContract extends StoreFixture {

    private ModerationStore q() {
        return ((JdbcChatStore) store()).moderation();
    }

    private List<String> audit() {
        return await(q().auditLog(Long.MAX_VALUE, 100)).stream()
                .map(e -> e.action() + " " + e.actorId() + " " + e.targetUserId())
                .toList();
    }

    @Test
    default void hold_storesTheMessageOutsideTheLog_andARetryReturnsTheSameEntry() {
        users("o", "m");
        group("g", "o", "m");
        long lastSeq = await(store().lastSeqs("m")).get("g");

        Hold first = await(q().hold(StoreFixture.message("g", "m", "c1", "buy now"), "reputation 30 < 50"));
        Hold again = await(q().hold(StoreFixture.message("g", "m", "c1", "buy now"), "reputation 30 < 50"));

        assertThat(first.duplicate()).isFalse();
        assertThat(first.posted()).isNull();
        QueueItem item = first.item();
        assertThat(item.kind()).isEqualTo(ModerationStore.HELD);
        assertThat(item.status()).isEqualTo(ModerationStore.PENDING);
        assertThat(item.senderId()).isEqualTo("m");
        assertThat(item.body()).isEqualTo("buy now");
        assertThat(item.messageId()).isEqualTo("id-m-c1");
        assertThat(item.reason()).isEqualTo("reputation 30 < 50");
        assertThat(again.duplicate()).isTrue();
        assertThat(again.item()).isEqualTo(item);
        assertThat(await(store().lastSeqs("m")).get("g")).isEqualTo(lastSeq);
        assertThat(await(store().eventsAfter("g", 0, 100))).noneMatch(e -> e instanceof LogEntry.MessagePosted);
        assertThat(listener().events()).noneMatch(e -> e instanceof LogEntry.MessagePosted);
        assertThat(await(q().queue(ModerationStore.PENDING, Long.MAX_VALUE, 10)))
                .containsExactly(item);
        assertThat(audit()).containsExactly("message_held system:reputation m");
    }

    @Test
    default void hold_ofAClientMsgIdTheLogHas_returnsTheLogsEvent_andStoresNothing() {
        users("o", "m");
        group("g", "o", "m");
        Appended sent = await(store().appendMessage(StoreFixture.message("g", "m", "c1", "hello")));

        Hold h = await(q().hold(StoreFixture.message("g", "m", "c1", "hello"), "r"));

        assertThat(h.item()).isNull();
        assertThat(h.posted().duplicate()).isTrue();
        assertThat(h.posted().event()).isEqualTo(sent.event());
        assertThat(await(q().queue(null, Long.MAX_VALUE, 10))).isEmpty();
    }

    @Test
    default void hold_refusesNonMembersAndRepliesToUnknownMessages() {
        users("o", "m", "x");
        group("g", "o", "m");

        assertThat(failure(q().hold(StoreFixture.message("g", "x", "c1", "hi"), "r")))
                .isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(q().hold(new NewMessage("g", "m", "c2", "hi", "id-2", T0 + 1, "no-such-message"), "r")))
                .isInstanceOf(StoreException.MessageNotFound.class);
        assertThat(await(q().queue(null, Long.MAX_VALUE, 10))).isEmpty();
    }

    @Test
    default void approve_appendsWithTheNextSeq_publishes_andASecondDecisionIsAConflict() {
        users("o", "m");
        group("g", "o", "m");
        QueueItem held = await(q().hold(StoreFixture.message("g", "m", "c1", "held one"), "r"))
                .item();
        Appended later = await(store().appendMessage(StoreFixture.message("g", "o", "c2", "after it")));

        Decision d = await(q().decide(held.id(), "root", true, "fine", T0 + 10)).orElseThrow();

        assertThat(d.appended().duplicate()).isFalse();
        LogEntry.MessagePosted e = d.appended().event();
        assertThat(e.seq()).isEqualTo(later.event().seq() + 1);
        assertThat(e.messageId()).isEqualTo(held.messageId());
        assertThat(e.clientMsgId()).isEqualTo("c1");
        assertThat(e.header().actorId()).isEqualTo("m");
        assertThat(e.body()).isEqualTo("held one");
        assertThat(d.item().status()).isEqualTo(ModerationStore.APPROVED);
        assertThat(d.item().seq()).isEqualTo(e.seq());
        assertThat(d.item().decidedBy()).isEqualTo("root");
        assertThat(d.item().note()).isEqualTo("fine");
        assertThat(listener().events()).contains(e);
        assertThat(await(store().eventsAfter("g", later.event().seq(), 10))).containsExactly(e);
        // The sender's retry now finds the message in the log.
        Hold retry = await(q().hold(StoreFixture.message("g", "m", "c1", "held one"), "r"));
        assertThat(retry.posted().event()).isEqualTo(e);
        assertThat(failure(q().decide(held.id(), "root", true, null, T0 + 11)))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(failure(q().decide(held.id(), "root", false, null, T0 + 11)))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(await(q().decide(999_999, "root", true, null, T0))).isEmpty();
        assertThat(await(q().queue(ModerationStore.PENDING, Long.MAX_VALUE, 10)))
                .isEmpty();
        assertThat(await(q().queue(ModerationStore.APPROVED, Long.MAX_VALUE, 10)))
                .containsExactly(d.item());
        assertThat(audit()).containsExactly("message_approved root m", "message_held system:reputation m");
    }

    @Test
    default void reject_neverAppends_andARetryAnswersTheRejectedEntry() {
        users("o", "m");
        group("g", "o", "m");
        long lastSeq = await(store().lastSeqs("m")).get("g");
        QueueItem held = await(q().hold(StoreFixture.message("g", "m", "c1", "spam"), "r"))
                .item();

        Decision d =
                await(q().decide(held.id(), "root", false, "spam", T0 + 10)).orElseThrow();

        assertThat(d.appended()).isNull();
        assertThat(d.item().status()).isEqualTo(ModerationStore.REJECTED);
        assertThat(d.item().seq()).isNull();
        assertThat(await(store().lastSeqs("m")).get("g")).isEqualTo(lastSeq);
        Hold retry = await(q().hold(StoreFixture.message("g", "m", "c1", "spam"), "r"));
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.item().status()).isEqualTo(ModerationStore.REJECTED);
        assertThat(audit()).containsExactly("message_rejected root m", "message_held system:reputation m");
    }

    @Test
    default void approve_ofASenderNoLongerAMember_isAConflict_andLeavesItPending() {
        users("o", "m");
        group("g", "o", "m");
        QueueItem held =
                await(q().hold(StoreFixture.message("g", "m", "c1", "hi"), "r")).item();
        await(store().removeMember("g", "o", "m", T0 + 1));

        assertThat(failure(q().decide(held.id(), "root", true, null, T0 + 2)))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(await(q().queue(ModerationStore.PENDING, Long.MAX_VALUE, 10)))
                .extracting(QueueItem::id)
                .containsExactly(held.id());
        assertThat(await(q().decide(held.id(), "root", false, null, T0 + 3)))
                .map(x -> x.item().status())
                .isEqualTo(Optional.of(ModerationStore.REJECTED));
    }

    @Test
    default void strangerReport_isQueued_countedForTheReported_audited_andDecidedWithoutAnAppend() {
        users("a", "b", "x");
        group("s", "a", "b");
        long lastSeq = await(store().lastSeqs("a")).get("s");

        QueueItem r = await(q().queueReport("s", "a", "b", "rude", "3 reported: hey\n4 reporter: stop", T0));

        assertThat(r.kind()).isEqualTo(ModerationStore.REPORT);
        assertThat(r.senderId()).isEqualTo("b");
        assertThat(r.reporterId()).isEqualTo("a");
        assertThat(r.body()).isEqualTo("3 reported: hey\n4 reporter: stop");
        assertThat(await(q().reportCounts())).isEqualTo(Map.of("b", 1));
        assertThat(failure(q().queueReport("s", "x", "b", "r", "", T0))).isInstanceOf(StoreException.NotFound.class);
        Decision d = await(q().decide(r.id(), "root", true, null, T0 + 1)).orElseThrow();
        assertThat(d.appended()).isNull();
        assertThat(d.item().status()).isEqualTo(ModerationStore.APPROVED);
        assertThat(await(store().lastSeqs("a")).get("s")).isEqualTo(lastSeq);
        assertThat(audit()).containsExactly("report_approved root b", "stranger_reported a b");
    }

    @Test
    default void queue_pagesNewestFirst_byStatus() {
        users("o", "m");
        group("g", "o", "m");
        QueueItem one =
                await(q().hold(StoreFixture.message("g", "m", "c1", "1"), "r")).item();
        QueueItem two =
                await(q().hold(StoreFixture.message("g", "m", "c2", "2"), "r")).item();
        QueueItem three =
                await(q().hold(StoreFixture.message("g", "m", "c3", "3"), "r")).item();
        await(q().decide(two.id(), "root", false, null, T0 + 1));

        assertThat(await(q().queue(ModerationStore.PENDING, Long.MAX_VALUE, 10)))
                .extracting(QueueItem::id)
                .containsExactly(three.id(), one.id());
        assertThat(await(q().queue(null, Long.MAX_VALUE, 2)))
                .extracting(QueueItem::id)
                .containsExactly(three.id(), two.id());
        assertThat(await(q().queue(null, two.id(), 10)))
                .extracting(QueueItem::id)
                .containsExactly(one.id());
    }
}
