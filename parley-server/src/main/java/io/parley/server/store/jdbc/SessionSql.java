package io.parley.server.store.jdbc;

/**
 * The statements of {@link JdbcSessionStore}, with placeholders; written to run on SQLite and PostgreSQL alike.
 * Tables: migration V7 ({@code auth_sessions}, {@code refresh_tokens}, {@code revocations}, {@code push_devices}).
 */
final class SessionSql {
    private SessionSql() {}

    static final String SESSION_COLUMNS =
            "id, user_id, name, platform, created_at, last_seen_at, ip, user_agent, external, revoked_at";

    static final String insertSession = "INSERT INTO auth_sessions (" + SESSION_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (id) DO NOTHING";
    static final String sessionById = "SELECT " + SESSION_COLUMNS + " FROM auth_sessions WHERE id = ?";
    static final String liveSessionsOfUser = "SELECT " + SESSION_COLUMNS
            + " FROM auth_sessions WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at, id";
    static final String touch = "UPDATE auth_sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?";
    static final String revokeSession =
            "UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL";
    static final String deleteDevicesOfSession = "DELETE FROM push_devices WHERE session_id = ?";

    static final String insertRefresh =
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL)";
    static final String refreshByHash =
            "SELECT session_id, expires_at, used_at FROM refresh_tokens WHERE token_hash = ?";
    /** Marks the token used only if it is not yet: the row count tells which of two racing exchanges won. */
    static final String useRefresh = "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL";

    static final String insertRevocation =
            "INSERT INTO revocations (kind, target, user_id, at) VALUES (?, ?, ?, ?) RETURNING id";
    static final String revocationsSince =
            "SELECT id, kind, target, user_id, at FROM revocations WHERE at >= ? ORDER BY id";

    static final String DEVICE_COLUMNS = "id, user_id, session_id, platform, token, created_at";
    static final String liveSessionOfUser =
            "SELECT 1 FROM auth_sessions WHERE id = ? AND user_id = ? AND revoked_at IS NULL";
    /** A token seen before moves to the new session and user, keeping its id. */
    static final String upsertDevice = "INSERT INTO push_devices (" + DEVICE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (platform, token) DO UPDATE SET user_id = excluded.user_id,"
            + " session_id = excluded.session_id";

    static final String deviceByToken =
            "SELECT " + DEVICE_COLUMNS + " FROM push_devices WHERE platform = ? AND token = ?";
    static final String devicesOfUser =
            "SELECT " + DEVICE_COLUMNS + " FROM push_devices WHERE user_id = ? ORDER BY created_at, id";
    static final String deleteDevice = "DELETE FROM push_devices WHERE id = ? AND user_id = ?";
    static final String deleteDeviceToken = "DELETE FROM push_devices WHERE platform = ? AND token = ?";
}
