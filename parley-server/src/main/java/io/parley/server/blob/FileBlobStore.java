package io.parley.server.blob;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The embedded blob store: one file per key under {@code root} (the data dir's {@code blobs/}), served by Parley's own
 * {@code /blobs/} route (api {@code BlobRoutes}) behind HMAC-signed URLs. An upload is written to a temporary file
 * beside its target and moved into place atomically once every byte is there, so a blob exists whole or not at all;
 * a second upload to a key that exists is refused. Several nodes may share {@code root} (a shared file system) when
 * they share the signing secret.
 */
public final class FileBlobStore implements BlobStore {
    /** The route's path prefix; URLs are relative to the server. */
    public static final String PREFIX = "/blobs/";

    private final Path root;
    private final UrlSigner signer;
    private final Clock clock;

    public FileBlobStore(Path root, UrlSigner signer, Clock clock) throws IOException {
        this.root = Files.createDirectories(root).toAbsolutePath().normalize();
        Files.createDirectories(this.root.resolve(".incoming"));
        this.signer = signer;
        this.clock = clock;
    }

    @Override
    public URI uploadUrl(String key, String contentType, long size, Instant expires) {
        BlobStore.requireKey(key);
        String exp = Long.toString(expires.getEpochSecond());
        String sig = signer.sign("PUT", key, Long.toString(size), contentType, exp);
        return URI.create(PREFIX + key + "?size=" + size + "&type=" + enc(contentType) + "&exp=" + exp + "&sig=" + sig);
    }

    @Override
    public URI downloadUrl(String key, Delivery d, Instant expires) {
        BlobStore.requireKey(key);
        String exp = Long.toString(expires.getEpochSecond());
        String disp = d.download() ? "attachment" : "inline";
        String sig = signer.sign("GET", key, exp, disp, d.contentType(), d.fileName());
        return URI.create(PREFIX + key + "?exp=" + exp + "&disp=" + disp + "&type=" + enc(d.contentType()) + "&name="
                + enc(d.fileName()) + "&sig=" + sig);
    }

    /** What a signed upload URL allows: the key, the exact size and type. */
    public record UploadGrant(String key, long size, String contentType) {}

    /** What a signed download URL serves. */
    public record DownloadGrant(String key, Delivery delivery) {}

    /**
     * The grant of an upload URL's path (after {@link #PREFIX}) and query, or null when the signature does not match,
     * the URL expired or the key is malformed: the caller answers 403 and says nothing about the blob.
     */
    public UploadGrant verifyUpload(String key, Map<String, String> query) {
        String size = query.get("size");
        String type = query.get("type");
        String exp = query.get("exp");
        if (!BlobStore.validKey(key) || size == null || type == null || !live(exp)) {
            return null;
        }
        if (!signer.verify(query.get("sig"), "PUT", key, size, type, exp)) {
            return null;
        }
        try {
            return new UploadGrant(key, Long.parseLong(size), type);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** As {@link #verifyUpload}, for a download URL. */
    public DownloadGrant verifyDownload(String key, Map<String, String> query) {
        String exp = query.get("exp");
        String disp = query.get("disp");
        String type = query.get("type");
        String name = query.get("name");
        if (!BlobStore.validKey(key) || type == null || name == null || !live(exp)) {
            return null;
        }
        if (!("attachment".equals(disp) || "inline".equals(disp))) {
            return null;
        }
        if (!signer.verify(query.get("sig"), "GET", key, exp, disp, type, name)) {
            return null;
        }
        return new DownloadGrant(key, new Delivery(name, type, "attachment".equals(disp)));
    }

    private boolean live(String exp) {
        if (exp == null) {
            return false;
        }
        try {
            return clock.instant().getEpochSecond() <= Long.parseLong(exp);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The file of a key (it may not exist). */
    public Path path(String key) {
        return root.resolve(BlobStore.requireKey(key));
    }

    /** A fresh temporary file name for an upload of {@code key}, on the same file system (for the atomic move). */
    public Path incoming() {
        return root.resolve(".incoming").resolve(UUID.randomUUID() + ".part");
    }

    /**
     * Moves a complete upload into place, atomically. {@link FileAlreadyExistsException} when the key exists already
     * (one upload per slot). Blocks.
     */
    public void commit(Path incoming, String key) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        try {
            Files.move(incoming, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the blob directory must allow atomic renames: " + root, e);
        }
    }

    @Override
    public OptionalLong size(String key) throws IOException {
        Path p = path(key);
        try {
            return OptionalLong.of(Files.size(p));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key));
    }

    @Override
    public void put(String key, InputStream in, long size, String contentType) throws IOException {
        Path tmp = incoming();
        try {
            long n;
            try (var out = Files.newOutputStream(tmp)) {
                n = in.transferTo(out);
            }
            if (n != size) {
                throw new IOException("expected " + size + " bytes, got " + n);
            }
            Path target = path(key);
            Files.createDirectories(target.getParent());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(path(key));
    }

    @Override
    public void close() {}

    /** Parses a raw query string (the route's), decoding each value. */
    public static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int i = pair.indexOf('=');
            if (i > 0) {
                out.putIfAbsent(
                        URLDecoder.decode(pair.substring(0, i), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
