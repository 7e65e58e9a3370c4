package io.parley.server.gateway;

import io.parley.protocol.ServerFrame;
import io.parley.server.store.Appended;
import io.parley.server.store.LogEvent;

import java.time.Instant;

/** Conversions from stored records to wire frames, shared by the WebSocket gateway and the REST API. */
public final class Frames {
    private Frames() {
    }

    public static ServerFrame.Event event(LogEvent e) {
        return new ServerFrame.Event(e.conversationId(), e.seq(), e.kind().wire(), time(e.createdAt()), e.actorId(),
                e.messageId(), e.clientMsgId(), e.body(), e.memberId(), e.role() == null ? null : e.role().wire(),
                e.title());
    }

    public static ServerFrame.Ack ack(Appended a) {
        LogEvent e = a.event();
        return new ServerFrame.Ack(e.clientMsgId(), e.conversationId(), e.messageId(), e.seq(), time(e.createdAt()),
                a.duplicate());
    }

    /** ISO-8601 UTC with milliseconds, e.g. 2026-11-22T12:00:00.123Z. */
    public static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
