package io.parley.server.blob;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * Where attachments' bytes live, addressed by keys the server makes ({@code [A-Za-z0-9_-]} segments joined by
 * {@code /}). Clients never name a key: they get signed URLs for one key and one operation.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Signed URLs.</b> {@link #uploadUrl} accepts one PUT of exactly {@code size} bytes with that
 *       {@code Content-Type} until {@code expires}, and nothing else; {@link #downloadUrl} serves the blob (ranges
 *       too) with the given type and disposition until {@code expires}. A URL that is expired or changed in any part
 *       is refused (403), without saying whether the blob exists. A URL may be relative to the Parley server (the
 *       embedded store) or absolute (S3).</li>
 *   <li><b>Atomic.</b> A blob exists entirely or not at all: {@link #size} and {@link #open} never see a partial
 *       upload.</li>
 *   <li><b>Streaming.</b> No method holds a whole blob in memory.</li>
 *   <li><b>Threads.</b> {@link #size}, {@link #open}, {@link #put} and {@link #delete} block: call them from a worker
 *       thread, never an event loop. Making URLs does not block.</li>
 * </ul>
 */
public interface BlobStore extends AutoCloseable {

    /** How a download is served: its file name, the {@code Content-Type}, and inline or as a download. */
    record Delivery(String fileName, String contentType, boolean download) {}

    /** A signed URL for one PUT of exactly {@code size} bytes with that {@code Content-Type}. */
    URI uploadUrl(String key, String contentType, long size, Instant expires);

    /** A signed URL that GETs the blob until {@code expires}. */
    URI downloadUrl(String key, Delivery delivery, Instant expires);

    /** The size of the stored blob, or empty when there is none. Blocks. */
    OptionalLong size(String key) throws IOException;

    /** Reads the blob from its start; {@link java.nio.file.NoSuchFileException} when there is none. Blocks. */
    InputStream open(String key) throws IOException;

    /** Stores {@code size} bytes read from {@code in} (server-made blobs: thumbnails, re-encoded images). Blocks. */
    void put(String key, InputStream in, long size, String contentType) throws IOException;

    /** Deletes the blob; nothing happens when there is none. Blocks. */
    void delete(String key) throws IOException;

    /** True when a key is well formed (what servers make): checked by every method. */
    static boolean validKey(String key) {
        return key != null && key.length() <= 512 && key.matches("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*");
    }

    static String requireKey(String key) {
        if (!validKey(key)) {
            throw new IllegalArgumentException("not a blob key: " + key);
        }
        return key;
    }

    @Override
    void close();
}
