package io.parley.client;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Messages waiting for their ack (PENDING, and UNCONFIRMED ones whose send timeout passed), in the order they were
 * sent. They are re-sent in that order after every reconnect with their original clientMsgId, so the server stores
 * each at most once. Messages the server answered {@code held} wait apart (HELD): they are an answer, not re-sent,
 * until a decision or their own event settles them. Not thread-safe.
 */
final class Outbox {
    /**
     * Wire names of the codes after which re-sending cannot succeed: derived from {@link ErrorCode#retryable()} so
     * that the SDK cannot drift from the server (it once kept retrying message_not_found until the send timeout).
     * A code this version does not know stays retryable: the send timeout still bounds it.
     */
    static final Set<String> PERMANENT = Arrays.stream(ErrorCode.values())
            .filter(c -> !c.retryable())
            .map(ErrorCode::wire)
            .collect(Collectors.toUnmodifiableSet());

    private final Map<String, OutgoingMessage> pending = new LinkedHashMap<>();
    /** Answered {@code held}: waiting for a server admin, not re-sent, settled by the decision or the own event. */
    private final Map<String, OutgoingMessage> held = new LinkedHashMap<>();

    void add(OutgoingMessage m) {
        pending.put(m.clientMsgId(), m);
    }

    boolean contains(String clientMsgId) {
        return pending.containsKey(clientMsgId);
    }

    /** Messages not settled yet (PENDING and UNCONFIRMED), in send order. */
    List<OutgoingMessage> pending() {
        return new ArrayList<>(pending.values());
    }

    /** The ack of a pending message: it becomes SENT. Returns it, or null when unknown (already settled). */
    OutgoingMessage acked(ServerFrame.Ack ack) {
        OutgoingMessage m = pending.remove(ack.clientMsgId());
        if (m != null) {
            m.markSent(ack);
        }
        return m;
    }

    /** Messages answered {@code held} and not decided yet, in send order. */
    List<OutgoingMessage> held() {
        return new ArrayList<>(held.values());
    }

    /**
     * A {@code held} frame about one of this outbox's messages (docs/protocol.md, "Held messages"). {@code held}: a
     * pending message leaves the re-sent set and becomes HELD; {@code approved}: a pending or held one becomes SENT
     * with an ack made from the frame (its seq); {@code rejected}: it becomes REJECTED. Returns the message whose
     * state changed, or null (not ours, another conversation, or nothing new, e.g. a duplicate held answer).
     */
    OutgoingMessage heldAnswer(ServerFrame.Held h) {
        String id = h.clientMsgId();
        OutgoingMessage m = pending.get(id);
        if (m == null) {
            m = held.get(id);
        }
        if (m == null || !m.conversationId().equals(h.conversationId())) {
            return null;
        }
        switch (h.status()) {
            case "held" -> {
                if (m.state() == MessageState.HELD) {
                    return null;
                }
                pending.remove(id);
                held.put(id, m);
                m.markHeld(h);
            }
            case "approved" -> {
                if (h.seq() == null) {
                    return null;
                }
                pending.remove(id);
                held.remove(id);
                m.markSent(new ServerFrame.Ack(
                        id, h.conversationId(), h.messageId(), h.seq(), h.createdAt(), h.duplicate()));
            }
            case "rejected" -> {
                pending.remove(id);
                held.remove(id);
                m.markRejected(h);
            }
            default -> {
                return null; // a status newer than this client: nothing to do with it
            }
        }
        return m;
    }

    OutgoingMessage get(String clientMsgId) {
        return pending.get(clientMsgId);
    }

    /**
     * An error frame about a pending message. A permanent code fails it (returned); a transient one (unavailable,
     * internal) leaves it pending for the next resend (returns null).
     */
    OutgoingMessage errored(ServerFrame.Error error) {
        if (error.ref() == null || !PERMANENT.contains(error.code())) {
            return null;
        }
        OutgoingMessage m = pending.remove(error.ref());
        if (m != null) {
            m.markFailed(error.code(), error.message());
        }
        return m;
    }

    /**
     * The message's own event arrived (on a resume it can come before the ack): it is stored, so it becomes SENT with
     * an ack made from the event. Returns it, or null when the event is not one of this outbox's messages.
     */
    OutgoingMessage echoed(ServerFrame.Event e) {
        OutgoingMessage m = pending.get(e.clientMsgId());
        if (m == null) {
            m = held.get(e.clientMsgId()); // approved while the decision frame did not reach this client
        }
        if (m == null || !m.conversationId().equals(e.conversationId())) {
            return null;
        }
        pending.remove(e.clientMsgId());
        held.remove(e.clientMsgId());
        m.markSent(
                new ServerFrame.Ack(e.clientMsgId(), e.conversationId(), e.messageId(), e.seq(), e.createdAt(), true));
        return m;
    }

    /**
     * Marks UNCONFIRMED every PENDING message sent longer than {@code timeoutNanos} ago; they stay in the outbox (a
     * late ack still settles them, and every reconnect re-sends them). Returns those whose state changed.
     */
    List<OutgoingMessage> expire(long nowNanos, long timeoutNanos) {
        List<OutgoingMessage> expired = new ArrayList<>();
        for (OutgoingMessage m : pending.values()) {
            if (m.state() == MessageState.PENDING && nowNanos - m.queuedAtNanos() >= timeoutNanos) {
                m.markUnconfirmed();
                expired.add(m);
            }
        }
        return expired;
    }

    /**
     * The client closed: every message not settled is UNCONFIRMED and its future ends; returns them all (the caller
     * keeps them for {@link ParleyClient#pending()}). The outbox is empty afterwards.
     */
    List<OutgoingMessage> abandonAll() {
        List<OutgoingMessage> all = pending();
        pending.clear();
        all.forEach(OutgoingMessage::abandon);
        return all;
    }

    /** The client closed: the HELD messages stay HELD, this client will not learn their decision; returns them. */
    List<OutgoingMessage> abandonHeld() {
        List<OutgoingMessage> all = held();
        held.clear();
        all.forEach(OutgoingMessage::abandonHeld);
        return all;
    }
}
