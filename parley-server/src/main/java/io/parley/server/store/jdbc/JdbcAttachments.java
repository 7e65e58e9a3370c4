package io.parley.server.store.jdbc;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.EventKind;
import io.parley.server.store.Appended;
import io.parley.server.store.Attachment;
import io.parley.server.store.AttachmentInfo;
import io.parley.server.store.AttachmentRefused;
import io.parley.server.store.AttachmentStatus;
import io.parley.server.store.AttachmentStore;
import io.parley.server.store.LogEntry;
import io.parley.server.store.NewMessage;
import io.parley.server.store.StoreException;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@link AttachmentStore} on the chat store's own writer and readers (same database, same transactions). The SQL is
 * the same on SQLite and PostgreSQL.
 */
final class JdbcAttachments implements AttachmentStore {
    private static final String COLUMNS = "id, conversation_id, uploader_id, name, declared_type, content_type, size, "
            + "sha256, status, message_id, blob_key, thumbnail_key, width, height, created_at, expires_at, deleted_at";
    private static final String INSERT =
            "INSERT INTO attachments (" + COLUMNS + ") " + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM attachments WHERE id = ?";
    private static final String FINALIZE = "UPDATE attachments SET status = 'pending', content_type = ?, width = ?, "
            + "height = ?, thumbnail_key = ? WHERE id = ? AND status = 'slot'";
    private static final String SET_STATUS = "UPDATE attachments SET status = ? WHERE id = ? AND status = 'pending'";
    private static final String LINK =
            "UPDATE attachments SET message_id = ?, position = ? WHERE id = ? AND message_id IS NULL";
    private static final String OF_MESSAGE =
            "SELECT " + COLUMNS + " FROM attachments WHERE message_id = ? ORDER BY position";
    private static final String PENDING = "SELECT " + COLUMNS
            + " FROM attachments WHERE status = 'pending' AND deleted_at IS NULL " + "ORDER BY created_at LIMIT ?";
    private static final String COLLECTABLE = "SELECT " + COLUMNS + " FROM attachments WHERE "
            + "(message_id IS NULL AND created_at < ?) OR (deleted_at IS NOT NULL AND deleted_at < ?) "
            + "OR status = 'rejected' ORDER BY created_at LIMIT ?";
    private static final String FORGET = "DELETE FROM attachments WHERE id = ?";
    /** Run by {@link WriteOps#deleteMessage} in the deleting transaction: nothing serves the files from then on. */
    static final String MARK_DELETED =
            "UPDATE attachments SET deleted_at = ? WHERE message_id = ? AND deleted_at IS NULL";

    private final Writer writer;
    private final Readers readers;
    private final WriteOps ops;
    private final Queries q;

    JdbcAttachments(Writer writer, Readers readers, WriteOps ops, Queries q) {
        this.writer = writer;
        this.readers = readers;
        this.ops = ops;
        this.q = q;
    }

    @Override
    public CompletableFuture<Attachment> createSlot(Attachment a) {
        return writer.submit(a.conversationId(), tx -> {
            if (!q.memberIds(tx::ps, a.conversationId()).contains(a.uploaderId())) {
                throw new StoreException.NotFound("conversation not found");
            }
            PreparedStatement ps = tx.ps(INSERT);
            ps.setString(1, a.id());
            ps.setString(2, a.conversationId());
            ps.setString(3, a.uploaderId());
            ps.setString(4, a.name());
            ps.setString(5, a.declaredType());
            Rows.setNullable(ps, 6, a.contentType());
            ps.setLong(7, a.size());
            Rows.setNullable(ps, 8, a.sha256());
            ps.setString(9, AttachmentStatus.SLOT.wire());
            Rows.setNullable(ps, 10, a.messageId());
            ps.setString(11, a.blobKey());
            Rows.setNullable(ps, 12, a.thumbnailKey());
            setInt(ps, 13, a.width());
            setInt(ps, 14, a.height());
            ps.setLong(15, a.createdAt());
            ps.setLong(16, a.expiresAt());
            ps.setNull(17, Types.BIGINT);
            ps.executeUpdate();
            return a;
        });
    }

    @Override
    public CompletableFuture<Optional<Attachment>> find(String id) {
        return readers.read(sql -> one(sql, id));
    }

    @Override
    public CompletableFuture<Attachment> finalizeUpload(
            String id,
            String uploaderId,
            String contentType,
            Integer width,
            Integer height,
            String thumbnailKey,
            long now) {
        return writer.submit(tx -> {
            Attachment a = one(tx::ps, id)
                    .filter(x -> x.uploaderId().equals(uploaderId))
                    .orElseThrow(() -> new StoreException.NotFound("no such attachment"));
            if (a.status() != AttachmentStatus.SLOT) {
                throw new AttachmentRefused(ErrorCode.ATTACHMENT_ALREADY_FINALIZED, "the attachment is finalized");
            }
            if (now > a.expiresAt()) {
                throw new AttachmentRefused(ErrorCode.ATTACHMENT_SLOT_EXPIRED, "the upload slot expired");
            }
            PreparedStatement ps = tx.ps(FINALIZE);
            ps.setString(1, contentType);
            setInt(ps, 2, width);
            setInt(ps, 3, height);
            Rows.setNullable(ps, 4, thumbnailKey);
            ps.setString(5, id);
            if (ps.executeUpdate() != 1) {
                throw new AttachmentRefused(ErrorCode.ATTACHMENT_ALREADY_FINALIZED, "the attachment is finalized");
            }
            return one(tx::ps, id).orElseThrow();
        });
    }

    @Override
    public CompletableFuture<Optional<LogEntry.AttachmentChanged>> scanned(
            String id, AttachmentStatus verdict, long now) {
        if (verdict != AttachmentStatus.READY && verdict != AttachmentStatus.REJECTED) {
            throw new IllegalArgumentException("a verdict is ready or rejected, not " + verdict);
        }
        return writer.submit(tx -> {
            Optional<Attachment> found = one(tx::ps, id);
            if (found.isEmpty() || found.get().status() != AttachmentStatus.PENDING) {
                return Optional.empty();
            }
            Attachment a = found.get();
            // The conversation's lock first (PostgreSQL), so the status and the event's seq agree with any message
            // being sent with this attachment at the same time on another node.
            tx.lock(a.conversationId());
            a = one(tx::ps, id).orElseThrow();
            if (a.status() != AttachmentStatus.PENDING) {
                return Optional.empty();
            }
            PreparedStatement ps = tx.ps(SET_STATUS);
            ps.setString(1, verdict.wire());
            ps.setString(2, id);
            ps.executeUpdate();
            LogEntry.AttachmentChanged e = null;
            if (a.messageId() != null && a.deletedAt() == null) {
                AttachmentInfo info = a.info().withStatus(verdict);
                String messageId = a.messageId();
                e = ops.appendEntry(
                        tx,
                        a.conversationId(),
                        EventKind.ATTACHMENT,
                        a.uploaderId(),
                        now,
                        q.memberIds(tx::ps, a.conversationId()),
                        h -> new LogEntry.AttachmentChanged(h, messageId, info));
            }
            if (verdict == AttachmentStatus.REJECTED) {
                ops.auditEntry(
                        tx,
                        a.conversationId(),
                        a.uploaderId(),
                        "attachment_rejected",
                        a.messageId(),
                        a.uploaderId(),
                        e == null ? 0 : e.seq(),
                        now);
            }
            return Optional.ofNullable(e);
        });
    }

    @Override
    public CompletableFuture<AttachedMessage> appendWithAttachments(NewMessage m, List<String> attachmentIds) {
        List<String> ids = List.copyOf(new LinkedHashSet<>(attachmentIds));
        return writer.submit(m.conversationId(), tx -> {
            Appended appended = ops.appendMessage(tx, m);
            String messageId = appended.event().messageId();
            if (appended.duplicate()) {
                List<LogEntry.AttachmentChanged> now = new ArrayList<>();
                return new AttachedMessage(appended, now);
            }
            List<String> members = q.memberIds(tx::ps, m.conversationId());
            List<LogEntry.AttachmentChanged> events = new ArrayList<>();
            int position = 0;
            for (String id : ids) {
                Attachment a = one(tx::ps, id)
                        .filter(x -> x.uploaderId().equals(m.senderId()))
                        .orElseThrow(() -> new StoreException.NotFound("no such attachment: " + id));
                if (!a.conversationId().equals(m.conversationId())) {
                    throw new AttachmentRefused(
                            ErrorCode.ATTACHMENT_NOT_USABLE, "attachment " + id + " belongs to another conversation");
                }
                if (a.status() == AttachmentStatus.SLOT) {
                    throw new AttachmentRefused(
                            ErrorCode.ATTACHMENT_NOT_USABLE, "attachment " + id + " is not finalized");
                }
                if (a.status() == AttachmentStatus.REJECTED) {
                    throw new AttachmentRefused(ErrorCode.ATTACHMENT_NOT_USABLE, "attachment " + id + " was rejected");
                }
                if (a.messageId() != null || a.deletedAt() != null) {
                    throw new AttachmentRefused(
                            ErrorCode.ATTACHMENT_NOT_USABLE, "attachment " + id + " is already part of a message");
                }
                PreparedStatement link = tx.ps(LINK);
                link.setString(1, messageId);
                link.setInt(2, position++);
                link.setString(3, id);
                if (link.executeUpdate() != 1) {
                    throw new AttachmentRefused(
                            ErrorCode.ATTACHMENT_NOT_USABLE, "attachment " + id + " is already part of a message");
                }
                AttachmentInfo info = a.info();
                events.add(ops.appendEntry(
                        tx,
                        m.conversationId(),
                        EventKind.ATTACHMENT,
                        m.senderId(),
                        m.createdAt(),
                        members,
                        h -> new LogEntry.AttachmentChanged(h, messageId, info)));
            }
            return new AttachedMessage(appended, events);
        });
    }

    @Override
    public CompletableFuture<List<Attachment>> ofMessage(String messageId) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(OF_MESSAGE);
            ps.setString(1, messageId);
            return list(ps);
        });
    }

    @Override
    public CompletableFuture<List<Attachment>> pending(int limit) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(PENDING);
            ps.setInt(1, limit);
            return list(ps);
        });
    }

    @Override
    public CompletableFuture<List<Attachment>> collectable(long unreferencedBefore, long deletedBefore, int limit) {
        return readers.read(sql -> {
            PreparedStatement ps = sql.ps(COLLECTABLE);
            ps.setLong(1, unreferencedBefore);
            ps.setLong(2, deletedBefore);
            ps.setInt(3, limit);
            return list(ps);
        });
    }

    @Override
    public CompletableFuture<Boolean> forget(String id) {
        return writer.submit(tx -> {
            PreparedStatement ps = tx.ps(FORGET);
            ps.setString(1, id);
            return ps.executeUpdate() == 1;
        });
    }

    // ---- the event's JSON (events.body of kind attachment) ---------------------------------------------------------

    static String json(AttachmentInfo a) {
        JsonObject o = new JsonObject()
                .put("id", a.id())
                .put("status", a.status().wire())
                .put("name", a.name())
                .put("contentType", a.contentType())
                .put("size", a.size())
                .put("thumbnail", a.thumbnail());
        if (a.width() != null) {
            o.put("width", a.width()).put("height", a.height());
        }
        return o.encode();
    }

    /** The attachment of an event's body, or null when the body was cleared (the message was deleted). */
    static AttachmentInfo info(String body) {
        if (body == null) {
            return null;
        }
        JsonObject o = new JsonObject(body);
        return new AttachmentInfo(
                o.getString("id"),
                AttachmentStatus.fromWire(o.getString("status")),
                o.getString("name"),
                o.getString("contentType"),
                o.getLong("size"),
                o.getInteger("width"),
                o.getInteger("height"),
                o.getBoolean("thumbnail", false));
    }

    // ---- rows ------------------------------------------------------------------------------------------------------

    private static Optional<Attachment> one(Sql sql, String id) throws SQLException {
        PreparedStatement ps = sql.ps(BY_ID);
        ps.setString(1, id);
        List<Attachment> l = list(ps);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    private static List<Attachment> list(PreparedStatement ps) throws SQLException {
        List<Attachment> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long deletedAt = rs.getLong(17);
                Long deleted = rs.wasNull() ? null : deletedAt;
                out.add(new Attachment(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getLong(7),
                        rs.getString(8),
                        AttachmentStatus.fromWire(rs.getString(9)),
                        rs.getString(10),
                        rs.getString(11),
                        rs.getString(12),
                        integer(rs, 13),
                        integer(rs, 14),
                        rs.getLong(15),
                        rs.getLong(16),
                        deleted));
            }
        }
        return out;
    }

    private static Integer integer(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }
}
