package io.parley.server.store;

import java.util.Objects;

/**
 * What members see of an attachment: its id, {@link AttachmentStatus}, sanitised name, the type sniffed from its
 * bytes, its size, and for images the pixel size and whether a thumbnail exists ({@code width}, {@code height} null
 * otherwise).
 */
public record AttachmentInfo(
        String id,
        AttachmentStatus status,
        String name,
        String contentType,
        long size,
        Integer width,
        Integer height,
        boolean thumbnail) {
    public AttachmentInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(contentType, "contentType");
    }

    public AttachmentInfo withStatus(AttachmentStatus s) {
        return new AttachmentInfo(id, s, name, contentType, size, width, height, thumbnail);
    }
}
