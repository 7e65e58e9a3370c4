package io.parley.server.store.jdbc;

import io.parley.protocol.EventKind;
import io.parley.server.store.Appended;
import io.parley.server.store.Changed;
import io.parley.server.store.Committed;
import io.parley.server.store.ConversationKind;
import io.parley.server.store.ConversationSummary;
import io.parley.server.store.Created;
import io.parley.server.store.EventHeader;
import io.parley.server.store.LogEntry;
import io.parley.server.store.MessageView;
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
import java.util.function.Function;

/**
 * The write operations, each run by the {@link Writer} inside its batch transaction. Every event gets its seq from
 * {@code UPDATE conversations SET last_seq = last_seq + 1 ... RETURNING last_seq} in the same transaction; on
 * PostgreSQL the conversation's row lock, taken at the start of the batch (or by {@link #lock} before anything is
 * read), serialises writers of one conversation on every node. An operation may fail after it wrote: the Writer
 * rolls its writes back (transaction or savepoint). Receipt cursors, which append no event, are in
 * {@link ReceiptOps}.
 */
final class WriteOps {
    private final SqlDialect d;
    private final Queries q;
    /** The one-statement appends, or null (SQLite: the checks run as separate statements, in process). */
    private final PostgresAppends postgres;

    WriteOps(SqlDialect dialect, Queries queries) {
        this.d = dialect;
        this.q = queries;
        this.postgres = dialect.appendMessage == null ? null : new PostgresAppends(dialect);
    }

    /** True when {@link #appendMessages} runs consecutive appends together (PostgreSQL). */
    boolean groupsAppends() {
        return postgres != null;
    }

    /** Consecutive appends of one batch, run together: see {@link PostgresAppends#appendAll}. */
    List<WriteGroup.Done> appendMessages(Tx tx, List<NewMessage> messages) throws SQLException {
        return postgres.appendAll(tx, messages);
    }

    User createUser(Tx tx, String id, String username, String passwordHash, long now) throws SQLException {
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
        return new User(id, username, now, null);
    }

    /** Sets (or clears, with null) a user's display name; an unknown user fails. */
    User setDisplayName(Tx tx, String id, String displayName) throws SQLException {
        PreparedStatement ps = tx.ps(d.setDisplayName);
        ps.setString(1, displayName);
        ps.setString(2, id);
        if (ps.executeUpdate() == 0) {
            throw new StoreException.UnknownUser("no user '" + id + "'");
        }
        return q.userById(tx::ps, id).orElseThrow();
    }

    void setPasswordHash(Tx tx, String id, String passwordHash) throws SQLException {
        PreparedStatement ps = tx.ps(d.setPasswordHash);
        ps.setString(1, passwordHash);
        ps.setString(2, id);
        if (ps.executeUpdate() == 0) {
            throw new StoreException.UnknownUser("no user '" + id + "'");
        }
    }

    /** True when the ban (or unban) changed the row; an unknown user fails. */
    boolean setBanned(Tx tx, String id, boolean banned, long now) throws SQLException {
        PreparedStatement ps = tx.ps(banned ? d.ban : d.unban);
        if (banned) {
            ps.setLong(1, now);
            ps.setString(2, id);
        } else {
            ps.setString(1, id);
        }
        if (ps.executeUpdate() == 1) {
            if (banned) {
                // In the ban's transaction: every node reads the log and closes the user's connections within a
                // second (JdbcSessionStore, auth.Revocations), also when the ban comes from `parley admin ban`.
                PreparedStatement log = tx.ps(SessionSql.insertRevocation);
                log.setString(1, io.parley.server.store.Revocation.Kind.BAN.column());
                log.setString(2, id);
                log.setString(3, id);
                log.setLong(4, now);
                log.executeQuery().close();
            }
            return true;
        }
        if (q.userById(tx::ps, id).isEmpty()) {
            throw new StoreException.UnknownUser("no user '" + id + "'");
        }
        return false;
    }

    User provisionUser(Tx tx, String id, long now) throws SQLException {
        PreparedStatement ps = tx.ps(d.provisionUser);
        ps.setString(1, id);
        ps.setLong(2, now);
        ps.executeUpdate();
        return q.userById(tx::ps, id).orElseThrow(() -> new SQLException("user " + id + " vanished"));
    }

    Appended appendMessage(Tx tx, NewMessage m) throws SQLException {
        if (postgres != null) {
            return postgres.append(tx, m);
        }
        PreparedStatement dup = tx.ps(d.eventByClientMsgId);
        dup.setString(1, m.senderId());
        dup.setString(2, m.clientMsgId());
        List<LogEntry> existing = Rows.events(dup);
        if (!existing.isEmpty()) {
            return new Appended((LogEntry.MessagePosted) existing.get(0), true);
        }
        if (d.concurrentWriters()) {
            lock(tx, m.conversationId());
        }
        // An unknown conversation has no members: the check below refuses it too.
        List<String> members = q.memberIds(tx::ps, m.conversationId());
        if (!members.contains(m.senderId())) {
            throw new StoreException.NotFound("conversation not found");
        }
        String snippet = null;
        if (m.replyTo() != null) {
            MessageView parent = liveMessage(tx, m.conversationId(), m.replyTo());
            snippet = snippet(parent.body());
        }
        long seq = nextSeq(tx, m.conversationId(), m.createdAt());
        LogEntry.MessagePosted e = new LogEntry.MessagePosted(
                new EventHeader(m.conversationId(), seq, EventKind.MESSAGE, m.createdAt(), m.senderId()),
                m.messageId(),
                m.clientMsgId(),
                m.body(),
                m.replyTo(),
                snippet,
                false);
        insert(tx, e, members);
        return new Appended(e, false);
    }

    /** The log's message of this sender with this clientMsgId (the append's idempotency key), if any. */
    Optional<LogEntry.MessagePosted> messageByClientMsgId(Tx tx, String senderId, String clientMsgId)
            throws SQLException {
        PreparedStatement dup = tx.ps(d.eventByClientMsgId);
        dup.setString(1, senderId);
        dup.setString(2, clientMsgId);
        List<LogEntry> existing = Rows.events(dup);
        return existing.isEmpty() ? Optional.empty() : Optional.of((LogEntry.MessagePosted) existing.get(0));
    }

    Created getOrCreateDirect(Tx tx, String newId, String a, String b, long now) throws SQLException {
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
        List<LogEntry> events = new ArrayList<>();
        events.add(append(
                tx,
                newId,
                EventKind.CONVERSATION_CREATED,
                a,
                now,
                members,
                h -> new LogEntry.ConversationCreated(h, null)));
        for (String u : members) {
            insertMember(tx, newId, u, Role.MEMBER, now);
            events.add(append(
                    tx,
                    newId,
                    EventKind.MEMBER_ADDED,
                    a,
                    now,
                    members,
                    h -> new LogEntry.MemberAdded(h, u, Role.MEMBER)));
        }
        return new Created(summary(tx, newId, a), true, events);
    }

    Created createGroup(Tx tx, String id, String ownerId, String title, List<String> memberIds, long now)
            throws SQLException {
        java.util.LinkedHashSet<String> distinct = new java.util.LinkedHashSet<>();
        distinct.add(ownerId);
        distinct.addAll(memberIds);
        // One immutable list for every event of the creation: each Committed keeps it as it is (List.copyOf of an
        // immutable list is the list), and the bus sees one recipient list for the run.
        List<String> all = List.copyOf(distinct);
        requireUsers(tx, all);
        if (!insertConversation(tx, id, ConversationKind.GROUP, title, null, ownerId, now)) {
            throw new StoreException.Conflict("conversation id '" + id + "' is taken");
        }
        List<LogEntry> events = new ArrayList<>();
        events.add(append(
                tx,
                id,
                EventKind.CONVERSATION_CREATED,
                ownerId,
                now,
                all,
                h -> new LogEntry.ConversationCreated(h, title)));
        for (String u : all) {
            Role role = u.equals(ownerId) ? Role.OWNER : Role.MEMBER;
            insertMember(tx, id, u, role, now);
            events.add(append(
                    tx, id, EventKind.MEMBER_ADDED, ownerId, now, all, h -> new LogEntry.MemberAdded(h, u, role)));
        }
        return new Created(summary(tx, id, ownerId), true, events);
    }

    List<LogEntry.MemberAdded> addMembers(Tx tx, String conversationId, String actorId, List<String> userIds, long now)
            throws SQLException {
        lock(tx, conversationId);
        List<String> current = q.memberIds(tx::ps, conversationId);
        java.util.LinkedHashSet<String> distinct = new java.util.LinkedHashSet<>(current);
        if (!distinct.contains(actorId)) {
            throw new StoreException.NotFound("conversation not found");
        }
        List<String> added = new ArrayList<>();
        for (String u : userIds) {
            if (distinct.add(u)) {
                added.add(u);
            }
        }
        requireUsers(tx, added);
        // One immutable list for every member_added of this write (see createGroup).
        List<String> members = List.copyOf(distinct);
        List<LogEntry.MemberAdded> events = new ArrayList<>();
        for (String u : added) {
            insertMember(tx, conversationId, u, Role.MEMBER, now);
            events.add(append(
                    tx,
                    conversationId,
                    EventKind.MEMBER_ADDED,
                    actorId,
                    now,
                    members,
                    h -> new LogEntry.MemberAdded(h, u, Role.MEMBER)));
        }
        return events;
    }

    LogEntry.MemberRemoved removeMember(Tx tx, String conversationId, String actorId, String memberId, long now)
            throws SQLException {
        lock(tx, conversationId);
        List<String> members = q.memberIds(tx::ps, conversationId);
        if (!members.contains(actorId) || !members.contains(memberId)) {
            throw new StoreException.NotFound("conversation not found");
        }
        PreparedStatement ps = tx.ps(d.deleteMember);
        ps.setString(1, conversationId);
        ps.setString(2, memberId);
        ps.executeUpdate();
        countMembers(tx, conversationId, -1);
        // The removed member hears of it too, so every device of theirs can drop the conversation.
        LogEntry.MemberRemoved e = append(
                tx,
                conversationId,
                EventKind.MEMBER_REMOVED,
                actorId,
                now,
                members,
                h -> new LogEntry.MemberRemoved(h, memberId));
        if (!actorId.equals(memberId)) {
            audit(tx, conversationId, actorId, "member_removed", null, memberId, e.seq(), now);
        }
        return e;
    }

    LogEntry.RoleChanged setRole(Tx tx, String conversationId, String actorId, String memberId, Role role, long now)
            throws SQLException {
        lock(tx, conversationId);
        List<String> members = q.memberIds(tx::ps, conversationId);
        if (!members.contains(actorId) || !members.contains(memberId)) {
            throw new StoreException.NotFound("conversation not found");
        }
        PreparedStatement ps = tx.ps(d.updateRole);
        ps.setString(1, role.wire());
        ps.setString(2, conversationId);
        ps.setString(3, memberId);
        ps.executeUpdate();
        return append(
                tx,
                conversationId,
                EventKind.MEMBER_ROLE,
                actorId,
                now,
                members,
                h -> new LogEntry.RoleChanged(h, memberId, role));
    }

    /**
     * Sets a conversation's title and appends conversation_renamed in the same transaction. The actor must be a
     * member (who may rename is the caller's rule).
     */
    LogEntry.ConversationRenamed rename(Tx tx, String conversationId, String actorId, String title, long now)
            throws SQLException {
        List<String> members = requireMember(tx, conversationId, actorId);
        PreparedStatement ps = tx.ps(d.updateTitle);
        ps.setString(1, title);
        ps.setString(2, conversationId);
        ps.executeUpdate();
        return append(
                tx,
                conversationId,
                EventKind.CONVERSATION_RENAMED,
                actorId,
                now,
                members,
                h -> new LogEntry.ConversationRenamed(h, title));
    }

    // ---- message changes -------------------------------------------------------------------------------------------

    Changed editMessage(
            Tx tx, String conversationId, String actorId, String messageId, String body, long now, long window)
            throws SQLException {
        List<String> members = requireMember(tx, conversationId, actorId);
        MessageView m = liveMessage(tx, conversationId, messageId);
        if (!m.senderId().equals(actorId)) {
            throw new StoreException.Forbidden("only the sender edits a message");
        }
        if (now - m.createdAt() > window) {
            throw new StoreException.EditWindowClosed(
                    "the message is older than the edit window (" + java.time.Duration.ofMillis(window) + ")");
        }
        if (body.equals(m.body())) {
            return new Changed(messageId, null);
        }
        PreparedStatement ps = tx.ps(d.setEditedBody);
        ps.setString(1, body);
        ps.setLong(2, now);
        ps.setString(3, messageId);
        ps.executeUpdate();
        return new Changed(
                messageId,
                append(
                        tx,
                        conversationId,
                        EventKind.MESSAGE_EDITED,
                        actorId,
                        now,
                        members,
                        h -> new LogEntry.MessageEdited(h, messageId, body, false)));
    }

    Changed deleteMessage(Tx tx, String conversationId, String actorId, String messageId, long now)
            throws SQLException {
        List<String> members = requireMember(tx, conversationId, actorId);
        MessageView m = message(tx, conversationId, messageId);
        if (m.deleted()) {
            return new Changed(messageId, null);
        }
        boolean moderation = !m.senderId().equals(actorId);
        if (moderation) {
            Role role = q.roleOf(tx::ps, conversationId, actorId)
                    .orElseThrow(() -> new StoreException.NotFound("conversation not found"));
            if (!isGroup(tx, conversationId) || !role.canManageMembers()) {
                throw new StoreException.Forbidden(
                        "only the sender, or an owner or admin of a group, deletes a message");
            }
        }
        PreparedStatement scrub = tx.ps(d.scrubMessage);
        scrub.setLong(1, now);
        scrub.setString(2, messageId);
        scrub.executeUpdate();
        PreparedStatement snippets = tx.ps(d.scrubSnippets);
        snippets.setString(1, conversationId);
        snippets.setString(2, messageId);
        snippets.executeUpdate();
        PreparedStatement reactions = tx.ps(d.deleteReactions);
        reactions.setString(1, messageId);
        reactions.executeUpdate();
        PreparedStatement attachments = tx.ps(JdbcAttachments.MARK_DELETED);
        attachments.setLong(1, now);
        attachments.setString(2, messageId);
        attachments.executeUpdate();
        LogEntry e = append(
                tx,
                conversationId,
                EventKind.MESSAGE_DELETED,
                actorId,
                now,
                members,
                h -> new LogEntry.MessageDeleted(h, messageId));
        if (moderation) {
            audit(tx, conversationId, actorId, "message_deleted", messageId, m.senderId(), e.seq(), now);
        }
        return new Changed(messageId, e);
    }

    Changed react(Tx tx, String conversationId, String actorId, String messageId, String emoji, boolean add, long now)
            throws SQLException {
        List<String> members = requireMember(tx, conversationId, actorId);
        liveMessage(tx, conversationId, messageId);
        PreparedStatement ps;
        if (add) {
            ps = tx.ps(d.insertReaction);
            ps.setString(1, conversationId);
            ps.setString(2, messageId);
            ps.setString(3, actorId);
            ps.setString(4, emoji);
            ps.setLong(5, now);
        } else {
            ps = tx.ps(d.deleteReaction);
            ps.setString(1, messageId);
            ps.setString(2, emoji);
            ps.setString(3, actorId);
        }
        if (ps.executeUpdate() == 0) {
            return new Changed(messageId, null);
        }
        return new Changed(
                messageId,
                add
                        ? append(
                                tx,
                                conversationId,
                                EventKind.REACTION_ADDED,
                                actorId,
                                now,
                                members,
                                h -> new LogEntry.ReactionAdded(h, messageId, emoji))
                        : append(
                                tx,
                                conversationId,
                                EventKind.REACTION_REMOVED,
                                actorId,
                                now,
                                members,
                                h -> new LogEntry.ReactionRemoved(h, messageId, emoji)));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** Takes the conversation's next seq, inserts the entry made with its header and emits it for the commit. */
    /** {@link #append} for the attachment events ({@link JdbcAttachments}). */
    <E extends LogEntry> E appendEntry(
            Tx tx,
            String conversationId,
            EventKind kind,
            String actorId,
            long now,
            List<String> recipients,
            Function<EventHeader, E> entry)
            throws SQLException {
        return append(tx, conversationId, kind, actorId, now, recipients, entry);
    }

    /**
     * Appends member_muted ({@code muted}, until {@code untilMillis}, null: until unmuted) or member_unmuted for
     * {@code memberId}, under the conversation's lock; {@link StoreException.NotFound} when the member is not one
     * ({@link JdbcModeration}).
     */
    LogEntry muteEvent(
            Tx tx, String conversationId, String actorId, String memberId, boolean muted, Long untilMillis, long now)
            throws SQLException {
        List<String> members = requireMember(tx, conversationId, memberId);
        return muted
                ? append(
                        tx,
                        conversationId,
                        EventKind.MEMBER_MUTED,
                        actorId,
                        now,
                        members,
                        h -> new LogEntry.MemberMuted(h, memberId, untilMillis))
                : append(
                        tx,
                        conversationId,
                        EventKind.MEMBER_UNMUTED,
                        actorId,
                        now,
                        members,
                        h -> new LogEntry.MemberUnmuted(h, memberId));
    }

    /**
     * {@link #audit} for the scanner's rejections ({@link JdbcAttachments}) and moderation ({@link JdbcModeration});
     * {@code seq} null: the action has no event of its own (a report).
     */
    void auditEntry(
            Tx tx,
            String conversationId,
            String actorId,
            String action,
            String messageId,
            String userId,
            Long seq,
            long now)
            throws SQLException {
        audit(tx, conversationId, actorId, action, messageId, userId, seq, now);
    }

    private <E extends LogEntry> E append(
            Tx tx,
            String conversationId,
            EventKind kind,
            String actorId,
            long now,
            List<String> recipients,
            Function<EventHeader, E> entry)
            throws SQLException {
        long seq = nextSeq(tx, conversationId, now);
        E e = entry.apply(new EventHeader(conversationId, seq, kind, now, actorId));
        insert(tx, e, recipients);
        return e;
    }

    private static void lock(Tx tx, String conversationId) throws SQLException {
        tx.lock(conversationId);
    }

    /** Locks the conversation, then checks membership: for edits, deletes and reactions. */
    private List<String> requireMember(Tx tx, String conversationId, String userId) throws SQLException {
        lock(tx, conversationId);
        List<String> members = q.memberIds(tx::ps, conversationId);
        if (!members.contains(userId)) {
            throw new StoreException.NotFound("conversation not found");
        }
        return members;
    }

    /** The message, deleted or not; {@link StoreException.MessageNotFound} when not in this conversation. */
    private MessageView message(Tx tx, String conversationId, String messageId) throws SQLException {
        return q.message(tx::ps, messageId)
                .filter(m -> m.conversationId().equals(conversationId))
                .orElseThrow(() -> new StoreException.MessageNotFound("message not found"));
    }

    /** The message if it is not deleted. */
    private MessageView liveMessage(Tx tx, String conversationId, String messageId) throws SQLException {
        MessageView m = message(tx, conversationId, messageId);
        if (m.deleted()) {
            throw new StoreException.MessageNotFound("message not found (deleted)");
        }
        return m;
    }

    /** Longest reply snippet, in code points, its ellipsis included (docs/protocol.md). */
    static final int SNIPPET_CHARS = 100;

    /** The parent's text when it fits in {@link #SNIPPET_CHARS}, else its first 99 code points and "…". */
    static String snippet(String body) {
        if (body.codePointCount(0, body.length()) <= SNIPPET_CHARS) {
            return body;
        }
        return body.substring(0, body.offsetByCodePoints(0, SNIPPET_CHARS - 1)) + "\u2026";
    }

    private boolean isGroup(Tx tx, String conversationId) throws SQLException {
        PreparedStatement ps = tx.ps(d.conversationKind);
        ps.setString(1, conversationId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() && ConversationKind.fromWire(rs.getString(1)) == ConversationKind.GROUP;
        }
    }

    private void audit(
            Tx tx,
            String conversationId,
            String actorId,
            String action,
            String messageId,
            String userId,
            Long seq,
            long now)
            throws SQLException {
        PreparedStatement ps = tx.ps(d.insertAudit);
        ps.setString(1, conversationId);
        ps.setString(2, actorId);
        ps.setString(3, action);
        Rows.setNullable(ps, 4, messageId);
        Rows.setNullable(ps, 5, userId);
        if (seq == null) {
            ps.setNull(6, java.sql.Types.BIGINT);
        } else {
            ps.setLong(6, seq);
        }
        ps.setLong(7, now);
        ps.executeUpdate();
    }

    private void countMembers(Tx tx, String conversationId, int delta) throws SQLException {
        PreparedStatement ps = tx.ps(d.memberCount);
        ps.setInt(1, delta);
        ps.setString(2, conversationId);
        ps.executeUpdate();
    }

    private void insert(Tx tx, LogEntry e, List<String> recipients) throws SQLException {
        PreparedStatement ps = tx.ps(d.insertEvent);
        Rows.bindEvent(ps, e);
        ps.executeUpdate();
        tx.emit(new Committed(e, recipients));
    }

    private long nextSeq(Tx tx, String conversationId, long now) throws SQLException {
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

    private Optional<String> directByKey(Tx tx, String key) throws SQLException {
        PreparedStatement ps = tx.ps(d.directByKey);
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    private boolean insertConversation(
            Tx tx, String id, ConversationKind kind, String title, String directKey, String createdBy, long now)
            throws SQLException {
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

    private void insertMember(Tx tx, String conversationId, String userId, Role role, long now) throws SQLException {
        PreparedStatement ps = tx.ps(d.insertMember);
        ps.setString(1, conversationId);
        ps.setString(2, userId);
        ps.setString(3, role.wire());
        ps.setLong(4, now);
        ps.setString(5, conversationId);
        if (ps.executeUpdate() == 1) {
            countMembers(tx, conversationId, 1);
        }
    }

    private void requireUsers(Tx tx, List<String> ids) throws SQLException {
        for (String id : ids) {
            if (q.userById(tx::ps, id).isEmpty()) {
                throw new StoreException.UnknownUser("user '" + id + "' not found");
            }
        }
    }

    private ConversationSummary summary(Tx tx, String id, String userId) throws SQLException {
        return q.summary(tx::ps, id, userId).orElseThrow(() -> new SQLException("conversation " + id + " vanished"));
    }
}
