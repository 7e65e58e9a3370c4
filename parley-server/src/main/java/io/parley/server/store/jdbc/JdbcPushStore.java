package io.parley.server.store.jdbc;

import io.parley.server.push.PushMessage;
import io.parley.server.push.PushStore;
import io.parley.server.store.ConversationKind;
import io.parley.server.store.NotifyLevel;
import io.parley.server.store.PushDevice;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@link PushStore} on the chat store's own writer and readers (the same database as the messages, so the touched
 * queue is filled in the message's transaction by the V11 triggers). Reads run on the readers; every write is one
 * small writer job (a claim, one conversation's plan, one batch of outcomes), so a send waits behind at most one of
 * them. PostgreSQL claims with {@code FOR UPDATE SKIP LOCKED}, so the workers of several nodes never take the same
 * row; on SQLite the one writer serializes the claims.
 */
final class JdbcPushStore implements PushStore {

    private static final String DUE_TOUCHED = "SELECT conversation_id, touched_at, touches FROM push_pending "
            + "WHERE lease_until <= ? AND (touched_at <= ? OR (not_before > 0 AND not_before <= ?)) "
            + "ORDER BY touched_at LIMIT ?";
    private static final String LEASE_TOUCHED = "UPDATE push_pending SET lease_until = ? WHERE conversation_id = ?";

    private static final String CONVERSATION = "SELECT kind, last_seq FROM conversations WHERE id = ?";
    /**
     * Members with everything delivered and no push shown are left out here: no work for them; so are members with
     * no push device (nothing could be sent to them), before any of the reads that count what they are owed.
     */
    private static final String RECIPIENTS = "SELECT m.user_id, u.username, m.notify, m.read_seq, m.delivered_seq, "
            + "m.pushed_seq, m.pushed_at, m.push_shown, u.dnd_until FROM members m JOIN users u ON u.id = m.user_id "
            + "WHERE m.conversation_id = ? AND (m.push_shown = 1 OR (m.delivered_seq < ? AND m.pushed_seq < ? "
            + "AND EXISTS (SELECT 1 FROM push_devices d WHERE d.user_id = m.user_id)))";

    private static final String UNREAD = "SELECT COUNT(*) FROM events WHERE conversation_id = ? AND seq > ? "
            + "AND kind = 'message' AND actor_id <> ? AND deleted_at IS NULL";
    /** Stops at the cap: the LIMIT inside bounds the rows read, however much is unread. */
    private static final String UNREAD_TOTAL = "SELECT COUNT(*) FROM (SELECT 1 FROM members m JOIN events e "
            + "ON e.conversation_id = m.conversation_id AND e.seq > m.read_seq WHERE m.user_id = ? "
            + "AND e.kind = 'message' AND e.actor_id <> ? AND e.deleted_at IS NULL LIMIT ?) t";

    private static final String LATEST = "SELECT e.seq, COALESCE(u.display_name, u.username, e.actor_id), "
            + "COALESCE(e.edited_body, e.body) FROM events e LEFT JOIN users u ON u.id = e.actor_id "
            + "WHERE e.conversation_id = ? AND e.seq > ? AND e.kind = 'message' AND e.actor_id <> ? "
            + "AND e.deleted_at IS NULL ORDER BY e.seq DESC LIMIT 1";
    private static final String FIRST_AT = "SELECT MIN(created_at) FROM events WHERE conversation_id = ? AND seq > ? "
            + "AND kind = 'message' AND actor_id <> ? AND deleted_at IS NULL";

    private static final String UPSERT_JOB = "INSERT INTO push_jobs (device_id, user_id, conversation_id, title, body, "
            + "count, latest_seq, clear, created_at, next_at, badge) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (device_id, conversation_id) DO UPDATE SET title = excluded.title, body = excluded.body, "
            + "count = excluded.count, latest_seq = excluded.latest_seq, clear = excluded.clear, "
            + "badge = excluded.badge, "
            + "created_at = CASE WHEN push_jobs.clear = 1 THEN excluded.created_at ELSE push_jobs.created_at END, "
            + "rev = push_jobs.rev + 1";
    private static final String MOVE_CURSOR = "UPDATE members SET pushed_seq = ?, pushed_at = ?, push_shown = ? "
            + "WHERE conversation_id = ? AND user_id = ?";
    private static final String TAKE_OFF = "DELETE FROM push_pending WHERE conversation_id = ? AND touches = ?";
    /**
     * Kept for a later round: untouched since the claim, the row waits for {@code not_before} (touched_at moves there,
     * so only a new change, which lowers it again, brings the round forward); touched meanwhile, the grace window
     * restarts from the plan.
     */
    private static final String RELEASE = "UPDATE push_pending SET lease_until = 0, not_before = ?, "
            + "touched_at = CASE WHEN touches = ? THEN ? ELSE ? END WHERE conversation_id = ?";

    private static final String DEVICES =
            "SELECT " + SessionSql.DEVICE_COLUMNS + " FROM push_devices WHERE user_id = ? ORDER BY created_at, id";
    private static final String JOB_COLUMNS =
            "j.id, j.rev, j.device_id, j.user_id, j.conversation_id, j.title, j.body, "
                    + "j.count, j.latest_seq, j.clear, j.created_at, j.attempts, d.id, d.user_id, d.session_id, d.platform, "
                    + "d.token, d.created_at, j.badge";
    private static final String ANY_DUE_JOB = "SELECT 1 FROM push_jobs WHERE next_at <= ? AND lease_until <= ? LIMIT 1";
    private static final String LEASE_JOB = "UPDATE push_jobs SET lease_until = ? WHERE id = ?";
    private static final String DONE = "DELETE FROM push_jobs WHERE id = ? AND rev = ?";
    private static final String UNLEASE = "UPDATE push_jobs SET lease_until = 0 WHERE id = ?";
    private static final String LATER = "UPDATE push_jobs SET next_at = ?, attempts = attempts + ?, last_error = ?, "
            + "lease_until = 0 WHERE id = ? AND rev = ?";
    private static final String BURY = "INSERT INTO push_dead (id, device_id, user_id, conversation_id, attempts, "
            + "last_error, died_at) SELECT id, device_id, user_id, conversation_id, attempts + 1, ?, ? FROM push_jobs "
            + "WHERE id = ? AND rev = ?";
    private static final String REMOVE_DEVICE = "DELETE FROM push_devices WHERE id = ?";
    private static final String DEVICE_JOBS = "DELETE FROM push_jobs WHERE device_id = ?";
    private static final String DEPTH = "SELECT COUNT(*) FROM push_jobs";

    private final Writer writer;
    private final Readers readers;
    private final String dueJobs;
    private final String mentions;
    private final String lockTouched;

    JdbcPushStore(SqlDialect d, Writer writer, Readers readers) {
        this.writer = writer;
        this.readers = readers;
        boolean pg = d == SqlDialect.POSTGRESQL;
        String skipLocked = pg ? " FOR UPDATE SKIP LOCKED" : "";
        this.lockTouched = DUE_TOUCHED + skipLocked;
        this.dueJobs = "SELECT " + JOB_COLUMNS + " FROM push_jobs j LEFT JOIN push_devices d ON d.id = j.device_id "
                + "WHERE j.next_at <= ? AND j.lease_until <= ? ORDER BY j.next_at, j.id LIMIT ?"
                + (pg ? " FOR UPDATE OF j SKIP LOCKED" : "");
        // SQLite's LIKE folds ASCII case; PostgreSQL's ILIKE folds all. The planner checks the word boundary.
        this.mentions = "SELECT COALESCE(edited_body, body) FROM events WHERE conversation_id = ? AND seq > ? "
                + "AND kind = 'message' AND actor_id <> ? AND deleted_at IS NULL AND COALESCE(edited_body, body) "
                + (pg ? "ILIKE" : "LIKE") + " ? ESCAPE '\\' ORDER BY seq LIMIT 100";
    }

    // ---- planning --------------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<List<Touched>> claimTouched(long now, long graceMillis, long leaseUntil, int max) {
        // Looked for on a reader first: an idle round costs the writer nothing.
        return readers.read(sql -> {
                    PreparedStatement ps = sql.ps(DUE_TOUCHED);
                    ps.setLong(1, now);
                    ps.setLong(2, now - graceMillis);
                    ps.setLong(3, now);
                    ps.setInt(4, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next();
                    }
                })
                .thenCompose(any -> any
                        ? claimTouchedOnWriter(now, graceMillis, leaseUntil, max)
                        : CompletableFuture.completedFuture(List.of()));
    }

    private CompletableFuture<List<Touched>> claimTouchedOnWriter(
            long now, long graceMillis, long leaseUntil, int max) {
        return writer.submit(tx -> {
            PreparedStatement ps = tx.ps(lockTouched);
            ps.setLong(1, now);
            ps.setLong(2, now - graceMillis);
            ps.setLong(3, now);
            ps.setInt(4, max);
            List<Touched> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Touched(rs.getString(1), rs.getLong(2), rs.getInt(3)));
                }
            }
            PreparedStatement lease = tx.ps(LEASE_TOUCHED);
            for (Touched t : out) {
                lease.setLong(1, leaseUntil);
                lease.setString(2, t.conversationId());
                lease.executeUpdate();
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Optional<Audience>> audience(String conversationId) {
        return readers.read(sql -> {
            PreparedStatement c = sql.ps(CONVERSATION);
            c.setString(1, conversationId);
            ConversationKind kind;
            long lastSeq;
            try (ResultSet rs = c.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                kind = ConversationKind.fromWire(rs.getString(1));
                lastSeq = rs.getLong(2);
            }
            PreparedStatement ps = sql.ps(RECIPIENTS);
            ps.setString(1, conversationId);
            ps.setLong(2, lastSeq);
            ps.setLong(3, lastSeq);
            List<Recipient> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long dnd = rs.getLong(9);
                    Long dndUntil = rs.wasNull() ? null : dnd;
                    out.add(new Recipient(
                            rs.getString(1),
                            rs.getString(2),
                            NotifyLevel.of(rs.getString(3)),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getLong(6),
                            rs.getLong(7),
                            rs.getInt(8) == 1,
                            dndUntil));
                }
            }
            return Optional.of(new Audience(kind, lastSeq, out));
        });
    }

    @Override
    public CompletableFuture<Owed> owed(String conversationId, Recipient r, long afterSeq) {
        return readers.read(sql -> {
            PreparedStatement u = sql.ps(UNREAD);
            u.setString(1, conversationId);
            u.setLong(2, r.readSeq());
            u.setString(3, r.userId());
            long unread;
            try (ResultSet rs = u.executeQuery()) {
                rs.next();
                unread = rs.getLong(1);
            }
            PreparedStatement l = sql.ps(LATEST);
            l.setString(1, conversationId);
            l.setLong(2, afterSeq);
            l.setString(3, r.userId());
            Latest latest = null;
            try (ResultSet rs = l.executeQuery()) {
                if (rs.next()) {
                    latest = new Latest(rs.getLong(1), rs.getString(2), rs.getString(3));
                }
            }
            long firstAt = 0;
            if (latest != null) {
                PreparedStatement f = sql.ps(FIRST_AT);
                f.setString(1, conversationId);
                f.setLong(2, afterSeq);
                f.setString(3, r.userId());
                try (ResultSet rs = f.executeQuery()) {
                    rs.next();
                    firstAt = rs.getLong(1);
                }
            }
            List<String> candidates = new ArrayList<>();
            if (latest != null && r.username() != null) {
                PreparedStatement m = sql.ps(mentions);
                m.setString(1, conversationId);
                m.setLong(2, afterSeq);
                m.setString(3, r.userId());
                m.setString(
                        4,
                        "%@"
                                + r.username()
                                        .replace("\\", "\\\\")
                                        .replace("%", "\\%")
                                        .replace("_", "\\_") + "%");
                try (ResultSet rs = m.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(rs.getString(1));
                    }
                }
            }
            return new Owed(unread, latest, firstAt, candidates);
        });
    }

    @Override
    public CompletableFuture<Integer> unreadTotal(String userId, int cap) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(UNREAD_TOTAL);
            ps.setString(1, userId);
            ps.setString(2, userId);
            ps.setInt(3, cap);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Override
    public CompletableFuture<Void> commitPlan(Plan plan) {
        return commitPlans(List.of(plan));
    }

    @Override
    public CompletableFuture<Void> commitPlans(List<Plan> plans) {
        if (plans.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return writer.submit(tx -> {
            for (Plan plan : plans) {
                writePlan(tx, plan);
            }
            return null;
        });
    }

    private static void writePlan(Tx tx, Plan plan) throws SQLException {
        {
            PreparedStatement job = tx.ps(UPSERT_JOB);
            for (NewJob j : plan.jobs()) {
                PushMessage m = j.message();
                job.setString(1, j.deviceId());
                job.setString(2, j.userId());
                job.setString(3, m.conversationId());
                job.setString(4, m.title());
                job.setString(5, m.body());
                job.setInt(6, m.count());
                job.setLong(7, m.latestSeq());
                job.setInt(8, m.clear() ? 1 : 0);
                job.setLong(9, j.firstAt());
                job.setLong(10, j.nextAt());
                job.setInt(11, m.badge());
                job.executeUpdate();
            }
            PreparedStatement cursor = tx.ps(MOVE_CURSOR);
            for (Cursor c : plan.cursors()) {
                cursor.setLong(1, c.pushedSeq());
                cursor.setLong(2, c.pushedAt());
                cursor.setInt(3, c.shown() ? 1 : 0);
                cursor.setString(4, plan.conversationId());
                cursor.setString(5, c.userId());
                cursor.executeUpdate();
            }
            int removed = 0;
            if (plan.notBefore() == 0) {
                PreparedStatement off = tx.ps(TAKE_OFF);
                off.setString(1, plan.conversationId());
                off.setInt(2, plan.touches());
                removed = off.executeUpdate();
            }
            if (removed == 0) {
                PreparedStatement release = tx.ps(RELEASE);
                release.setLong(1, plan.notBefore());
                release.setInt(2, plan.touches());
                release.setLong(3, plan.notBefore() > 0 ? plan.notBefore() : plan.now());
                release.setLong(4, plan.now());
                release.setString(5, plan.conversationId());
                release.executeUpdate();
            }
        }
    }

    @Override
    public CompletableFuture<List<PushDevice>> devices(String userId) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(DEVICES);
            ps.setString(1, userId);
            List<PushDevice> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(device(rs, 1));
                }
            }
            return out;
        });
    }

    private static PushDevice device(ResultSet rs, int at) throws SQLException {
        return new PushDevice(
                rs.getString(at),
                rs.getString(at + 1),
                rs.getString(at + 2),
                PushDevice.Platform.of(rs.getString(at + 3)),
                rs.getString(at + 4),
                rs.getLong(at + 5));
    }

    // ---- sending ---------------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<List<Job>> claimJobs(long now, long leaseUntil, int max) {
        return readers.read(sql -> {
                    PreparedStatement ps = sql.ps(ANY_DUE_JOB);
                    ps.setLong(1, now);
                    ps.setLong(2, now);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next();
                    }
                })
                .thenCompose(any ->
                        any ? claimJobsOnWriter(now, leaseUntil, max) : CompletableFuture.completedFuture(List.of()));
    }

    private CompletableFuture<List<Job>> claimJobsOnWriter(long now, long leaseUntil, int max) {
        return writer.submit(tx -> {
            PreparedStatement ps = tx.ps(dueJobs);
            ps.setLong(1, now);
            ps.setLong(2, now);
            ps.setInt(3, max);
            List<Job> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    PushMessage m = new PushMessage(
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getInt(8),
                            rs.getLong(9),
                            rs.getInt(10) == 1,
                            rs.getInt(19));
                    rs.getString(13);
                    PushDevice d = rs.wasNull() ? null : device(rs, 13);
                    out.add(new Job(
                            rs.getLong(1),
                            rs.getInt(2),
                            rs.getString(3),
                            rs.getString(4),
                            m,
                            rs.getLong(11),
                            rs.getInt(12),
                            d));
                }
            }
            PreparedStatement lease = tx.ps(LEASE_JOB);
            for (Job j : out) {
                lease.setLong(1, leaseUntil);
                lease.setLong(2, j.id());
                lease.executeUpdate();
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Void> finish(List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return writer.submit(tx -> {
            for (Outcome o : outcomes) {
                Job j = o.job();
                int changed;
                if (o instanceof Outcome.Done) {
                    changed = update(tx.ps(DONE), j.id(), j.rev());
                } else if (o instanceof Outcome.Later later) {
                    PreparedStatement ps = tx.ps(LATER);
                    ps.setLong(1, later.nextAt());
                    ps.setInt(2, later.attempt() ? 1 : 0);
                    Rows.setNullable(ps, 3, later.error());
                    ps.setLong(4, j.id());
                    ps.setInt(5, j.rev());
                    changed = ps.executeUpdate();
                } else if (o instanceof Outcome.Dead dead) {
                    PreparedStatement ps = tx.ps(BURY);
                    Rows.setNullable(ps, 1, dead.error());
                    ps.setLong(2, dead.now());
                    ps.setLong(3, j.id());
                    ps.setInt(4, j.rev());
                    changed = ps.executeUpdate() == 0 ? 0 : update(tx.ps(DONE), j.id(), j.rev());
                } else {
                    PreparedStatement jobs = tx.ps(DEVICE_JOBS);
                    jobs.setString(1, j.deviceId());
                    jobs.executeUpdate();
                    PreparedStatement dev = tx.ps(REMOVE_DEVICE);
                    dev.setString(1, j.deviceId());
                    dev.executeUpdate();
                    changed = 1;
                }
                if (changed == 0) {
                    // A newer plan replaced the payload while this one was out: release it for the next round.
                    PreparedStatement ps = tx.ps(UNLEASE);
                    ps.setLong(1, j.id());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    private static int update(PreparedStatement ps, long id, int rev) throws SQLException {
        ps.setLong(1, id);
        ps.setInt(2, rev);
        return ps.executeUpdate();
    }

    @Override
    public CompletableFuture<Long> depth() {
        return readers.read(sql -> {
            try (ResultSet rs = sql.ps(DEPTH).executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
