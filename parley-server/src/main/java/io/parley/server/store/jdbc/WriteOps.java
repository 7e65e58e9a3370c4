package io.parley.server.store.jdbc;

import io.parley.protocol.EventKind;
import io.parley.server.store.Appended;
import io.parley.server.store.ConversationKind;
import io.parley.server.store.ConversationSummary;
import io.parley.server.store.Created;
import io.parley.server.store.LogEvent;
import io.parley.server.store.NewMessage;
import io.parley.server.store.Role;
import io.parley.server.store.StoreException;
import io.parley.server.store.User;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The write operations, each run by the {@link Writer} inside its own savepoint. Every event gets its seq from
 * {@code UPDATE conversations SET last_seq = last_seq + 1 ... RETURNING last_seq} in the same transaction, which
 * on PostgreSQL also serialises concurrent writers of one conversation (row lock).
 */
final class WriteOps {
    private final SqlDialect d;
    private final Queries q;

    WriteOps(SqlDialect dialect, Queries queries) {
        this.d = dialect;
        this.q = queries;
    }

    User createUser(Writer.Tx tx, String id, String username, String passwordHash, long now) throws SQLException {
        PreparedStatement taken = tx.ps(d.usernameTaken);
        taken.setString(1, username);
        try (ResultSet rs = taken.executeQuery()) {
            if (rs.next()) {
                throw new StoreException.Conflict("username '" + username + "' is taken");
            }
        }
        if (q.userById(tx::ps, id).isPresent()) {
            throw new StoreException.Conflict("user id '" + id + "' is taken");
        }
        PreparedStatement ps = tx.ps(d.insertUser);
        ps.setString(1, id);
        ps.setString(2, username);
        ps.setString(3, passwordHash);
        ps.setLong(4, now);
        ps.executeUpdate();
        return new User(id, username, now);
    }

    User provisionUser(Writer.Tx tx, String id, long now) throws SQLException {
        PreparedStatement ps = tx.ps(d.provisionUser);
        ps.setString(1, id);
        ps.setLong(2, now);
        ps.executeUpdate();
        return q.userById(tx::ps, id).orElseThrow(() -> new SQLException("user " + id + " vanished"));
    }

    Appended appendMessage(Writer.Tx tx, NewMessage m) throws SQLException {
        PreparedStatement dup = tx.ps(d.eventByClientMsgId);
        dup.setString(1, m.senderId());
        dup.setString(2, m.clientMsgId());
        List<LogEvent> existing = Rows.events(dup);
        if (!existing.isEmpty()) {
            return new Appended(existing.get(0), true);
        }
        List<String> members = q.memberIds(tx::ps, m.conversationId());
        if (!members.contains(m.senderId())) {
            throw new StoreException.NotFound("conversation not found");
        }
        long seq = nextSeq(tx, m.conversationId(), m.createdAt());
        LogEvent e = new LogEvent(m.conversationId(), seq, EventKind.MESSAGE, m.createdAt(), m.senderId(), m.messageId(),
                m.clientMsgId(), m.body(), null, null, null, List.copyOf(members));
        insert(tx, e);
        return new Appended(e, false);
    }

    Created getOrCreateDirect(Writer.Tx tx, String newId, String a, String b, long now) throws SQLException {
        String key = a.compareTo(b) <= 0 ? a + "\n" + b : b + "\n" + a;
        Optional<String> existing = directByKey(tx, key);
        if (existing.isPresent()) {
            return new Created(summary(tx, existing.get(), a), false, List.of());
        }
        requireUsers(tx, List.of(a, b));
        if (!insertConversation(tx, newId, ConversationKind.DIRECT, null, key, a, now)) {
            // Another writer (another node, with PostgreSQL) created it first.
            String id = directByKey(tx, key).orElseThrow(() -> new SQLException("direct conversation vanished"));
            return new Created(summary(tx, id, a), false, List.of());
        }
        List<String> members = a.equals(b) ? List.of(a) : List.of(a, b);
        List<LogEvent> events = new ArrayList<>();
        events.add(append(tx, newId, EventKind.CONVERSATION_CREATED, a, now, null, null, null, members));
        for (String u : members) {
            insertMember(tx, newId, u, Role.MEMBER, now);
            events.add(append(tx, newId, EventKind.MEMBER_ADDED, a, now, u, Role.MEMBER, null, members));
        }
        return new Created(summary(tx, newId, a), true, events);
    }

    Created createGroup(Writer.Tx tx, String id, String ownerId, String title, List<String> memberIds, long now)
            throws SQLException {
        List<String> all = new ArrayList<>();
        all.add(ownerId);
        for (String m : memberIds) {
            if (!all.contains(m)) {
                all.add(m);
            }
        }
        requireUsers(tx, all);
        if (!insertConversation(tx, id, ConversationKind.GROUP, title, null, ownerId, now)) {
            throw new StoreException.Conflict("conversation id '" + id + "' is taken");
        }
        List<LogEvent> events = new ArrayList<>();
        events.add(append(tx, id, EventKind.CONVERSATION_CREATED, ownerId, now, null, null, title, all));
        for (String u : all) {
            Role role = u.equals(ownerId) ? Role.OWNER : Role.MEMBER;
            insertMember(tx, id, u, role, now);
            events.add(append(tx, id, EventKind.MEMBER_ADDED, ownerId, now, u, role, null, all));
        }
        return new Created(summary(tx, id, ownerId), true, events);
    }

    List<LogEvent> addMembers(Writer.Tx tx, String conversationId, String actorId, List<String> userIds, long now)
            throws SQLException {
        List<String> members = new ArrayList<>(q.memberIds(tx::ps, conversationId));
        if (!members.contains(actorId)) {
            throw new StoreException.NotFound("conversation not found");
        }
        List<String> added = new ArrayList<>();
        for (String u : userIds) {
            if (!members.contains(u) && !added.contains(u)) {
                added.add(u);
            }
        }
        requireUsers(tx, added);
        members.addAll(added);
        List<LogEvent> events = new ArrayList<>();
        for (String u : added) {
            insertMember(tx, conversationId, u, Role.MEMBER, now);
            events.add(append(tx, conversationId, EventKind.MEMBER_ADDED, actorId, now, u, Role.MEMBER, null, members));
        }
        return events;
    }

    LogEvent removeMember(Writer.Tx tx, String conversationId, String actorId, String memberId, long now)
            throws SQLException {
        List<String> members = q.memberIds(tx::ps, conversationId);
        if (!members.contains(actorId) || !members.contains(memberId)) {
            throw new StoreException.NotFound("conversation not found");
        }
        PreparedStatement ps = tx.ps(d.deleteMember);
        ps.setString(1, conversationId);
        ps.setString(2, memberId);
        ps.executeUpdate();
        // The removed member hears of it too, so every device of theirs can drop the conversation.
        return append(tx, conversationId, EventKind.MEMBER_REMOVED, actorId, now, memberId, null, null, members);
    }

    LogEvent setRole(Writer.Tx tx, String conversationId, String actorId, String memberId, Role role, long now)
            throws SQLException {
        List<String> members = q.memberIds(tx::ps, conversationId);
        if (!members.contains(actorId) || !members.contains(memberId)) {
            throw new StoreException.NotFound("conversation not found");
        }
        PreparedStatement ps = tx.ps(d.updateRole);
        ps.setString(1, role.wire());
        ps.setString(2, conversationId);
        ps.setString(3, memberId);
        ps.executeUpdate();
        return append(tx, conversationId, EventKind.MEMBER_ROLE, actorId, now, memberId, role, null, members);
    }

    long markRead(Writer.Tx tx, String conversationId, String userId, long seq) throws SQLException {
        PreparedStatement ps = tx.ps(d.markRead);
        ps.setLong(1, seq);
        ps.setString(2, conversationId);
        ps.setString(3, conversationId);
        ps.setString(4, userId);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException.NotFound("conversation not found");
            }
            return rs.getLong(1);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private LogEvent append(Writer.Tx tx, String conversationId, EventKind kind, String actorId, long now,
                            String memberId, Role role, String title, List<String> recipients) throws SQLException {
        long seq = nextSeq(tx, conversationId, now);
        LogEvent e = new LogEvent(conversationId, seq, kind, now, actorId, null, null, null, memberId, role, title,
                List.copyOf(recipients));
        insert(tx, e);
        return e;
    }

    private void insert(Writer.Tx tx, LogEvent e) throws SQLException {
        PreparedStatement ps = tx.ps(d.insertEvent);
        Rows.bindEvent(ps, e);
        ps.executeUpdate();
        tx.emit(e);
    }

    private long nextSeq(Writer.Tx tx, String conversationId, long now) throws SQLException {
        PreparedStatement ps = tx.ps(d.nextSeq);
        ps.setLong(1, now);
        ps.setString(2, conversationId);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException.NotFound("conversation not found");
            }
            return rs.getLong(1);
        }
    }

    private Optional<String> directByKey(Writer.Tx tx, String key) throws SQLException {
        PreparedStatement ps = tx.ps(d.directByKey);
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    private boolean insertConversation(Writer.Tx tx, String id, ConversationKind kind, String title, String directKey,
                                       String createdBy, long now) throws SQLException {
        PreparedStatement ps = tx.ps(d.insertConversation);
        ps.setString(1, id);
        ps.setString(2, kind.wire());
        Rows.setNullable(ps, 3, title);
        Rows.setNullable(ps, 4, directKey);
        ps.setString(5, createdBy);
        ps.setLong(6, now);
        ps.setLong(7, now);
        return ps.executeUpdate() == 1;
    }

    private void insertMember(Writer.Tx tx, String conversationId, String userId, Role role, long now) throws SQLException {
        PreparedStatement ps = tx.ps(d.insertMember);
        ps.setString(1, conversationId);
        ps.setString(2, userId);
        ps.setString(3, role.wire());
        ps.setLong(4, now);
        ps.setString(5, conversationId);
        ps.executeUpdate();
    }

    private void requireUsers(Writer.Tx tx, List<String> ids) throws SQLException {
        for (String id : ids) {
            if (q.userById(tx::ps, id).isEmpty()) {
                throw new StoreException.UnknownUser("user '" + id + "' not found");
            }
        }
    }

    private ConversationSummary summary(Writer.Tx tx, String id, String userId) throws SQLException {
        return q.summary(tx::ps, id, userId).orElseThrow(() -> new SQLException("conversation " + id + " vanished"));
    }
}
