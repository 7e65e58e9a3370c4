package io.parley.server.store.jdbc;

import io.parley.server.store.Committed;
import io.parley.server.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a write operation sees of the {@link Writer}'s transaction: statements cached on the writer's connection, the
 * conversations the batch locked at its start, and a place to emit the events it appended. Used on the writer
 * thread only.
 */
final class Tx {
    private static final Logger LOG = LoggerFactory.getLogger(Tx.class);

    private final Connection connection;
    private final SqlDialect dialect;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    /** Conversations this transaction locked at its start (PostgreSQL). */
    final Set<String> locked = new HashSet<>();
    /** Where {@link #emit} puts events: the running job's list. */
    List<Committed> emitted;

    Tx(Connection connection, SqlDialect dialect) {
        this.connection = connection;
        this.dialect = dialect;
    }

    PreparedStatement ps(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    void emit(Committed e) {
        emitted.add(e);
    }

    /** True when the batch already holds this conversation's row lock. */
    boolean holds(String conversationId) {
        return locked.contains(conversationId);
    }

    /**
     * See {@link SqlDialect#lockConversation}; nothing to do when the batch locked it at its start.
     * {@link StoreException.NotFound} when there is no such conversation.
     */
    void lock(String conversationId) throws SQLException {
        if (holds(conversationId)) {
            return;
        }
        PreparedStatement ps = ps(dialect.lockConversation);
        ps.setString(1, conversationId);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException.NotFound("conversation not found");
            }
        }
    }

    void closeStatements() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                LOG.warn("closing statement failed", e);
            }
        }
        statements.clear();
    }
}
