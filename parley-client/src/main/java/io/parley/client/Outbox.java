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
 * Messages waiting for their ack, in the order they were sent. They are re-sent in that order after every
 * reconnect with their original clientMsgId, so the server stores each at most once. Not thread-safe.
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

    void add(OutgoingMessage m) {
        pending.put(m.clientMsgId(), m);
    }

    boolean contains(String clientMsgId) {
        return pending.containsKey(clientMsgId);
    }

    /** Pending messages in send order. */
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

    /** Fails every message pending for longer than {@code timeoutNanos}; returns them. */
    List<OutgoingMessage> expire(long nowNanos, long timeoutNanos) {
        List<OutgoingMessage> expired = new ArrayList<>();
        for (OutgoingMessage m : pending.values()) {
            if (nowNanos - m.queuedAtNanos() >= timeoutNanos) {
                expired.add(m);
            }
        }
        for (OutgoingMessage m : expired) {
            pending.remove(m.clientMsgId());
            m.markFailed("timeout", "no ack within the send timeout");
        }
        return expired;
    }

    /** Fails everything (client closed). */
    List<OutgoingMessage> failAll(String code) {
        List<OutgoingMessage> all = pending();
        pending.clear();
        all.forEach(m -> m.markFailed(code, null));
        return all;
    }
}
