package io.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.ServerFrame;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CursorsAndOutboxTest {

    @Test
    void cursors_dropDuplicatesAndOldEvents_acceptLegitimateGaps() {
        Cursors c = new Cursors(Map.of("a", 5L));
        assertThat(c.accept("a", 5)).isFalse();
        assertThat(c.accept("a", 3)).isFalse();
        assertThat(c.accept("a", 6)).isTrue();
        assertThat(c.accept("a", 6)).isFalse();
        assertThat(c.accept("b", 50)).isTrue();
        assertThat(c.accept("b", 52)).isTrue();
        assertThat(c.snapshot()).isEqualTo(Map.of("a", 6L, "b", 52L));
    }

    static ServerFrame.Ack ack(String cmid, long seq) {
        return new ServerFrame.Ack(cmid, "c", "m-" + seq, seq, "2026-11-22T00:00:00Z", false);
    }

    @Test
    void outbox_keepsSendOrder_andAckMakesSent() {
        Outbox o = new Outbox();
        OutgoingMessage m1 = new OutgoingMessage("c", "1", "one", 0);
        OutgoingMessage m2 = new OutgoingMessage("c", "2", "two", 0);
        o.add(m1);
        o.add(m2);
        assertThat(o.pending()).containsExactly(m1, m2);
        assertThat(o.acked(ack("2", 7))).isSameAs(m2);
        assertThat(m2.state()).isEqualTo(MessageState.SENT);
        assertThat(m2.acked()).isCompletedWithValue(ack("2", 7));
        assertThat(o.acked(ack("2", 7))).isNull();
        assertThat(o.pending()).containsExactly(m1);
    }

    @Test
    void outbox_permanentErrorFails_transientKeepsPending() {
        Outbox o = new Outbox();
        OutgoingMessage m1 = new OutgoingMessage("c", "1", "one", 0);
        OutgoingMessage m2 = new OutgoingMessage("c", "2", "", 0);
        o.add(m1);
        o.add(m2);
        assertThat(o.errored(new ServerFrame.Error("unavailable", "store down", "1")))
                .isNull();
        assertThat(m1.state()).isEqualTo(MessageState.PENDING);
        assertThat(o.errored(new ServerFrame.Error("body_empty", "empty", "2"))).isSameAs(m2);
        assertThat(m2.state()).isEqualTo(MessageState.FAILED);
        assertThat(m2.errorCode()).isEqualTo("body_empty");
        assertThat(m2.acked()).isCompletedExceptionally();
        assertThat(o.pending()).containsExactly(m1);
    }

    /** A reply to a message deleted meanwhile is refused with message_not_found: re-sending cannot succeed. */
    @Test
    void outbox_replyToDeletedMessage_failsAtOnceInsteadOfRetryingUntilTheTimeout() {
        Outbox o = new Outbox();
        OutgoingMessage reply = new OutgoingMessage("c", "1", "re", 0);
        o.add(reply);
        assertThat(o.errored(new ServerFrame.Error("message_not_found", "message not found", "1")))
                .isSameAs(reply);
        assertThat(reply.state()).isEqualTo(MessageState.FAILED);
        assertThat(reply.errorCode()).isEqualTo("message_not_found");
        assertThat(o.pending()).isEmpty();
    }

    /** The permanent set is ErrorCode's, so a new code cannot be forgotten here. */
    @Test
    void outbox_failsExactlyTheCodesErrorCodeCallsNotRetryable() {
        for (ErrorCode code : ErrorCode.values()) {
            Outbox o = new Outbox();
            OutgoingMessage m = new OutgoingMessage("c", "1", "x", 0);
            o.add(m);
            OutgoingMessage failed = o.errored(new ServerFrame.Error(code.wire(), "why", "1"));
            assertThat(failed == m).as(code.wire()).isEqualTo(!code.retryable());
            assertThat(m.state())
                    .as(code.wire())
                    .isEqualTo(code.retryable() ? MessageState.PENDING : MessageState.FAILED);
        }
    }

    @Test
    void outbox_unknownCodeFromANewerServer_keepsPending() {
        Outbox o = new Outbox();
        OutgoingMessage m = new OutgoingMessage("c", "1", "x", 0);
        o.add(m);
        assertThat(o.errored(new ServerFrame.Error("some_future_code", "why", "1")))
                .isNull();
        assertThat(m.state()).isEqualTo(MessageState.PENDING);
    }

    @Test
    void outbox_timeoutMakesUnconfirmed_keptAndStillSettledByALateAck() {
        Outbox o = new Outbox();
        long second = 1_000_000_000L;
        OutgoingMessage old = new OutgoingMessage("c", "old", "x", 0);
        OutgoingMessage young = new OutgoingMessage("c", "young", "y", 20 * second);
        o.add(old);
        o.add(young);
        assertThat(o.expire(30 * second, 30 * second)).containsExactly(old);
        assertThat(old.state()).isEqualTo(MessageState.UNCONFIRMED);
        assertThat(old.errorCode()).isNull();
        assertThat(old.acked()).isNotDone();
        assertThat(young.state()).isEqualTo(MessageState.PENDING);
        assertThat(o.pending()).extracting(OutgoingMessage::clientMsgId).containsExactly("old", "young");
        assertThat(o.expire(40 * second, 30 * second)).as("told once").isEmpty();
        assertThat(o.acked(ack("old", 3))).isSameAs(old);
        assertThat(old.state()).isEqualTo(MessageState.SENT);
        assertThat(old.acked()).isCompletedWithValue(ack("old", 3));
    }

    @Test
    void outbox_abandonAll_leavesUnconfirmed_withTheFutureEndedAsUnconfirmed() {
        Outbox o = new Outbox();
        OutgoingMessage m = new OutgoingMessage("c", "1", "x", 0);
        o.add(m);
        assertThat(o.abandonAll()).containsExactly(m);
        assertThat(m.state()).isEqualTo(MessageState.UNCONFIRMED);
        assertThat(m.acked())
                .failsWithin(java.time.Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(OutgoingMessage.UnconfirmedException.class);
        assertThat(o.pending()).isEmpty();
    }

    @Test
    void outbox_echoBeforeTheAck_makesSentWithTheEventsSeq() {
        Outbox o = new Outbox();
        OutgoingMessage m = new OutgoingMessage("c", "1", "x", 0);
        o.add(m);
        ServerFrame.Event other = event("d", 4, "1");
        assertThat(o.echoed(other)).as("another conversation").isNull();
        assertThat(o.echoed(event("c", 4, "1"))).isSameAs(m);
        assertThat(m.state()).isEqualTo(MessageState.SENT);
        assertThat(m.ack().seq()).isEqualTo(4);
        assertThat(m.ack().messageId()).isEqualTo("m-4");
        assertThat(o.acked(ack("1", 4))).as("the duplicate ack after it").isNull();
    }

    @Test
    void echoes_matchTheAckedSeqAndClientMsgId_andForgetWhatThePassedEvents() {
        Echoes e = new Echoes();
        e.expect(ack("a", 3));
        e.expect(ack("b", 5));
        assertThat(e.take(event("c", 2, "x"))).isFalse();
        assertThat(e.take(event("c", 3, "a"))).isTrue();
        assertThat(e.size()).isEqualTo(1);
        assertThat(e.take(event("c", 6, "b"))).as("seq 5 passed unseen").isFalse();
        assertThat(e.size()).isZero();
    }

    @Test
    void cursors_skipsOnlyAboveAKnownCursor_andForgetEndsIt() {
        Cursors c = new Cursors(Map.of("a", 5L));
        assertThat(c.skips("a", 6)).isFalse();
        assertThat(c.skips("a", 7)).isTrue();
        assertThat(c.skips("b", 40)).as("no cursor: joined there").isFalse();
        c.forget("a");
        assertThat(c.skips("a", 90)).isFalse();
        assertThat(c.get("a")).isNull();
    }

    static ServerFrame.Event event(String conversationId, long seq, String clientMsgId) {
        return new ServerFrame.Event(
                conversationId,
                seq,
                "message",
                "2026-11-22T00:00:00Z",
                "alice",
                "m-" + seq,
                clientMsgId,
                "x",
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    @Test
    void outbox_retryRequeuesAFailedMessageWithSameClientMsgId() {
        Outbox o = new Outbox();
        long second = 1_000_000_000L;
        OutgoingMessage old = new OutgoingMessage("c", "old", "x", 0);
        o.add(old);
        assertThat(o.errored(new ServerFrame.Error("body_too_long", "long", "old")))
                .isSameAs(old);
        old.requeue(31 * second);
        o.add(old);
        assertThat(old.state()).isEqualTo(MessageState.PENDING);
        assertThat(old.acked()).isNotDone();
        assertThat(o.pending()).extracting(OutgoingMessage::clientMsgId).containsExactly("old");
    }
}
