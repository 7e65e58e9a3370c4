package io.parley.server.store.jdbc;

import io.parley.server.store.ReceiptChange;
import io.parley.server.store.ReceiptUpdate;
import io.parley.server.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The receipt writes: each member's delivered and read cursors per conversation, which only move forward and append
 * no event to the log. Run by the {@link Writer} inside its savepoints, like {@link WriteOps}.
 */
final class ReceiptOps {
    private final SqlDialect d;
    private final Queries q;

    ReceiptOps(SqlDialect dialect, Queries queries) {
        this.d = dialect;
        this.q = queries;
    }

    long markRead(Tx tx, String conversationId, String userId, long seq) throws SQLException {
        Optional<ReceiptChange> change = updateReceipt(tx, new ReceiptUpdate(conversationId, userId, 0, seq), 0, 0);
        if (change.isPresent()) {
            return change.get().readSeq();
        }
        long[] cursor = receiptCursor(tx, conversationId, userId);
        if (cursor == null) {
            throw new StoreException.NotFound("conversation not found");
        }
        return cursor[1];
    }

    List<ReceiptChange> updateReceipts(Tx tx, List<ReceiptUpdate> updates, long now, int maxFanout)
            throws SQLException {
        List<ReceiptChange> out = new ArrayList<>();
        // In one order on every node, so two nodes moving the cursors of one user's devices lock member rows in the
        // same order (a deadlock that still happens rolls the batch back and runs it again: Writer).
        List<ReceiptUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(
                java.util.Comparator.comparing(ReceiptUpdate::conversationId).thenComparing(ReceiptUpdate::userId));
        for (ReceiptUpdate u : sorted) {
            updateReceipt(tx, u, now, maxFanout).ifPresent(out::add);
        }
        return out;
    }

    /** Moves the cursors forward; empty when nothing moved or the user is not a member. */
    private Optional<ReceiptChange> updateReceipt(Tx tx, ReceiptUpdate u, long now, int maxFanout) throws SQLException {
        // Another node may move the same cursors between the read and the write: then the guarded UPDATE matches no
        // row and we read again.
        for (int attempt = 0; attempt < 5; attempt++) {
            long[] c = receiptCursor(tx, u.conversationId(), u.userId());
            if (c == null) {
                return Optional.empty();
            }
            long delivered = c[0], read = c[1], last = c[2];
            long newRead = Math.max(read, Math.min(u.readSeq(), last));
            long newDelivered = Math.max(delivered, Math.min(Math.max(u.deliveredSeq(), newRead), last));
            if (newRead == read && newDelivered == delivered) {
                return Optional.empty();
            }
            PreparedStatement ps = tx.ps(d.updateReceipt);
            ps.setLong(1, newDelivered);
            ps.setLong(2, newRead);
            ps.setLong(3, now);
            ps.setString(4, u.conversationId());
            ps.setString(5, u.userId());
            ps.setLong(6, delivered);
            ps.setLong(7, read);
            if (ps.executeUpdate() == 1) {
                List<String> recipients = maxFanout > 0 && c[3] <= maxFanout
                        ? q.memberIds(tx::ps, u.conversationId())
                        : List.of(u.userId());
                return Optional.of(
                        new ReceiptChange(u.conversationId(), u.userId(), newDelivered, newRead, recipients));
            }
        }
        throw new SQLException("receipt cursors of " + u.userId() + " in " + u.conversationId() + " keep changing");
    }

    /** delivered, read, last seq, member count; null when not a member. */
    private long[] receiptCursor(Tx tx, String conversationId, String userId) throws SQLException {
        PreparedStatement ps = tx.ps(d.receiptCursor);
        ps.setString(1, conversationId);
        ps.setString(2, userId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)} : null;
        }
    }
}
