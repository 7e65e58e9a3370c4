package io.parley.server.store.jdbc;

import io.parley.protocol.EventKind;
import io.parley.server.store.Appended;
import io.parley.server.store.Committed;
import io.parley.server.store.EventHeader;
import io.parley.server.store.LogEntry;
import io.parley.server.store.NewMessage;
import io.parley.server.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * New messages on PostgreSQL: each is ONE statement ({@link SqlDialect#appendMessage}) that runs the checks of
 * {@link WriteOps#appendMessage} in the same order, and a batch's consecutive appends go out several to a round trip
 * (docs/architecture.md, "Writes from several nodes"). Used on the writer thread only.
 */
final class PostgresAppends {
    private final SqlDialect dialect;

    PostgresAppends(SqlDialect dialect) {
        this.dialect = dialect;
    }

    /** One append, alone (a batch that isolates its writes runs each in a savepoint). */
    Appended append(Tx tx, NewMessage m) throws SQLException {
        tx.lock(m.conversationId());
        PreparedStatement ps = tx.ps(appendStatement(1));
        bindAppend(ps, 0, m);
        try (ResultSet rs = ps.executeQuery()) {
            Read r = readAppend(rs, m);
            if (r.committed() != null) {
                tx.emit(r.committed());
            }
            return r.appended();
        }
    }

    /** Most appends in one multi-statement round trip (PostgreSQL). */
    static final int APPEND_CHUNK = 32;

    private final String[] appendStatements = new String[APPEND_CHUNK + 1];

    /**
     * Consecutive appends of one batch, in up to {@link #APPEND_CHUNK} statements per round trip: each statement sees
     * the ones before it (a retry of a message in the same batch, a reply to it), as one by one.
     */
    List<WriteGroup.Done> appendAll(Tx tx, List<NewMessage> messages) throws SQLException {
        List<WriteGroup.Done> out = new ArrayList<>(messages.size());
        List<NewMessage> chunk = new ArrayList<>(APPEND_CHUNK);
        List<Integer> slots = new ArrayList<>(APPEND_CHUNK);
        for (int i = 0; i < messages.size(); i++) {
            NewMessage m = messages.get(i);
            out.add(null);
            if (!tx.holds(m.conversationId())) {
                // Not locked by the batch: only an unknown conversation (every append declares its own).
                try {
                    tx.lock(m.conversationId());
                } catch (StoreException e) {
                    out.set(i, WriteGroup.Done.failed(e));
                    continue;
                }
            }
            chunk.add(m);
            slots.add(i);
            if (chunk.size() == APPEND_CHUNK || i == messages.size() - 1) {
                runAppendChunk(tx, chunk, slots, out);
                chunk.clear();
                slots.clear();
            }
        }
        if (!chunk.isEmpty()) {
            runAppendChunk(tx, chunk, slots, out);
        }
        return out;
    }

    private void runAppendChunk(Tx tx, List<NewMessage> chunk, List<Integer> slots, List<WriteGroup.Done> out)
            throws SQLException {
        PreparedStatement ps = tx.ps(appendStatement(chunk.size()));
        for (int k = 0; k < chunk.size(); k++) {
            bindAppend(ps, k * 7, chunk.get(k));
        }
        ps.execute();
        for (int k = 0; k < chunk.size(); k++) {
            NewMessage m = chunk.get(k);
            try (ResultSet rs = ps.getResultSet()) {
                if (rs == null) {
                    throw new SQLException("the append statement " + k + " of " + chunk.size() + " returned no rows");
                }
                Read r = readAppend(rs, m);
                out.set(
                        slots.get(k),
                        WriteGroup.Done.of(r.appended(), r.committed() == null ? List.of() : List.of(r.committed())));
            } catch (StoreException e) {
                out.set(slots.get(k), WriteGroup.Done.failed(e));
            }
            ps.getMoreResults();
        }
    }

    private String appendStatement(int n) {
        String sql = appendStatements[n];
        if (sql == null) {
            sql = String.join(";\n", java.util.Collections.nCopies(n, dialect.appendMessage));
            appendStatements[n] = sql;
        }
        return sql;
    }

    private static void bindAppend(PreparedStatement ps, int offset, NewMessage m) throws SQLException {
        ps.setString(offset + 1, m.conversationId());
        ps.setString(offset + 2, m.senderId());
        ps.setString(offset + 3, m.clientMsgId());
        ps.setString(offset + 4, m.messageId());
        ps.setString(offset + 5, m.body());
        ps.setLong(offset + 6, m.createdAt());
        Rows.setNullable(ps, offset + 7, m.replyTo());
    }

    /** The row of {@link SqlDialect#appendMessage}: the appended (or earlier) event, or the domain failure. */
    /** What one append statement answered: the result, and what its commit hands on (null for a duplicate). */
    private record Read(Appended appended, Committed committed) {}

    private static Read readAppend(ResultSet rs, NewMessage m) throws SQLException {
        if (!rs.next()) {
            throw new SQLException("the append statement returned no row");
        }
        // Columns 6.. hold the earlier event with this clientMsgId, if any.
        if (rs.getString(6) != null) {
            return new Read(new Appended((LogEntry.MessagePosted) Rows.event(rs, 5), true), null);
        }
        java.sql.Array ids = rs.getArray(1);
        List<String> members = ids == null ? List.of() : List.of((String[]) ids.getArray());
        long seq = rs.getLong(2);
        if (rs.wasNull()) {
            if (!members.contains(m.senderId())) {
                throw new StoreException.NotFound("conversation not found");
            }
            throw new StoreException.MessageNotFound(
                    rs.getBoolean(5) ? "message not found (deleted)" : "message not found");
        }
        LogEntry.MessagePosted e = new LogEntry.MessagePosted(
                new EventHeader(m.conversationId(), seq, EventKind.MESSAGE, m.createdAt(), m.senderId()),
                m.messageId(),
                m.clientMsgId(),
                m.body(),
                m.replyTo(),
                rs.getString(3),
                false);
        return new Read(new Appended(e, false), new Committed(e, members));
    }
}
