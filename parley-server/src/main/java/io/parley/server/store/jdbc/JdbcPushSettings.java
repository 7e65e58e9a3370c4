package io.parley.server.store.jdbc;

import io.parley.server.push.PushSettings;
import io.parley.server.store.ConversationKind;
import io.parley.server.store.NotifyLevel;
import io.parley.server.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.concurrent.CompletableFuture;

/**
 * {@link PushSettings} on the chat store's writer and readers: the {@code notify} column of a member and the
 * {@code dnd_until} column of a user (V11). The SQL is the same on SQLite and PostgreSQL.
 */
final class JdbcPushSettings implements PushSettings {
    private static final String SET_NOTIFY = "UPDATE members SET notify = ? WHERE conversation_id = ? AND user_id = ?";
    private static final String KIND = "SELECT kind FROM conversations WHERE id = ?";
    private static final String DND = "SELECT dnd_until FROM users WHERE id = ?";
    private static final String SET_DND = "UPDATE users SET dnd_until = ? WHERE id = ?";

    private final Writer writer;
    private final Readers readers;

    JdbcPushSettings(Writer writer, Readers readers) {
        this.writer = writer;
        this.readers = readers;
    }

    @Override
    public CompletableFuture<ConversationKind> setNotify(String conversationId, String userId, NotifyLevel level) {
        return writer.submit(tx -> {
            PreparedStatement ps = tx.ps(SET_NOTIFY);
            Rows.setNullable(ps, 1, level == null ? null : level.wire());
            ps.setString(2, conversationId);
            ps.setString(3, userId);
            if (ps.executeUpdate() == 0) {
                throw new StoreException.NotFound("conversation not found");
            }
            PreparedStatement k = tx.ps(KIND);
            k.setString(1, conversationId);
            try (ResultSet rs = k.executeQuery()) {
                rs.next();
                return ConversationKind.fromWire(rs.getString(1));
            }
        });
    }

    @Override
    public CompletableFuture<Long> doNotDisturbUntil(String userId) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(DND);
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException.NotFound("no such user");
                }
                long v = rs.getLong(1);
                return rs.wasNull() ? null : v;
            }
        });
    }

    @Override
    public CompletableFuture<Void> setDoNotDisturbUntil(String userId, Long untilMillis) {
        return writer.submit(tx -> {
            PreparedStatement ps = tx.ps(SET_DND);
            if (untilMillis == null) {
                ps.setNull(1, Types.BIGINT);
            } else {
                ps.setLong(1, untilMillis);
            }
            ps.setString(2, userId);
            if (ps.executeUpdate() == 0) {
                throw new StoreException.NotFound("no such user");
            }
            return null;
        });
    }
}
