package io.parley.server.store.jdbc;

import io.parley.protocol.EventKind;
import io.parley.server.store.LogEvent;
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
    private Rows() {
    }

    /** Reads an event in {@link SqlDialect#EVENT_COLUMNS} order. */
    static LogEvent event(ResultSet rs) throws SQLException {
        return event(rs, 0);
    }

    /** Reads an event in {@link SqlDialect#EVENT_COLUMNS} order from the columns after the first {@code skip}. */
    static LogEvent event(ResultSet rs, int skip) throws SQLException {
        int o = skip;
        String role = rs.getString(o + 10);
        rs.getLong(o + 15);
        boolean deleted = !rs.wasNull();
        return new LogEvent(rs.getString(o + 1), rs.getLong(o + 2), EventKind.fromWire(rs.getString(o + 3)),
                rs.getLong(o + 4), rs.getString(o + 5), rs.getString(o + 6), rs.getString(o + 7), rs.getString(o + 8),
                rs.getString(o + 9), role == null ? null : Role.fromWire(role), rs.getString(o + 11),
                rs.getString(o + 12), rs.getString(o + 13), rs.getString(o + 14), deleted, List.of());
    }

    static List<LogEvent> events(PreparedStatement ps) throws SQLException {
        List<LogEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(event(rs));
            }
        }
        return out;
    }

    static void bindEvent(PreparedStatement ps, LogEvent e) throws SQLException {
        ps.setString(1, e.conversationId());
        ps.setLong(2, e.seq());
        ps.setString(3, e.kind().wire());
        ps.setLong(4, e.createdAt());
        ps.setString(5, e.actorId());
        setNullable(ps, 6, e.messageId());
        setNullable(ps, 7, e.clientMsgId());
        setNullable(ps, 8, e.body());
        setNullable(ps, 9, e.memberId());
        setNullable(ps, 10, e.role() == null ? null : e.role().wire());
        setNullable(ps, 11, e.title());
        setNullable(ps, 12, e.emoji());
        setNullable(ps, 13, e.replyTo());
        setNullable(ps, 14, e.replySnippet());
    }

    /** Reads a message in {@link SqlDialect#MESSAGE_COLUMNS} order, without its reactions. */
    static MessageView message(ResultSet rs) throws SQLException {
        long editedAt = rs.getLong(8);
        Long edited = rs.wasNull() ? null : editedAt;
        rs.getLong(9);
        boolean deleted = !rs.wasNull();
        return new MessageView(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                deleted ? null : rs.getString(6), rs.getLong(7), edited, deleted, rs.getString(10),
                rs.getString(11), List.of());
    }

    static void setNullable(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }
}
