package io.parley.server.store.jdbc;

import java.util.List;

/**
 * Every SQL statement of the JDBC store, with placeholders. The statements are written to run on SQLite and
 * PostgreSQL alike (ON CONFLICT, RETURNING, no engine-specific functions); the dialects differ only in how a write
 * transaction starts and where their migrations live.
 */
class SqlDialect {
    /**
     * The longest a PostgreSQL writer waits for one lock. Another node holds a conversation only for one batch (a few
     * milliseconds); a wait this long means that node is stuck, and the batch backs off rather than queue behind it.
     */
    static final long LOCK_TIMEOUT_MILLIS = 2_000;

    /** SQLite has one writer at a time (BEGIN IMMEDIATE), so reading the conversation row is lock enough. */
    static final SqlDialect SQLITE = new SqlDialect(
            "sqlite", "BEGIN IMMEDIATE", "SELECT 1 FROM conversations WHERE id = ?", null, null, null, List.of(), null);
    /**
     * Writers on several nodes: a batch locks the rows of all the conversations it writes to at its start, in id
     * order (the lock the UPDATE of {@link #nextSeq} takes anyway, so it is never upgraded); a write to a
     * conversation the batch did not declare takes its row lock first, then reads members and messages. No lock wait
     * lasts longer than {@link #LOCK_TIMEOUT_MILLIS}: then the batch rolls back and runs again (Writer).
     */
    static final SqlDialect POSTGRESQL = new SqlDialect(
            "postgresql",
            "BEGIN",
            "SELECT 1 FROM conversations WHERE id = ? FOR NO KEY UPDATE",
            "SELECT id FROM conversations WHERE id = ANY(?) ORDER BY id FOR NO KEY UPDATE",
            "SELECT id FROM conversations WHERE id = ANY(?) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
            "SELECT id FROM conversations WHERE id = ANY(?)",
            List.of("SET lock_timeout = '" + LOCK_TIMEOUT_MILLIS + "ms'"),
            postgresAppendMessage());

    final String name;
    /** Starts a write transaction (SQLite: take the write lock up front so the batch cannot hit SQLITE_BUSY midway). */
    final String begin;

    /**
     * Taken at the start of every write to a conversation's log, before its members or messages are read, so that a
     * membership change or deletion committed by another node cannot slip between the check and the append.
     */
    final String lockConversation;

    /** Locks a set of conversations (an array parameter) in id order, returning the ids it found; null: no locks. */
    final String lockConversations;

    /**
     * As {@link #lockConversations}, skipping rows another transaction holds (another node's batch): the batch runs
     * without the writes to those conversations, which go in its next batch (Writer). Null: never skip.
     */
    final String lockFreeConversations;

    /** Which of a set of conversations exist (no lock): tells a row another node holds from an unknown id. */
    final String existingConversations;

    /** Run once on every new writer connection. */
    final List<String> writerSession;

    /**
     * A new message in ONE statement (one round trip instead of four), or null: the idempotency check, the members,
     * the replied-to message, the next seq and the insert, each step only when the ones before it allow. Parameters:
     * conversation, sender, clientMsgId, messageId, body, createdAt, replyTo (nullable). One row: members (array),
     * the new seq and reply snippet (null when nothing was inserted), whether the replied-to message exists in the
     * conversation and whether it is deleted, then the earlier event with the same clientMsgId in
     * {@link #EVENT_COLUMNS} order (all null when none). Run under the conversation's row lock: the members it reads
     * cannot change before the commit.
     */
    final String appendMessage;

    SqlDialect(
            String name,
            String begin,
            String lockConversation,
            String lockConversations,
            String lockFreeConversations,
            String existingConversations,
            List<String> writerSession,
            String appendMessage) {
        this.name = name;
        this.begin = begin;
        this.lockConversation = lockConversation;
        this.lockConversations = lockConversations;
        this.lockFreeConversations = lockFreeConversations;
        this.existingConversations = existingConversations;
        this.writerSession = writerSession;
        this.appendMessage = appendMessage;
    }

    private static String postgresAppendMessage() {
        int n = WriteOps.SNIPPET_CHARS;
        return "WITH p AS (SELECT ?::text AS conv, ?::text AS sender, ?::text AS cmid, ?::text AS mid, ?::text AS body, "
                + "?::bigint AS at, ?::text AS reply_to), "
                + "dup AS (SELECT " + EVENT_COLUMNS + " FROM events WHERE actor_id = (SELECT sender FROM p) "
                + "AND client_msg_id = (SELECT cmid FROM p)), "
                + "mem AS (SELECT array_agg(user_id) AS ids FROM members WHERE conversation_id = (SELECT conv FROM p)), "
                + "parent AS (SELECT COALESCE(edited_body, body) AS body, deleted_at FROM events WHERE kind = 'message' "
                + "AND message_id = (SELECT reply_to FROM p) AND conversation_id = (SELECT conv FROM p)), "
                + "go AS (SELECT NOT EXISTS (SELECT 1 FROM dup) "
                + "AND (SELECT sender FROM p) = ANY (COALESCE((SELECT ids FROM mem), '{}')) "
                + "AND ((SELECT reply_to FROM p) IS NULL OR EXISTS (SELECT 1 FROM parent WHERE deleted_at IS NULL)) AS ok), "
                + "seq AS (UPDATE conversations SET last_seq = last_seq + 1, last_activity = (SELECT at FROM p) "
                + "WHERE id = (SELECT conv FROM p) AND (SELECT ok FROM go) RETURNING last_seq), "
                + "ins AS (INSERT INTO events (" + EVENT_INSERT_COLUMNS + ") SELECT p.conv, seq.last_seq, 'message', "
                + "p.at, p.sender, p.mid, p.cmid, p.body, NULL, NULL, NULL, NULL, p.reply_to, "
                + "(SELECT CASE WHEN char_length(body) <= " + n + " THEN body ELSE left(body, " + (n - 1)
                + ") || '\u2026' END "
                + "FROM parent) FROM p, seq RETURNING seq, reply_snippet) "
                + "SELECT (SELECT ids FROM mem), (SELECT seq FROM ins), (SELECT reply_snippet FROM ins), "
                + "EXISTS (SELECT 1 FROM parent), EXISTS (SELECT 1 FROM parent WHERE deleted_at IS NOT NULL), dup.* "
                + "FROM (SELECT 1) one LEFT JOIN dup ON true";
    }

    /** False for SQLite: one writer holds the database's write lock for the whole batch, so row locks add nothing. */
    boolean concurrentWriters() {
        return this != SQLITE;
    }

    String migrationLocation() {
        return "classpath:db/migration/" + name;
    }

    // users
    final String insertUser = "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)";
    final String provisionUser =
            "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, NULL, NULL, ?) "
                    + "ON CONFLICT (id) DO NOTHING";
    final String userById = "SELECT id, username, created_at, display_name FROM users WHERE id = ?";
    final String userByName = "SELECT id, username, created_at, display_name FROM users WHERE username = ?";
    final String setDisplayName = "UPDATE users SET display_name = ? WHERE id = ?";
    /** Prefix search, case-insensitive for ASCII in both dialects (lower() and a LIKE with escaped wildcards). */
    final String searchUsers = "SELECT id, username, created_at, display_name FROM users "
            + "WHERE username IS NOT NULL AND (lower(username) LIKE ? ESCAPE '!' OR lower(display_name) LIKE ? ESCAPE '!') "
            + "ORDER BY username LIMIT ?";

    final String credentials = "SELECT id, username, password_hash, banned_at FROM users WHERE username = ?";
    final String setPasswordHash = "UPDATE users SET password_hash = ? WHERE id = ?";
    final String ban = "UPDATE users SET banned_at = ? WHERE id = ? AND banned_at IS NULL";
    final String unban = "UPDATE users SET banned_at = NULL WHERE id = ? AND banned_at IS NOT NULL";
    final String bannedUsers = "SELECT id FROM users WHERE banned_at IS NOT NULL";
    final String usernameTaken = "SELECT 1 FROM users WHERE username = ?";

    // conversations
    final String insertConversation = "INSERT INTO conversations (id, kind, title, direct_key, created_by, created_at, "
            + "last_seq, last_activity) VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING";
    final String directByKey = "SELECT id FROM conversations WHERE direct_key = ?";
    final String nextSeq =
            "UPDATE conversations SET last_seq = last_seq + 1, last_activity = ? WHERE id = ? RETURNING last_seq";
    final String conversationRow =
            "SELECT id, kind, title, created_by, created_at, last_seq FROM conversations WHERE id = ?";
    final String conversationsOfUser =
            "SELECT c.id, c.kind, c.title, c.created_by, c.created_at, c.last_seq, m.read_seq "
                    + "FROM members m JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ? "
                    + "ORDER BY c.last_activity DESC, c.id";
    final String lastSeqs = "SELECT c.id, c.last_seq FROM members m JOIN conversations c ON c.id = m.conversation_id "
            + "WHERE m.user_id = ?";

    // members
    /**
     * A newcomer joins at the log's last seq: history is not unread (read_seq), it was not delivered to them live
     * but is theirs to read (delivered_seq, so that delivered >= read holds), and per-message receipts leave them out
     * of every message up to it (joined_seq).
     */
    final String insertMember = "INSERT INTO members (conversation_id, user_id, role, joined_at, read_seq, "
            + "delivered_seq, joined_seq) SELECT ?, ?, ?, ?, last_seq, last_seq, last_seq FROM conversations WHERE id = ? "
            + "ON CONFLICT DO NOTHING";

    final String conversationExists = "SELECT 1 FROM conversations WHERE id = ?";
    final String memberIds = "SELECT user_id FROM members WHERE conversation_id = ?";
    final String membersWithNames =
            "SELECT m.user_id, u.username, m.role, m.joined_at, m.read_seq, m.delivered_seq, m.joined_seq, "
                    + "u.display_name FROM members m "
                    + "LEFT JOIN users u ON u.id = m.user_id WHERE m.conversation_id = ? ORDER BY m.joined_at, m.user_id";
    final String roleOf = "SELECT role FROM members WHERE conversation_id = ? AND user_id = ?";
    final String deleteMember = "DELETE FROM members WHERE conversation_id = ? AND user_id = ?";
    final String updateRole = "UPDATE members SET role = ? WHERE conversation_id = ? AND user_id = ?";
    final String updateTitle = "UPDATE conversations SET title = ? WHERE id = ?";
    final String memberCount = "UPDATE conversations SET member_count = member_count + ? WHERE id = ?";

    // receipts: the new values are computed from receiptCursor; the WHERE keeps them monotonic under concurrent writers
    final String receiptCursor = "SELECT m.delivered_seq, m.read_seq, c.last_seq, c.member_count FROM members m "
            + "JOIN conversations c ON c.id = m.conversation_id WHERE m.conversation_id = ? AND m.user_id = ?";
    final String updateReceipt = "UPDATE members SET delivered_seq = ?, read_seq = ?, receipt_at = ? "
            + "WHERE conversation_id = ? AND user_id = ? AND delivered_seq <= ? AND read_seq <= ?";
    final String receiptsSince = "SELECT m2.conversation_id, m2.user_id, m2.delivered_seq, m2.read_seq FROM members m1 "
            + "JOIN conversations c ON c.id = m1.conversation_id "
            + "JOIN members m2 ON m2.conversation_id = m1.conversation_id "
            + "WHERE m1.user_id = ? AND m2.receipt_at > ? AND (c.member_count <= ? OR m2.user_id = m1.user_id) "
            + "ORDER BY m2.conversation_id, m2.user_id";

    /** Contacts of up to {@link #CONTACTS_CHUNK} users at once (unused slots repeat the last id). */
    static final int CONTACTS_CHUNK = 100;

    final String contacts = "SELECT DISTINCT m1.user_id, m2.user_id FROM members m1 "
            + "JOIN conversations c ON c.id = m1.conversation_id AND c.member_count <= ? "
            // Stranger conversations (ids 's_...') make no contacts: the partner's presence would carry their id.
            + "AND substr(c.id, 1, 2) <> 's_' "
            + "JOIN members m2 ON m2.conversation_id = m1.conversation_id AND m2.user_id <> m1.user_id "
            + "WHERE m1.user_id IN (" + "?, ".repeat(CONTACTS_CHUNK - 1) + "?)";

    // events
    static final String EVENT_INSERT_COLUMNS =
            "conversation_id, seq, kind, created_at, actor_id, message_id, client_msg_id, "
                    + "body, member_id, role, title, emoji, reply_to, reply_snippet";
    /** {@link #EVENT_INSERT_COLUMNS} and whether the message was deleted, in {@link Rows#event} order. */
    static final String EVENT_COLUMNS = EVENT_INSERT_COLUMNS + ", deleted_at";

    final String insertEvent =
            "INSERT INTO events (" + EVENT_INSERT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    final String eventByClientMsgId =
            "SELECT " + EVENT_COLUMNS + " FROM events WHERE actor_id = ? AND client_msg_id = ?";
    final String eventsAfter =
            "SELECT " + EVENT_COLUMNS + " FROM events WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?";
    final String eventsBefore =
            "SELECT " + EVENT_COLUMNS + " FROM events WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?";
    final String lastMessage = "SELECT " + EVENT_COLUMNS
            + " FROM events WHERE conversation_id = ? AND kind = 'message' " + "ORDER BY seq DESC LIMIT 1";
    /** The member's chosen notify level (NULL: the default of the conversation's kind). */
    final String memberNotify = "SELECT notify FROM members WHERE conversation_id = ? AND user_id = ?";

    final String unreadCount = "SELECT COUNT(*) FROM events WHERE conversation_id = ? AND seq > ? AND kind = 'message' "
            + "AND actor_id <> ? AND deleted_at IS NULL";

    // messages (rows of kind 'message'): their current state
    static final String MESSAGE_COLUMNS = "conversation_id, seq, message_id, actor_id, client_msg_id, "
            + "COALESCE(edited_body, body), created_at, edited_at, deleted_at, reply_to, reply_snippet";
    final String messageRow = "SELECT " + MESSAGE_COLUMNS + " FROM events WHERE message_id = ? AND kind = 'message'";
    final String messagesBefore = "SELECT " + MESSAGE_COLUMNS
            + " FROM events WHERE conversation_id = ? AND kind = 'message' " + "AND seq < ? ORDER BY seq DESC LIMIT ?";
    final String messagesAfter = "SELECT " + MESSAGE_COLUMNS
            + " FROM events WHERE conversation_id = ? AND kind = 'message' " + "AND seq > ? ORDER BY seq LIMIT ?";
    final String replies = "SELECT " + MESSAGE_COLUMNS + " FROM events WHERE conversation_id = ? AND reply_to = ? "
            + "AND kind = 'message' AND seq > ? ORDER BY seq LIMIT ?";
    final String versions = "SELECT seq, body, created_at FROM events WHERE message_id = ? "
            + "AND kind IN ('message', 'message_edited') AND deleted_at IS NULL ORDER BY seq";
    final String setEditedBody =
            "UPDATE events SET edited_body = ?, edited_at = ? WHERE message_id = ? AND kind = 'message'";
    final String scrubMessage =
            "UPDATE events SET body = NULL, edited_body = NULL, deleted_at = ? WHERE message_id = ? "
                    + "AND kind IN ('message', 'message_edited', 'attachment')";
    final String scrubSnippets = "UPDATE events SET reply_snippet = NULL WHERE conversation_id = ? AND reply_to = ?";

    // reactions
    final String insertReaction = "INSERT INTO reactions (conversation_id, message_id, user_id, emoji, created_at) "
            + "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    final String deleteReaction = "DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?";
    final String deleteReactions = "DELETE FROM reactions WHERE message_id = ?";
    final String reactionsOf = "SELECT emoji, user_id FROM reactions WHERE message_id = ? ORDER BY created_at, user_id";

    // audit log
    final String insertAudit = "INSERT INTO audit_log (conversation_id, actor_id, action, target_message_id, "
            + "target_user_id, seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
    final String auditLog = "SELECT id, conversation_id, actor_id, action, target_message_id, target_user_id, seq, "
            + "created_at FROM audit_log WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    final String conversationKind = "SELECT kind FROM conversations WHERE id = ?";

    // talk to a stranger (V13)
    final String insertStrangerAlias =
            "INSERT INTO stranger_aliases (conversation_id, user_id, alias) VALUES (?, ?, ?)";
    final String strangerAliases = "SELECT user_id, alias FROM stranger_aliases WHERE conversation_id = ?";
    final String insertMatchBlock = "INSERT INTO match_blocks (user_id, blocked_id, created_at) VALUES (?, ?, ?) "
            + "ON CONFLICT (user_id, blocked_id) DO NOTHING";
    final String matchBlocks = "SELECT user_id, blocked_id FROM match_blocks";
}
