package io.parley.server.wire;

import io.parley.protocol.ServerFrame;
import io.parley.server.store.Appended;
import io.parley.server.store.AttachmentInfo;
import io.parley.server.store.Changed;
import io.parley.server.store.EventHeader;
import io.parley.server.store.LogEntry;
import io.parley.server.store.ReceiptChange;
import io.parley.server.store.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Conversions from stored records to protocol frames, shared by the WebSocket gateway, the REST API and the bus. */
public final class Frames {
    private Frames() {}

    /**
     * The event frame of an entry (docs/protocol.md "event"): the header, then the fields of its kind. Clients get
     * this once per event per node: it is encoded at commit ({@code chat.EventPublisher}) or when a session replays
     * the log, never per recipient.
     */
    public static ServerFrame.Event event(LogEntry e) {
        return e.accept(EVENT);
    }

    /** One case per kind (the compiler asks for a new one); fields a kind does not have stay null (not written). */
    private static final LogEntry.Visitor<ServerFrame.Event> EVENT = new LogEntry.Visitor<>() {
        @Override
        public ServerFrame.Event message(LogEntry.MessagePosted e) {
            return frame(
                    e.header(),
                    e.messageId(),
                    e.clientMsgId(),
                    e.body(),
                    null,
                    null,
                    null,
                    null,
                    e.replyTo(),
                    e.replySnippet(),
                    e.deleted());
        }

        @Override
        public ServerFrame.Event conversationCreated(LogEntry.ConversationCreated e) {
            return frame(e.header(), null, null, null, null, null, e.title(), null, null, null, false);
        }

        @Override
        public ServerFrame.Event memberAdded(LogEntry.MemberAdded e) {
            return frame(e.header(), null, null, null, e.memberId(), e.role(), null, null, null, null, false);
        }

        @Override
        public ServerFrame.Event memberRemoved(LogEntry.MemberRemoved e) {
            return frame(e.header(), null, null, null, e.memberId(), null, null, null, null, null, false);
        }

        @Override
        public ServerFrame.Event memberMuted(LogEntry.MemberMuted e) {
            ServerFrame.Event f =
                    frame(e.header(), null, null, null, e.memberId(), null, null, null, null, null, false);
            return e.untilMillis() == null ? f : withUntil(f, time(e.untilMillis()));
        }

        @Override
        public ServerFrame.Event memberUnmuted(LogEntry.MemberUnmuted e) {
            return frame(e.header(), null, null, null, e.memberId(), null, null, null, null, null, false);
        }

        @Override
        public ServerFrame.Event roleChanged(LogEntry.RoleChanged e) {
            return frame(e.header(), null, null, null, e.memberId(), e.role(), null, null, null, null, false);
        }

        @Override
        public ServerFrame.Event messageEdited(LogEntry.MessageEdited e) {
            return frame(e.header(), e.messageId(), null, e.body(), null, null, null, null, null, null, e.deleted());
        }

        @Override
        public ServerFrame.Event messageDeleted(LogEntry.MessageDeleted e) {
            return frame(e.header(), e.messageId(), null, null, null, null, null, null, null, null, false);
        }

        @Override
        public ServerFrame.Event reactionAdded(LogEntry.ReactionAdded e) {
            return frame(e.header(), e.messageId(), null, null, null, null, null, e.emoji(), null, null, false);
        }

        @Override
        public ServerFrame.Event reactionRemoved(LogEntry.ReactionRemoved e) {
            return frame(e.header(), e.messageId(), null, null, null, null, null, e.emoji(), null, null, false);
        }

        @Override
        public ServerFrame.Event attachment(LogEntry.AttachmentChanged e) {
            ServerFrame.Event f = frame(
                    e.header(), e.messageId(), null, null, null, null, null, null, null, null, e.attachment() == null);
            return e.attachment() == null ? f : withAttachment(f, Frames.attachment(e.attachment()));
        }

        @Override
        public ServerFrame.Event conversationRenamed(LogEntry.ConversationRenamed e) {
            return frame(e.header(), null, null, null, null, null, e.title(), null, null, null, false);
        }
    };

    /** The wire shape of an attachment (docs/protocol.md, "Attachments"), for events and REST bodies. */
    public static ServerFrame.Attachment attachment(AttachmentInfo a) {
        return new ServerFrame.Attachment(
                a.id(),
                a.status().wire(),
                a.name(),
                a.contentType(),
                a.size(),
                a.width(),
                a.height(),
                a.thumbnail() ? Boolean.TRUE : null);
    }

    private static ServerFrame.Event withAttachment(ServerFrame.Event f, ServerFrame.Attachment a) {
        return new ServerFrame.Event(
                f.conversationId(),
                f.seq(),
                f.kind(),
                f.createdAt(),
                f.actorId(),
                f.messageId(),
                f.clientMsgId(),
                f.body(),
                f.memberId(),
                f.role(),
                f.title(),
                f.emoji(),
                f.replyTo(),
                f.replySnippet(),
                f.deleted(),
                a);
    }

    private static ServerFrame.Event withUntil(ServerFrame.Event f, String until) {
        return new ServerFrame.Event(
                f.conversationId(),
                f.seq(),
                f.kind(),
                f.createdAt(),
                f.actorId(),
                f.messageId(),
                f.clientMsgId(),
                f.body(),
                f.memberId(),
                f.role(),
                f.title(),
                f.emoji(),
                f.replyTo(),
                f.replySnippet(),
                f.deleted(),
                f.attachment(),
                until);
    }

    private static ServerFrame.Event frame(
            EventHeader h,
            String messageId,
            String clientMsgId,
            String body,
            String memberId,
            Role role,
            String title,
            String emoji,
            String replyTo,
            String replySnippet,
            boolean deleted) {
        return new ServerFrame.Event(
                h.conversationId(),
                h.seq(),
                h.kind().wire(),
                time(h.createdAt()),
                h.actorId(),
                messageId,
                clientMsgId,
                body,
                memberId,
                role == null ? null : role.wire(),
                title,
                emoji,
                replyTo,
                replySnippet,
                deleted ? Boolean.TRUE : null);
    }

    public static ServerFrame.Ok ok(String ref, Changed c, String conversationId) {
        LogEntry e = c.event();
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
        LogEntry.MessagePosted e = a.event();
        return new ServerFrame.Ack(
                e.clientMsgId(), e.conversationId(), e.messageId(), e.seq(), time(e.createdAt()), a.duplicate());
    }

    /** A queue entry of a held message, as its sender sees it: no reason, no decider. */
    public static ServerFrame.Held held(io.parley.server.store.ModerationStore.QueueItem item, boolean duplicate) {
        return new ServerFrame.Held(
                item.clientMsgId(),
                item.conversationId(),
                item.messageId(),
                item.id(),
                io.parley.server.store.ModerationStore.PENDING.equals(item.status()) ? "held" : item.status(),
                item.seq(),
                time(item.createdAt()),
                duplicate);
    }

    /** ISO-8601 UTC with milliseconds, e.g. 2026-11-22T12:00:00.123Z. */
    public static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
