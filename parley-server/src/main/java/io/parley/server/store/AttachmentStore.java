package io.parley.server.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The attachments' rows, kept in the same database (and written by the same writer, in the same transactions) as the
 * conversations' logs, so that a message and the attachment events it makes commit together and get consecutive seqs.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Durability, threads and publication as {@link ChatStore}: a completed write is committed; its events reach the
 *       {@link CommitListener} before its future completes.</li>
 *   <li><b>Visibility.</b> An attachment is visible to members only from the message that refers to it: that message
 *       and one attachment event per attachment (with the attachment's status at that moment) commit in one
 *       transaction, in the order of the ids given. Later status changes ({@link #scanned}) append one attachment
 *       event each, only for an attachment that is part of a message not deleted.</li>
 *   <li><b>Once.</b> {@link #finalizeUpload} moves a slot to pending once; again fails with
 *       {@link AttachmentRefused} ({@code attachment_already_finalized}). An attachment is part of at most one
 *       message.</li>
 * </ul>
 */
public interface AttachmentStore {

    /** Stores a new slot (status {@link AttachmentStatus#SLOT}). The uploader must be a member (else NotFound). */
    CompletableFuture<Attachment> createSlot(Attachment slot);

    /** The row, or empty when there is none (collected rows are gone). */
    CompletableFuture<Optional<Attachment>> find(String id);

    /**
     * Moves a slot of {@code uploaderId} to pending with what finalize found: the sniffed type, the image's size and
     * thumbnail (nullable). NotFound when no such slot of this uploader; {@code attachment_already_finalized} when it
     * is no longer a slot; {@code attachment_slot_expired} when {@code nowMillis} is past its expiry.
     */
    CompletableFuture<Attachment> finalizeUpload(
            String id,
            String uploaderId,
            String contentType,
            Integer width,
            Integer height,
            String thumbnailKey,
            long nowMillis);

    /**
     * The scanner's verdict ({@link AttachmentStatus#READY} or {@link AttachmentStatus#REJECTED}) for a pending
     * attachment. Returns the attachment event it appended (empty when the attachment is not part of a live message,
     * or was no longer pending). A rejection is written to the conversation's audit log.
     */
    CompletableFuture<Optional<LogEntry.AttachmentChanged>> scanned(
            String id, AttachmentStatus verdict, long nowMillis);

    /**
     * Appends {@code message} (caption as body; see {@link ChatStore#appendMessage} for idempotency and membership) and
     * one attachment event per id, in one transaction. Each id must be an attachment of the sender in this
     * conversation, finalized, not rejected, not deleted and not yet part of a message: else nothing is stored and the
     * future fails with NotFound (no such attachment of the sender) or {@code attachment_not_usable}. A duplicate
     * (same sender and clientMsgId) returns the original message and its attachment events as they are now.
     */
    CompletableFuture<AttachedMessage> appendWithAttachments(NewMessage message, List<String> attachmentIds);

    /** The attachments of a message, in the order they were attached. */
    CompletableFuture<List<Attachment>> ofMessage(String messageId);

    /** Every pending attachment (for scans to retry), oldest first, at most {@code limit}. */
    CompletableFuture<List<Attachment>> pending(int limit);

    /**
     * Rows whose blobs may go: never part of a message and created before {@code unreferencedBefore}; or of a
     * message deleted before {@code deletedBefore}; or rejected. At most {@code limit}.
     */
    CompletableFuture<List<Attachment>> collectable(long unreferencedBefore, long deletedBefore, int limit);

    /** Removes the row (after its blobs were deleted); true when there was one. */
    CompletableFuture<Boolean> forget(String id);

    /** The message appended by {@link #appendWithAttachments} and the attachment events that followed it. */
    record AttachedMessage(Appended appended, List<LogEntry.AttachmentChanged> attachments) {}
}
