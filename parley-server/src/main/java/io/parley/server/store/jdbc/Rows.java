package io.parley.server.store.jdbc;

import io.parley.protocol.EventKind;
import io.parley.server.store.EventHeader;
import io.parley.server.store.LogEntry;
import io.parley.server.store.MessageView;
import io.parley.server.store.Role;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** Row mapping and parameter binding for events. */
final class Rows {
    private Rows() {}

    /** Reads an event in {@link SqlDialect#EVENT_COLUMNS} order. */
    static LogEntry event(ResultSet rs) throws SQLException {
        return event(rs, 0);
    }

    /**
     * Reads an event in {@link SqlDialect#EVENT_COLUMNS} order from the columns after the first {@code skip}. The
     * switch over the kind has no default: a new {@link EventKind} does not compile until it has its record here.
     */
    static LogEntry event(ResultSet rs, int skip) throws SQLException {
        int o = skip;
        EventHeader h = new EventHeader(
                rs.getString(o + 1),
                rs.getLong(o + 2),
                EventKind.fromWire(rs.getString(o + 3)),
                rs.getLong(o + 4),
                rs.getString(o + 5));
        String messageId = rs.getString(o + 6);
        String body = rs.getString(o + 8);
        String memberId = rs.getString(o + 9);
        String role = rs.getString(o + 10);
        String emoji = rs.getString(o + 12);
        rs.getLong(o + 15);
        boolean deleted = !rs.wasNull();
        return switch (h.kind()) {
            case MESSAGE ->
                new LogEntry.MessagePosted(
                        h, messageId, rs.getString(o + 7), body, rs.getString(o + 13), rs.getString(o + 14), deleted);
            case CONVERSATION_CREATED -> new LogEntry.ConversationCreated(h, rs.getString(o + 11));
            case MEMBER_ADDED -> new LogEntry.MemberAdded(h, memberId, Role.fromWire(role));
            case MEMBER_REMOVED -> new LogEntry.MemberRemoved(h, memberId);
            case MEMBER_ROLE -> new LogEntry.RoleChanged(h, memberId, Role.fromWire(role));
            case MESSAGE_EDITED -> new LogEntry.MessageEdited(h, messageId, body, deleted);
            case MESSAGE_DELETED -> new LogEntry.MessageDeleted(h, messageId);
            case REACTION_ADDED -> new LogEntry.ReactionAdded(h, messageId, emoji);
            case REACTION_REMOVED -> new LogEntry.ReactionRemoved(h, messageId, emoji);
            case ATTACHMENT -> new LogEntry.AttachmentChanged(h, messageId, JdbcAttachments.info(body));
            case CONVERSATION_RENAMED -> new LogEntry.ConversationRenamed(h, rs.getString(o + 11));
            // A mute's end (epoch millis) is kept in the body column: the event has no text of its own.
            case MEMBER_MUTED -> new LogEntry.MemberMuted(h, memberId, body == null ? null : Long.valueOf(body));
            case MEMBER_UNMUTED -> new LogEntry.MemberUnmuted(h, memberId);
        };
    }

    static List<LogEntry> events(PreparedStatement ps) throws SQLException {
        List<LogEntry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(event(rs));
            }
        }
        return out;
    }

    /** Binds an event's columns in {@link SqlDialect#insertEvent} order: the header, then what its kind has. */
    static void bindEvent(PreparedStatement ps, LogEntry e) throws SQLException {
        EventHeader h = e.header();
        ps.setString(1, h.conversationId());
        ps.setLong(2, h.seq());
        ps.setString(3, h.kind().wire());
        ps.setLong(4, h.createdAt());
        ps.setString(5, h.actorId());
        String[] c = e.accept(COLUMNS);
        for (int i = 0; i < c.length; i++) {
            setNullable(ps, 6 + i, c[i]);
        }
    }

    /**
     * The kind-specific columns of an event in insert order: messageId, clientMsgId, body, memberId, role, title,
     * emoji, replyTo, replySnippet.
     */
    private static final LogEntry.Visitor<String[]> COLUMNS = new LogEntry.Visitor<>() {
        @Override
        public String[] message(LogEntry.MessagePosted e) {
            return new String[] {
                e.messageId(), e.clientMsgId(), e.body(), null, null, null, null, e.replyTo(), e.replySnippet()
            };
        }

        @Override
        public String[] conversationCreated(LogEntry.ConversationCreated e) {
            return new String[] {null, null, null, null, null, e.title(), null, null, null};
        }

        @Override
        public String[] memberAdded(LogEntry.MemberAdded e) {
            return new String[] {null, null, null, e.memberId(), e.role().wire(), null, null, null, null};
        }

        @Override
        public String[] memberRemoved(LogEntry.MemberRemoved e) {
            return new String[] {null, null, null, e.memberId(), null, null, null, null, null};
        }

        @Override
        public String[] memberMuted(LogEntry.MemberMuted e) {
            String until = e.untilMillis() == null ? null : e.untilMillis().toString();
            return new String[] {null, null, until, e.memberId(), null, null, null, null, null};
        }

        @Override
        public String[] memberUnmuted(LogEntry.MemberUnmuted e) {
            return new String[] {null, null, null, e.memberId(), null, null, null, null, null};
        }

        @Override
        public String[] roleChanged(LogEntry.RoleChanged e) {
            return new String[] {null, null, null, e.memberId(), e.role().wire(), null, null, null, null};
        }

        @Override
        public String[] messageEdited(LogEntry.MessageEdited e) {
            return new String[] {e.messageId(), null, e.body(), null, null, null, null, null, null};
        }

        @Override
        public String[] messageDeleted(LogEntry.MessageDeleted e) {
            return new String[] {e.messageId(), null, null, null, null, null, null, null, null};
        }

        @Override
        public String[] reactionAdded(LogEntry.ReactionAdded e) {
            return new String[] {e.messageId(), null, null, null, null, null, e.emoji(), null, null};
        }

        @Override
        public String[] reactionRemoved(LogEntry.ReactionRemoved e) {
            return new String[] {e.messageId(), null, null, null, null, null, e.emoji(), null, null};
        }

        @Override
        public String[] attachment(LogEntry.AttachmentChanged e) {
            String json = e.attachment() == null ? null : JdbcAttachments.json(e.attachment());
            return new String[] {e.messageId(), null, json, null, null, null, null, null, null};
        }

        @Override
        public String[] conversationRenamed(LogEntry.ConversationRenamed e) {
            return new String[] {null, null, null, null, null, e.title(), null, null, null};
        }
    };

    /** Reads a message in {@link SqlDialect#MESSAGE_COLUMNS} order, without its reactions. */
    static MessageView message(ResultSet rs) throws SQLException {
        long editedAt = rs.getLong(8);
        Long edited = rs.wasNull() ? null : editedAt;
        rs.getLong(9);
        boolean deleted = !rs.wasNull();
        return new MessageView(
                rs.getString(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                deleted ? null : rs.getString(6),
                rs.getLong(7),
                edited,
                deleted,
                rs.getString(10),
                rs.getString(11),
                List.of());
    }

    static void setNullable(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }
}
