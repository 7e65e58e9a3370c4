package io.parley.server.wire;

import io.parley.protocol.ServerFrame;
import io.parley.server.store.Appended;
import io.parley.server.store.Changed;
import io.parley.server.store.LogEvent;
import io.parley.server.store.ReceiptChange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Conversions from stored records to protocol frames, shared by the WebSocket gateway, the REST API and the bus. */
public final class Frames {
    private Frames() {
    }

    public static ServerFrame.Event event(LogEvent e) {
        return new ServerFrame.Event(e.conversationId(), e.seq(), e.kind().wire(), time(e.createdAt()), e.actorId(),
                e.messageId(), e.clientMsgId(), e.body(), e.memberId(), e.role() == null ? null : e.role().wire(),
                e.title(), e.emoji(), e.replyTo(), e.replySnippet(), e.deleted() ? Boolean.TRUE : null);
    }

    public static ServerFrame.Ok ok(String ref, Changed c, String conversationId) {
        LogEvent e = c.event();
        return new ServerFrame.Ok(ref, conversationId, c.messageId(), e == null ? null : e.seq(), e == null);
    }

    /** Receipts of one conversation, for the wire. */
    public static ServerFrame.Receipts receipts(String conversationId, List<ReceiptChange> changes) {
        List<ServerFrame.Receipt> out = new ArrayList<>(changes.size());
        for (ReceiptChange c : changes) {
            out.add(new ServerFrame.Receipt(c.userId(), c.deliveredSeq(), c.readSeq()));
        }
        return new ServerFrame.Receipts(conversationId, out);
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
