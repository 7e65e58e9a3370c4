package io.parley.server.store.jdbc;

import io.parley.server.store.AuditEntry;
import io.parley.server.store.ConversationKind;
import io.parley.server.store.ConversationSummary;
import io.parley.server.store.LogEntry;
import io.parley.server.store.Member;
import io.parley.server.store.MessageVersion;
import io.parley.server.store.MessageView;
import io.parley.server.store.NotifyLevel;
import io.parley.server.store.ReceiptChange;
import io.parley.server.store.Role;
import io.parley.server.store.User;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Read queries, usable from reader threads and from the writer inside its transaction. */
final class Queries {
    private final SqlDialect d;

    Queries(SqlDialect dialect) {
        this.d = dialect;
    }

    Optional<User> user(Sql sql, String query, String key) throws SQLException {
        PreparedStatement ps = sql.ps(query);
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next()
                    ? Optional.of(new User(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)))
                    : Optional.empty();
        }
    }

    Optional<User> userById(Sql sql, String id) throws SQLException {
        return user(sql, d.userById, id);
    }

    /** Users whose username or display name starts with {@code prefix} (case-insensitive), by username. */
    List<User> searchUsers(Sql sql, String prefix, int limit) throws SQLException {
        String pattern = prefix.toLowerCase(Locale.ROOT)
                        .replace("!", "!!")
                        .replace("%", "!%")
                        .replace("_", "!_")
                + "%";
        PreparedStatement ps = sql.ps(d.searchUsers);
        ps.setString(1, pattern);
        ps.setString(2, pattern);
        ps.setInt(3, limit);
        List<User> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new User(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)));
            }
        }
        return out;
    }

    Optional<Role> roleOf(Sql sql, String conversationId, String userId) throws SQLException {
        PreparedStatement ps = sql.ps(d.roleOf);
        ps.setString(1, conversationId);
        ps.setString(2, userId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(Role.fromWire(rs.getString(1))) : Optional.empty();
        }
    }

    List<String> memberIds(Sql sql, String conversationId) throws SQLException {
        PreparedStatement ps = sql.ps(d.memberIds);
        ps.setString(1, conversationId);
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    List<Member> members(Sql sql, String conversationId) throws SQLException {
        PreparedStatement ps = sql.ps(d.membersWithNames);
        ps.setString(1, conversationId);
        List<Member> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Member(
                        rs.getString(1),
                        rs.getString(2),
                        Role.fromWire(rs.getString(3)),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7),
                        rs.getString(8)));
            }
        }
        return out;
    }

    /** The conversation as {@code userId} sees it; empty when it does not exist or the user is not a member. */
    Optional<ConversationSummary> summary(Sql sql, String conversationId, String userId) throws SQLException {
        List<Member> members = members(sql, conversationId);
        Member me = members.stream()
                .filter(m -> m.userId().equals(userId))
                .findFirst()
                .orElse(null);
        if (me == null) {
            return Optional.empty();
        }
        PreparedStatement ps = sql.ps(d.conversationRow);
        ps.setString(1, conversationId);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(summaryOf(
                    sql,
                    rs.getString(1),
                    ConversationKind.fromWire(rs.getString(2)),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getLong(5),
                    rs.getLong(6),
                    me.readSeq(),
                    userId,
                    members));
        }
    }

    List<ConversationSummary> conversationsOf(Sql sql, String userId) throws SQLException {
        record Row(
                String id, String kind, String title, String createdBy, long createdAt, long lastSeq, long readSeq) {}
        List<Row> rows = new ArrayList<>();
        PreparedStatement ps = sql.ps(d.conversationsOfUser);
        ps.setString(1, userId);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new Row(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7)));
            }
        }
        List<ConversationSummary> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(summaryOf(
                    sql,
                    r.id(),
                    ConversationKind.fromWire(r.kind()),
                    r.title(),
                    r.createdBy(),
                    r.createdAt(),
                    r.lastSeq(),
                    r.readSeq(),
                    userId,
                    members(sql, r.id())));
        }
        return out;
    }

    private ConversationSummary summaryOf(
            Sql sql,
            String id,
            ConversationKind kind,
            String title,
            String createdBy,
            long createdAt,
            long lastSeq,
            long readSeq,
            String userId,
            List<Member> members)
            throws SQLException {
        PreparedStatement last = sql.ps(d.lastMessage);
        last.setString(1, id);
        List<LogEntry> lastMessage = Rows.events(last);
        PreparedStatement unread = sql.ps(d.unreadCount);
        unread.setString(1, id);
        unread.setLong(2, readSeq);
        unread.setString(3, userId);
        long unreadCount;
        try (ResultSet rs = unread.executeQuery()) {
            rs.next();
            unreadCount = rs.getLong(1);
        }
        PreparedStatement level = sql.ps(d.memberNotify);
        level.setString(1, id);
        level.setString(2, userId);
        NotifyLevel chosen;
        try (ResultSet rs = level.executeQuery()) {
            chosen = rs.next() ? NotifyLevel.of(rs.getString(1)) : null;
        }
        return new ConversationSummary(
                id,
                kind,
                title,
                createdBy,
                createdAt,
                lastSeq,
                List.copyOf(members),
                lastMessage.isEmpty() ? null : lastMessage.get(0),
                readSeq,
                unreadCount,
                NotifyLevel.effective(chosen, kind));
    }

    List<LogEntry> eventsAfter(Sql sql, String conversationId, long afterSeq, int limit) throws SQLException {
        PreparedStatement ps = sql.ps(d.eventsAfter);
        ps.setString(1, conversationId);
        ps.setLong(2, afterSeq);
        ps.setInt(3, limit);
        return Rows.events(ps);
    }

    List<LogEntry> eventsBefore(Sql sql, String conversationId, long beforeSeq, int limit) throws SQLException {
        PreparedStatement ps = sql.ps(d.eventsBefore);
        ps.setString(1, conversationId);
        ps.setLong(2, beforeSeq);
        ps.setInt(3, limit);
        List<LogEntry> desc = Rows.events(ps);
        List<LogEntry> asc = new ArrayList<>(desc.size());
        for (int i = desc.size() - 1; i >= 0; i--) {
            asc.add(desc.get(i));
        }
        return asc;
    }

    Map<String, Long> lastSeqs(Sql sql, String userId) throws SQLException {
        PreparedStatement ps = sql.ps(d.lastSeqs);
        ps.setString(1, userId);
        Map<String, Long> out = new LinkedHashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    // ---- messages --------------------------------------------------------------------------------------------------

    /** The message row (any conversation), without reactions. */
    Optional<MessageView> message(Sql sql, String messageId) throws SQLException {
        PreparedStatement ps = sql.ps(d.messageRow);
        ps.setString(1, messageId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(Rows.message(rs)) : Optional.empty();
        }
    }

    /** The message of {@code conversationId} in its current state, reactions included (GET of one message). */
    Optional<MessageView> messageWithReactions(Sql sql, String conversationId, String messageId) throws SQLException {
        Optional<MessageView> row =
                message(sql, messageId).filter(m -> m.conversationId().equals(conversationId));
        if (row.isEmpty()) {
            return row;
        }
        return Optional.of(withReactions(sql, List.of(row.get())).get(0));
    }

    List<MessageView> messages(Sql sql, String conversationId, Long beforeSeq, Long afterSeq, int limit)
            throws SQLException {
        PreparedStatement ps = sql.ps(afterSeq != null ? d.messagesAfter : d.messagesBefore);
        ps.setString(1, conversationId);
        ps.setLong(2, afterSeq != null ? afterSeq : (beforeSeq == null ? Long.MAX_VALUE : beforeSeq));
        ps.setInt(3, limit);
        List<MessageView> rows = messageRows(ps);
        if (afterSeq == null) {
            java.util.Collections.reverse(rows);
        }
        return withReactions(sql, rows);
    }

    List<MessageView> replies(Sql sql, String conversationId, String messageId, long afterSeq, int limit)
            throws SQLException {
        PreparedStatement ps = sql.ps(d.replies);
        ps.setString(1, conversationId);
        ps.setString(2, messageId);
        ps.setLong(3, afterSeq);
        ps.setInt(4, limit);
        return withReactions(sql, messageRows(ps));
    }

    List<MessageVersion> versions(Sql sql, String conversationId, String messageId) throws SQLException {
        Optional<MessageView> m = message(sql, messageId);
        if (m.isEmpty()
                || !m.get().conversationId().equals(conversationId)
                || m.get().deleted()) {
            return List.of();
        }
        PreparedStatement ps = sql.ps(d.versions);
        ps.setString(1, messageId);
        List<MessageVersion> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new MessageVersion(rs.getLong(1), rs.getString(2), rs.getLong(3)));
            }
        }
        return out;
    }

    private static List<MessageView> messageRows(PreparedStatement ps) throws SQLException {
        List<MessageView> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(Rows.message(rs));
            }
        }
        return out;
    }

    private List<MessageView> withReactions(Sql sql, List<MessageView> messages) throws SQLException {
        List<MessageView> out = new ArrayList<>(messages.size());
        PreparedStatement ps = sql.ps(d.reactionsOf);
        for (MessageView m : messages) {
            ps.setString(1, m.messageId());
            Map<String, List<String>> byEmoji = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byEmoji.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(rs.getString(2));
                }
            }
            if (byEmoji.isEmpty()) {
                out.add(m);
                continue;
            }
            List<MessageView.Reaction> reactions = new ArrayList<>();
            byEmoji.forEach(
                    (emoji, users) -> reactions.add(new MessageView.Reaction(emoji, users.size(), List.copyOf(users))));
            out.add(new MessageView(
                    m.conversationId(),
                    m.seq(),
                    m.messageId(),
                    m.senderId(),
                    m.clientMsgId(),
                    m.body(),
                    m.createdAt(),
                    m.editedAt(),
                    m.deleted(),
                    m.replyTo(),
                    m.replySnippet(),
                    List.copyOf(reactions)));
        }
        return out;
    }

    List<AuditEntry> auditLog(Sql sql, String conversationId, long beforeId, int limit) throws SQLException {
        PreparedStatement ps = sql.ps(d.auditLog);
        ps.setString(1, conversationId);
        ps.setLong(2, beforeId);
        ps.setInt(3, limit);
        List<AuditEntry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long seq = rs.getLong(7);
                Long s = rs.wasNull() ? null : seq;
                out.add(new AuditEntry(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        s,
                        rs.getLong(8)));
            }
        }
        return out;
    }

    // ---- receipts and contacts -------------------------------------------------------------------------------------

    List<ReceiptChange> receiptsSince(Sql sql, String userId, long since, int maxFanout) throws SQLException {
        PreparedStatement ps = sql.ps(d.receiptsSince);
        ps.setString(1, userId);
        ps.setLong(2, since);
        ps.setInt(3, maxFanout);
        List<ReceiptChange> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new ReceiptChange(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), List.of()));
            }
        }
        return out;
    }

    Map<String, Set<String>> contacts(Sql sql, Collection<String> userIds, int maxSize) throws SQLException {
        List<String> ids = List.copyOf(new LinkedHashSet<>(userIds));
        Map<String, Set<String>> out = new HashMap<>();
        PreparedStatement ps = sql.ps(d.contacts);
        for (int from = 0; from < ids.size(); from += SqlDialect.CONTACTS_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + SqlDialect.CONTACTS_CHUNK));
            ps.setInt(1, maxSize);
            for (int i = 0; i < SqlDialect.CONTACTS_CHUNK; i++) {
                ps.setString(i + 2, chunk.get(Math.min(i, chunk.size() - 1)));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
                }
            }
        }
        return out;
    }
}
