package io.parley.server.store.jdbc;

/**
 * Every SQL statement of the JDBC store, with placeholders. The statements are written to run on SQLite and
 * PostgreSQL alike (ON CONFLICT, RETURNING); a dialect overrides only what differs.
 */
class SqlDialect {
    static final SqlDialect SQLITE = new SqlDialect("sqlite", "BEGIN IMMEDIATE");

    final String name;
    /** Starts a write transaction (SQLite: take the write lock up front so the batch cannot hit SQLITE_BUSY midway). */
    final String begin;

    SqlDialect(String name, String begin) {
        this.name = name;
        this.begin = begin;
    }

    String migrationLocation() {
        return "classpath:db/migration/" + name;
    }

    // users
    final String insertUser = "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)";
    final String provisionUser = "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, NULL, NULL, ?) "
            + "ON CONFLICT (id) DO NOTHING";
    final String userById = "SELECT id, username, created_at FROM users WHERE id = ?";
    final String userByName = "SELECT id, username, created_at FROM users WHERE username = ?";
    final String credentials = "SELECT id, username, password_hash FROM users WHERE username = ?";
    final String usernameTaken = "SELECT 1 FROM users WHERE username = ?";

    // conversations
    final String insertConversation = "INSERT INTO conversations (id, kind, title, direct_key, created_by, created_at, "
            + "last_seq, last_activity) VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING";
    final String directByKey = "SELECT id FROM conversations WHERE direct_key = ?";
    final String nextSeq = "UPDATE conversations SET last_seq = last_seq + 1, last_activity = ? WHERE id = ? RETURNING last_seq";
    final String conversationRow = "SELECT id, kind, title, created_by, created_at, last_seq FROM conversations WHERE id = ?";
    final String conversationsOfUser = "SELECT c.id, c.kind, c.title, c.created_by, c.created_at, c.last_seq, m.read_seq "
            + "FROM members m JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ? "
            + "ORDER BY c.last_activity DESC, c.id";
    final String lastSeqs = "SELECT c.id, c.last_seq FROM members m JOIN conversations c ON c.id = m.conversation_id "
            + "WHERE m.user_id = ?";

    // members
    /** A newcomer has read everything before joining: history is not unread. */
    final String insertMember = "INSERT INTO members (conversation_id, user_id, role, joined_at, read_seq) "
            + "VALUES (?, ?, ?, ?, (SELECT last_seq FROM conversations WHERE id = ?)) ON CONFLICT DO NOTHING";
    final String conversationExists = "SELECT 1 FROM conversations WHERE id = ?";
    final String memberIds = "SELECT user_id FROM members WHERE conversation_id = ?";
    final String membersWithNames = "SELECT m.user_id, u.username, m.role, m.joined_at, m.read_seq FROM members m "
            + "LEFT JOIN users u ON u.id = m.user_id WHERE m.conversation_id = ? ORDER BY m.joined_at, m.user_id";
    final String roleOf = "SELECT role FROM members WHERE conversation_id = ? AND user_id = ?";
    final String deleteMember = "DELETE FROM members WHERE conversation_id = ? AND user_id = ?";
    final String updateRole = "UPDATE members SET role = ? WHERE conversation_id = ? AND user_id = ?";
    final String markRead = "UPDATE members SET read_seq = MAX(read_seq, MIN(?, (SELECT last_seq FROM conversations WHERE id = ?))) "
            + "WHERE conversation_id = ? AND user_id = ? RETURNING read_seq";

    // events
    static final String EVENT_COLUMNS = "conversation_id, seq, kind, created_at, actor_id, message_id, client_msg_id, "
            + "body, member_id, role, title";
    final String insertEvent = "INSERT INTO events (" + EVENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    final String eventByClientMsgId = "SELECT " + EVENT_COLUMNS + " FROM events WHERE actor_id = ? AND client_msg_id = ?";
    final String eventsAfter = "SELECT " + EVENT_COLUMNS + " FROM events WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?";
    final String eventsBefore = "SELECT " + EVENT_COLUMNS + " FROM events WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?";
    final String lastMessage = "SELECT " + EVENT_COLUMNS + " FROM events WHERE conversation_id = ? AND kind = 'message' "
            + "ORDER BY seq DESC LIMIT 1";
    final String unreadCount = "SELECT COUNT(*) FROM events WHERE conversation_id = ? AND seq > ? AND kind = 'message' "
            + "AND actor_id <> ?";
}
