package io.parley.server.store;

/**
 * An attachment's row: the slot the uploader asked for and what became of it. {@code declaredType} is what the
 * uploader said; {@code contentType} the type sniffed at finalize (null before). {@code sha256} (hex, nullable) is the
 * checksum the uploader declared. {@code messageId} is null until a message refers to it; {@code deletedAt} is set
 * when that message was deleted (from then on nothing serves it, and the collector removes its blobs after the
 * moderation hold). {@code width}, {@code height} and {@code thumbnailKey} are set for images.
 */
public record Attachment(
        String id,
        String conversationId,
        String uploaderId,
        String name,
        String declaredType,
        String contentType,
        long size,
        String sha256,
        AttachmentStatus status,
        String messageId,
        String blobKey,
        String thumbnailKey,
        Integer width,
        Integer height,
        long createdAt,
        long expiresAt,
        Long deletedAt) {

    /** What members see (the sniffed type once known, the declared one before). */
    public AttachmentInfo info() {
        return new AttachmentInfo(
                id,
                status,
                name,
                contentType != null ? contentType : declaredType,
                size,
                width,
                height,
                thumbnailKey != null);
    }
}
