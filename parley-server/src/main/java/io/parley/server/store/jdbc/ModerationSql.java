package io.parley.server.store.jdbc;

/**
 * The statements of {@link JdbcModeration}, with placeholders; written to run on SQLite and PostgreSQL alike. Tables:
 * migration V12 ({@code admin_audit}, {@code mutes}, {@code reports}, {@code users.admin_at}) and V15
 * ({@code moderation_queue}).
 */
final class ModerationSql {
    private ModerationSql() {}

    static final String grantAdmin = "UPDATE users SET admin_at = ? WHERE id = ? AND admin_at IS NULL";
    static final String revokeAdmin = "UPDATE users SET admin_at = NULL WHERE id = ? AND admin_at IS NOT NULL";
    static final String admins = "SELECT id FROM users WHERE admin_at IS NOT NULL";

    static final String AUDIT_COLUMNS =
            "actor_id, action, target_user_id, conversation_id, target_message_id, detail, created_at";
    static final String insertAudit = "INSERT INTO admin_audit (" + AUDIT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)";
    static final String auditLog =
            "SELECT id, " + AUDIT_COLUMNS + " FROM admin_audit WHERE id < ? ORDER BY id DESC LIMIT ?";

    static final String upsertMute = "INSERT INTO mutes (conversation_id, user_id, until_at, muted_by, created_at)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id, user_id) DO UPDATE SET until_at = excluded.until_at,"
            + " muted_by = excluded.muted_by, created_at = excluded.created_at";
    static final String muteOf = "SELECT until_at FROM mutes WHERE conversation_id = ? AND user_id = ?";
    static final String deleteMute = "DELETE FROM mutes WHERE conversation_id = ? AND user_id = ?";
    static final String mutesInForce = "SELECT conversation_id, user_id, until_at, muted_by, created_at FROM mutes"
            + " WHERE until_at IS NULL OR until_at > ?";

    static final String REPORT_COLUMNS = "id, conversation_id, message_id, sender_id, reporter_id, reason, created_at";
    static final String messageSender =
            "SELECT actor_id FROM events WHERE conversation_id = ? AND message_id = ? AND kind = 'message'";
    static final String reportOf =
            "SELECT " + REPORT_COLUMNS + " FROM reports WHERE message_id = ? AND reporter_id = ?";
    static final String insertReport = "INSERT INTO reports (conversation_id, message_id, sender_id, reporter_id,"
            + " reason, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
    static final String reports = "SELECT " + REPORT_COLUMNS + " FROM reports WHERE id < ? ORDER BY id DESC LIMIT ?";
    /** Message reports plus stranger-chat reports in the queue, per reported user. */
    static final String reportCounts = "SELECT sender_id, COUNT(*) FROM (SELECT sender_id FROM reports"
            + " UNION ALL SELECT sender_id FROM moderation_queue WHERE kind = 'report') r GROUP BY sender_id";

    static final String QUEUE_COLUMNS = "id, kind, conversation_id, sender_id, reporter_id, client_msg_id, message_id,"
            + " body, reply_to, reason, status, seq, decided_by, decided_at, note, created_at";
    static final String insertQueued = "INSERT INTO moderation_queue (kind, conversation_id, sender_id, reporter_id,"
            + " client_msg_id, message_id, body, reply_to, reason, status, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)"
            + " ON CONFLICT (sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL DO NOTHING RETURNING id";
    static final String queuedByClientMsgId =
            "SELECT " + QUEUE_COLUMNS + " FROM moderation_queue WHERE sender_id = ? AND client_msg_id = ?";
    static final String queuedById = "SELECT " + QUEUE_COLUMNS + " FROM moderation_queue WHERE id = ?";
    static final String queue =
            "SELECT " + QUEUE_COLUMNS + " FROM moderation_queue WHERE id < ? ORDER BY id DESC LIMIT ?";
    static final String queueByStatus =
            "SELECT " + QUEUE_COLUMNS + " FROM moderation_queue WHERE status = ? AND id < ? ORDER BY id DESC LIMIT ?";
    static final String decideQueued = "UPDATE moderation_queue SET status = ?, seq = ?, decided_by = ?,"
            + " decided_at = ?, note = ? WHERE id = ? AND status = 'pending'";
    static final String liveMessage = "SELECT 1 FROM events WHERE conversation_id = ? AND message_id = ?"
            + " AND kind = 'message' AND deleted_at IS NULL";
}
