package io.parley.server.store.jdbc;

import io.parley.server.store.Appended;
import io.parley.server.store.LogEntry;
import io.parley.server.store.ModerationStore;
import io.parley.server.store.NewMessage;
import io.parley.server.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@link ModerationStore} on the {@link JdbcChatStore}'s {@link Writer} and {@link Readers}: every write is one job of
 * the writer's batches, its audit entries (and a mute's member_muted or member_unmuted event, published after the
 * commit as every event is) in the same transaction.
 */
final class JdbcModeration implements ModerationStore {
    private final Writer writer;
    private final Readers readers;
    private final WriteOps ops;
    private final Queries q;

    JdbcModeration(Writer writer, Readers readers, WriteOps ops, Queries q) {
        this.writer = writer;
        this.readers = readers;
        this.ops = ops;
        this.q = q;
    }

    @Override
    public CompletableFuture<Boolean> setAdmin(String actorId, String userId, boolean admin, long nowMillis) {
        return writer.submit(tx -> {
            PreparedStatement ps = tx.ps(admin ? ModerationSql.grantAdmin : ModerationSql.revokeAdmin);
            if (admin) {
                ps.setLong(1, nowMillis);
                ps.setString(2, userId);
            } else {
                ps.setString(1, userId);
            }
            if (ps.executeUpdate() == 0) {
                if (q.userById(tx::ps, userId).isEmpty()) {
                    throw new StoreException.UnknownUser("no user '" + userId + "'");
                }
                return false;
            }
            insertAudit(
                    tx,
                    new AdminAudit(
                            0, actorId, admin ? "grant_admin" : "revoke_admin", userId, null, null, null, nowMillis));
            return true;
        });
    }

    @Override
    public CompletableFuture<Set<String>> admins() {
        return readers.read(sql -> {
            Set<String> ids = new HashSet<>();
            try (ResultSet rs = sql.ps(ModerationSql.admins).executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    @Override
    public CompletableFuture<Boolean> ban(String actorId, String userId, boolean banned, long nowMillis) {
        return writer.submit(tx -> {
            boolean changed = ops.setBanned(tx, userId, banned, nowMillis);
            if (changed) {
                insertAudit(
                        tx, new AdminAudit(0, actorId, banned ? "ban" : "unban", userId, null, null, null, nowMillis));
            }
            return changed;
        });
    }

    @Override
    public CompletableFuture<Void> audit(AdminAudit entry) {
        return writer.submit(tx -> {
            insertAudit(tx, entry);
            return null;
        });
    }

    @Override
    public CompletableFuture<List<AdminAudit>> auditLog(long beforeId, int limit) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(ModerationSql.auditLog);
            ps.setLong(1, beforeId);
            ps.setInt(2, limit);
            List<AdminAudit> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new AdminAudit(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getLong(8)));
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Mute> mute(
            String conversationId, String actorId, String userId, Long untilMillis, long nowMillis) {
        return writer.submit(conversationId, tx -> {
            LogEntry e = ops.muteEvent(tx, conversationId, actorId, userId, true, untilMillis, nowMillis);
            PreparedStatement ps = tx.ps(ModerationSql.upsertMute);
            ps.setString(1, conversationId);
            ps.setString(2, userId);
            if (untilMillis == null) {
                ps.setNull(3, Types.BIGINT);
            } else {
                ps.setLong(3, untilMillis);
            }
            ps.setString(4, actorId);
            ps.setLong(5, nowMillis);
            ps.executeUpdate();
            String until = untilMillis == null
                    ? null
                    : java.time.Instant.ofEpochMilli(untilMillis).toString();
            audited(tx, conversationId, actorId, "member_muted", userId, null, until, e.seq(), nowMillis);
            return new Mute(conversationId, userId, untilMillis, actorId, nowMillis);
        });
    }

    @Override
    public CompletableFuture<Boolean> unmute(String conversationId, String actorId, String userId, long nowMillis) {
        return writer.submit(conversationId, tx -> {
            if (q.roleOf(tx::ps, conversationId, userId).isEmpty()) {
                throw new StoreException.NotFound("conversation not found");
            }
            PreparedStatement read = tx.ps(ModerationSql.muteOf);
            read.setString(1, conversationId);
            read.setString(2, userId);
            boolean inForce;
            try (ResultSet rs = read.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                long until = rs.getLong(1);
                inForce = rs.wasNull() || until > nowMillis;
            }
            PreparedStatement del = tx.ps(ModerationSql.deleteMute);
            del.setString(1, conversationId);
            del.setString(2, userId);
            del.executeUpdate();
            if (inForce) {
                LogEntry e = ops.muteEvent(tx, conversationId, actorId, userId, false, null, nowMillis);
                audited(tx, conversationId, actorId, "member_unmuted", userId, null, null, e.seq(), nowMillis);
            }
            return inForce;
        });
    }

    @Override
    public CompletableFuture<List<Mute>> mutes(long nowMillis) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(ModerationSql.mutesInForce);
            ps.setLong(1, nowMillis);
            List<Mute> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long until = rs.getLong(3);
                    Long u = rs.wasNull() ? null : until;
                    out.add(new Mute(rs.getString(1), rs.getString(2), u, rs.getString(4), rs.getLong(5)));
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Report> report(
            String conversationId, String reporterId, String messageId, String reason, long nowMillis) {
        return writer.submit(tx -> {
            requireMember(tx, conversationId, reporterId);
            PreparedStatement sender = tx.ps(ModerationSql.messageSender);
            sender.setString(1, conversationId);
            sender.setString(2, messageId);
            String senderId;
            try (ResultSet rs = sender.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException.MessageNotFound("message not found");
                }
                senderId = rs.getString(1);
            }
            PreparedStatement before = tx.ps(ModerationSql.reportOf);
            before.setString(1, messageId);
            before.setString(2, reporterId);
            try (ResultSet rs = before.executeQuery()) {
                if (rs.next()) {
                    return report(rs, false);
                }
            }
            PreparedStatement ps = tx.ps(ModerationSql.insertReport);
            ps.setString(1, conversationId);
            ps.setString(2, messageId);
            ps.setString(3, senderId);
            ps.setString(4, reporterId);
            ps.setString(5, reason);
            ps.setLong(6, nowMillis);
            long id;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            audited(tx, conversationId, reporterId, "message_reported", senderId, messageId, reason, null, nowMillis);
            return new Report(id, conversationId, messageId, senderId, reporterId, reason, nowMillis, true);
        });
    }

    @Override
    public CompletableFuture<List<Report>> reports(long beforeId, int limit) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(ModerationSql.reports);
            ps.setLong(1, beforeId);
            ps.setInt(2, limit);
            List<Report> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(report(rs, false));
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Map<String, Integer>> reportCounts() {
        return readers.read(sql -> {
            Map<String, Integer> out = new HashMap<>();
            try (ResultSet rs = sql.ps(ModerationSql.reportCounts).executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getInt(2));
                }
            }
            return out;
        });
    }

    // ---- the moderation queue --------------------------------------------------------------------------------------

    /** The actor of the audit entry of a hold: the reputation rule, not a person. */
    static final String REPUTATION_ACTOR = "system:reputation";

    @Override
    public CompletableFuture<Hold> hold(NewMessage m, String reason) {
        return writer.submit(tx -> {
            Optional<LogEntry.MessagePosted> posted = ops.messageByClientMsgId(tx, m.senderId(), m.clientMsgId());
            if (posted.isPresent()) {
                return new Hold(null, new Appended(posted.get(), true), true);
            }
            Optional<QueueItem> before = queued(tx, m.senderId(), m.clientMsgId());
            if (before.isPresent()) {
                return new Hold(before.get(), null, true);
            }
            requireMember(tx, m.conversationId(), m.senderId());
            if (m.replyTo() != null && !live(tx, m.conversationId(), m.replyTo())) {
                throw new StoreException.MessageNotFound("message not found");
            }
            Long id = insertQueued(
                    tx,
                    HELD,
                    m.conversationId(),
                    m.senderId(),
                    null,
                    m.clientMsgId(),
                    m.messageId(),
                    m.body(),
                    m.replyTo(),
                    reason,
                    m.createdAt());
            if (id == null) {
                // Another node held the same retry a moment ago (the unique index): that entry is the answer.
                return new Hold(queued(tx, m.senderId(), m.clientMsgId()).orElseThrow(), null, true);
            }
            insertAudit(
                    tx,
                    new AdminAudit(
                            0,
                            REPUTATION_ACTOR,
                            "message_held",
                            m.senderId(),
                            m.conversationId(),
                            m.messageId(),
                            reason,
                            m.createdAt()));
            return new Hold(byId(tx::ps, id).orElseThrow(), null, false);
        });
    }

    @Override
    public CompletableFuture<QueueItem> queueReport(
            String conversationId,
            String reporterId,
            String reportedId,
            String reason,
            String messages,
            long nowMillis) {
        return writer.submit(tx -> {
            requireMember(tx, conversationId, reporterId);
            Long id = insertQueued(
                    tx, REPORT, conversationId, reportedId, reporterId, null, null, messages, null, reason, nowMillis);
            insertAudit(
                    tx,
                    new AdminAudit(
                            0, reporterId, "stranger_reported", reportedId, conversationId, null, reason, nowMillis));
            return byId(tx::ps, id).orElseThrow();
        });
    }

    @Override
    public CompletableFuture<List<QueueItem>> queue(String status, long beforeId, int limit) {
        return readers.read(sql -> {
            PreparedStatement ps;
            if (status == null) {
                ps = sql.ps(ModerationSql.queue);
                ps.setLong(1, beforeId);
                ps.setInt(2, limit);
            } else {
                ps = sql.ps(ModerationSql.queueByStatus);
                ps.setString(1, status);
                ps.setLong(2, beforeId);
                ps.setInt(3, limit);
            }
            List<QueueItem> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(queueItem(rs));
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Optional<Decision>> decide(
            long id, String actorId, boolean approve, String note, long nowMillis) {
        // The conversation first (a read), so that the decision's batch locks it as an append's does.
        return readers.read(sql -> byId(sql, id)).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<Decision>empty());
            }
            String conversationId = found.get().conversationId();
            return writer.submit(conversationId, tx -> Optional.of(decide(tx, id, actorId, approve, note, nowMillis)));
        });
    }

    private Decision decide(Tx tx, long id, String actorId, boolean approve, String note, long now)
            throws SQLException {
        QueueItem item = byId(tx::ps, id).orElseThrow(() -> new StoreException.NotFound("no queue entry " + id));
        if (!PENDING.equals(item.status())) {
            throw new StoreException.Conflict("queue entry " + id + " is " + item.status() + " already");
        }
        Appended appended = null;
        if (approve && HELD.equals(item.kind())) {
            Optional<LogEntry.MessagePosted> posted = ops.messageByClientMsgId(tx, item.senderId(), item.clientMsgId());
            if (posted.isPresent()) {
                appended = new Appended(posted.get(), true);
            } else {
                if (q.roleOf(tx::ps, item.conversationId(), item.senderId()).isEmpty()) {
                    throw new StoreException.Conflict(
                            "the sender is no longer a member of the conversation: reject the message instead");
                }
                if (item.replyTo() != null && !live(tx, item.conversationId(), item.replyTo())) {
                    throw new StoreException.Conflict("the message it answers is gone: reject the message instead");
                }
                appended = ops.appendMessage(
                        tx,
                        new NewMessage(
                                item.conversationId(),
                                item.senderId(),
                                item.clientMsgId(),
                                item.body(),
                                item.messageId(),
                                now,
                                item.replyTo()));
            }
        }
        String status = approve ? APPROVED : REJECTED;
        PreparedStatement ps = tx.ps(ModerationSql.decideQueued);
        ps.setString(1, status);
        if (appended == null) {
            ps.setNull(2, Types.BIGINT);
        } else {
            ps.setLong(2, appended.event().seq());
        }
        ps.setString(3, actorId);
        ps.setLong(4, now);
        Rows.setNullable(ps, 5, note);
        ps.setLong(6, id);
        if (ps.executeUpdate() != 1) {
            throw new StoreException.Conflict("queue entry " + id + " is decided already");
        }
        String action = (HELD.equals(item.kind()) ? "message_" : "report_") + status;
        String detail = appended == null ? note : "seq " + appended.event().seq() + (note == null ? "" : ": " + note);
        insertAudit(
                tx,
                new AdminAudit(
                        0, actorId, action, item.senderId(), item.conversationId(), item.messageId(), detail, now));
        return new Decision(byId(tx::ps, id).orElseThrow(), appended);
    }

    private Long insertQueued(
            Tx tx,
            String kind,
            String conversationId,
            String senderId,
            String reporterId,
            String clientMsgId,
            String messageId,
            String body,
            String replyTo,
            String reason,
            long now)
            throws SQLException {
        PreparedStatement ps = tx.ps(ModerationSql.insertQueued);
        ps.setString(1, kind);
        ps.setString(2, conversationId);
        ps.setString(3, senderId);
        Rows.setNullable(ps, 4, reporterId);
        Rows.setNullable(ps, 5, clientMsgId);
        Rows.setNullable(ps, 6, messageId);
        ps.setString(7, body);
        Rows.setNullable(ps, 8, replyTo);
        Rows.setNullable(ps, 9, reason);
        ps.setLong(10, now);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    private static Optional<QueueItem> queued(Tx tx, String senderId, String clientMsgId) throws SQLException {
        PreparedStatement ps = tx.ps(ModerationSql.queuedByClientMsgId);
        ps.setString(1, senderId);
        ps.setString(2, clientMsgId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(queueItem(rs)) : Optional.empty();
        }
    }

    private static Optional<QueueItem> byId(Sql sql, long id) throws SQLException {
        PreparedStatement ps = sql.ps(ModerationSql.queuedById);
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(queueItem(rs)) : Optional.empty();
        }
    }

    private static boolean live(Tx tx, String conversationId, String messageId) throws SQLException {
        PreparedStatement ps = tx.ps(ModerationSql.liveMessage);
        ps.setString(1, conversationId);
        ps.setString(2, messageId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    private static QueueItem queueItem(ResultSet rs) throws SQLException {
        long seq = rs.getLong(12);
        Long s = rs.wasNull() ? null : seq;
        long decidedAt = rs.getLong(14);
        Long d = rs.wasNull() ? null : decidedAt;
        return new QueueItem(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getString(11),
                s,
                rs.getString(13),
                d,
                rs.getString(15),
                rs.getLong(16));
    }

    private static Report report(ResultSet rs, boolean created) throws SQLException {
        return new Report(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getLong(7),
                created);
    }

    private void requireMember(Tx tx, String conversationId, String userId) throws SQLException {
        if (q.roleOf(tx::ps, conversationId, userId).isEmpty()) {
            throw new StoreException.NotFound("conversation not found");
        }
    }

    /**
     * A conversation-scoped action: in the conversation's audit log (with the seq of its event, null when it has
     * none: a report) and the server-wide one.
     */
    private void audited(
            Tx tx,
            String conversationId,
            String actorId,
            String action,
            String userId,
            String messageId,
            String detail,
            Long seq,
            long now)
            throws SQLException {
        ops.auditEntry(tx, conversationId, actorId, action, messageId, userId, seq, now);
        insertAudit(tx, new AdminAudit(0, actorId, action, userId, conversationId, messageId, detail, now));
    }

    private static void insertAudit(Tx tx, AdminAudit e) throws SQLException {
        PreparedStatement ps = tx.ps(ModerationSql.insertAudit);
        ps.setString(1, e.actorId());
        ps.setString(2, e.action());
        Rows.setNullable(ps, 3, e.targetUserId());
        Rows.setNullable(ps, 4, e.conversationId());
        Rows.setNullable(ps, 5, e.targetMessageId());
        Rows.setNullable(ps, 6, e.detail());
        ps.setLong(7, e.createdAt());
        ps.executeUpdate();
    }
}
