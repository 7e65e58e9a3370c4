package io.parley.server.attach;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.protocol.ErrorCode;
import io.parley.server.blob.BlobStore;
import io.parley.server.config.Config;
import io.parley.server.scan.Scanner;
import io.parley.server.store.Attachment;
import io.parley.server.store.AttachmentRefused;
import io.parley.server.store.AttachmentStatus;
import io.parley.server.store.AttachmentStore;
import io.parley.server.store.ChatStore;
import io.parley.server.store.NewMessage;
import io.parley.server.store.StoreException;
import io.parley.server.time.Scheduler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attachment rules (docs/api.md "Attachments"): slots, finalize, quarantine and scans, messages that refer to
 * attachments, members-only downloads, and the collector. Every blob read or write and every scan runs on this part's
 * own worker threads ({@code parley-attachments-N}), never on an event loop; timers (scan retries, the collector)
 * come from the node's {@link Scheduler}.
 *
 * <p>Every refusal is an {@link AttachmentRefused} with its {@link ErrorCode}. An attachment a user may not see
 * (another conversation's, a removed member's, one of a deleted message, a rejected one) is {@code not_found},
 * exactly as one that does not exist.
 */
public final class Attachments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Attachments.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("io.parley.audit.attachments");

    /** At most this many attachments per message. */
    public static final int MAX_PER_MESSAGE = 10;

    private final Config.Attachments cfg;
    private final int maxCaptionChars;
    private final AttachmentStore store;
    private final ChatStore chat;
    private final BlobStore blobs;
    private final Scanner scanner;
    private final Scheduler scheduler;
    private final ExecutorService workers;
    private final Counter scanFailures;
    private final Counter scansClean;
    private final Counter scansInfected;
    private final Scheduler.Cancellable collector;
    private volatile boolean closed;

    public Attachments(
            Config.Attachments cfg,
            int maxCaptionChars,
            AttachmentStore store,
            ChatStore chat,
            BlobStore blobs,
            Scanner scanner,
            Scheduler scheduler,
            MeterRegistry registry) {
        this.cfg = cfg;
        this.maxCaptionChars = maxCaptionChars;
        this.store = store;
        this.chat = chat;
        this.blobs = blobs;
        this.scanner = scanner;
        this.scheduler = scheduler;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "parley-attachments-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scanFailures = Counter.builder("parley_attachment_scan_failures")
                .description("Scans that could not run (scanner down, timeout, unknown answer): the file stays pending")
                .tag("scanner", scanner.name())
                .register(registry);
        this.scansClean = Counter.builder("parley_attachment_scans")
                .tag("scanner", scanner.name())
                .tag("verdict", "clean")
                .register(registry);
        this.scansInfected = Counter.builder("parley_attachment_scans")
                .tag("scanner", scanner.name())
                .tag("verdict", "infected")
                .register(registry);
        ImageIO.setUseCache(false);
        this.collector = scheduler.every(Duration.ofMinutes(1), this::collect);
    }

    /** Scans what was left pending (a node stopped mid-scan, the scanner was down). */
    public CompletableFuture<Void> resumePending() {
        return store.pending(10_000).thenAccept(list -> list.forEach(a -> scan(a.id())));
    }

    // ---- slots -----------------------------------------------------------------------------------------------------

    /** A slot and where to PUT its bytes. */
    public record Slot(Attachment attachment, URI uploadUrl, Instant expiresAt) {}

    public CompletableFuture<Slot> createSlot(
            String userId, String conversationId, String name, String declaredType, long size, String sha256) {
        try {
            FileNames.check(name);
            String type = declaredType.trim().toLowerCase(Locale.ROOT);
            if (size == 0) {
                throw refused(ErrorCode.ATTACHMENT_EMPTY, "an attachment has at least one byte");
            }
            if (size < 0) {
                throw refused(ErrorCode.INVALID_FIELD, "field 'size' must be a positive number of bytes");
            }
            if (size > cfg.maxBytes()) {
                throw refused(
                        ErrorCode.ATTACHMENT_TOO_LARGE,
                        "the file has " + size + " bytes; the limit is " + cfg.maxBytes());
            }
            if (!cfg.allowedTypes().contains(type)) {
                throw refused(ErrorCode.ATTACHMENT_TYPE_UNSUPPORTED, "type '" + type + "' is not accepted here");
            }
            if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
                throw refused(ErrorCode.INVALID_FIELD, "field 'sha256' must be 64 hex digits");
            }
            long now = scheduler.clock().millis();
            String id = newId();
            Instant expires = Instant.ofEpochMilli(now).plus(cfg.slotTtl());
            Attachment a = new Attachment(
                    id,
                    conversationId,
                    userId,
                    name,
                    type,
                    null,
                    size,
                    sha256 == null ? null : sha256.toLowerCase(Locale.ROOT),
                    AttachmentStatus.SLOT,
                    null,
                    "a/" + id,
                    null,
                    null,
                    null,
                    now,
                    expires.toEpochMilli(),
                    null);
            return mapped(store.createSlot(a))
                    .thenApply(s -> new Slot(s, blobs.uploadUrl(s.blobKey(), type, size, expires), expires));
        } catch (AttachmentRefused e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- finalize --------------------------------------------------------------------------------------------------

    /**
     * Checks the uploaded bytes (present, exact size, sniffed type equal to the declared one and allowed, checksum),
     * strips image metadata, makes the thumbnail, then moves the slot to pending and starts its scan. A refused
     * finalize deletes the bytes, so the uploader starts again with a new slot; nothing of it is ever visible.
     */
    public CompletableFuture<Attachment> finalizeUpload(String userId, String id) {
        return mapped(store.find(id)).thenCompose(found -> {
            Attachment a = found.filter(x -> x.uploaderId().equals(userId)).orElseThrow(Attachments::notFound);
            if (a.status() != AttachmentStatus.SLOT) {
                throw refused(ErrorCode.ATTACHMENT_ALREADY_FINALIZED, "the attachment is finalized");
            }
            if (scheduler.clock().millis() > a.expiresAt()) {
                throw refused(ErrorCode.ATTACHMENT_SLOT_EXPIRED, "the upload slot expired; ask for a new one");
            }
            return CompletableFuture.supplyAsync(() -> inspect(a), workers)
                    .thenCompose(ins -> mapped(store.finalizeUpload(
                            id,
                            userId,
                            ins.type(),
                            ins.width(),
                            ins.height(),
                            ins.thumbnailKey(),
                            scheduler.clock().millis())))
                    .thenApply(done -> {
                        scan(done.id());
                        return done;
                    });
        });
    }

    private record Inspection(String type, Integer width, Integer height, String thumbnailKey) {}

    private Inspection inspect(Attachment a) {
        try {
            var size = blobs.size(a.blobKey());
            if (size.isEmpty()) {
                throw refused(ErrorCode.ATTACHMENT_INCOMPLETE, "no bytes were uploaded for this attachment");
            }
            if (size.getAsLong() != a.size()) {
                blobs.delete(a.blobKey());
                throw refused(
                        ErrorCode.ATTACHMENT_INCOMPLETE,
                        "the upload has " + size.getAsLong() + " bytes, not the " + a.size() + " declared");
            }
            byte[] head = new byte[Sniffer.HEAD];
            int n;
            String sha;
            try (InputStream in = blobs.open(a.blobKey())) {
                MessageDigest md = sha256();
                n = in.readNBytes(head, 0, head.length);
                md.update(head, 0, n);
                byte[] buf = new byte[64 * 1024];
                int r;
                while ((r = in.read(buf)) > 0) {
                    md.update(buf, 0, r);
                }
                sha = HexFormat.of().formatHex(md.digest());
            }
            String sniffed = Sniffer.sniff(head, n);
            if (!sniffed.equals(a.declaredType())) {
                blobs.delete(a.blobKey());
                throw refused(
                        ErrorCode.ATTACHMENT_TYPE_MISMATCH,
                        "the bytes are " + sniffed + ", not the " + a.declaredType() + " declared");
            }
            if (!cfg.allowedTypes().contains(sniffed)) {
                blobs.delete(a.blobKey());
                throw refused(ErrorCode.ATTACHMENT_TYPE_UNSUPPORTED, "type '" + sniffed + "' is not accepted here");
            }
            if (a.sha256() != null && !a.sha256().equals(sha)) {
                blobs.delete(a.blobKey());
                throw refused(ErrorCode.ATTACHMENT_CHECKSUM_MISMATCH, "the bytes do not have the SHA-256 declared");
            }
            if (!sniffed.startsWith("image/")) {
                return new Inspection(sniffed, null, null, null);
            }
            if (Images.strippable(sniffed)) {
                stripInPlace(a.blobKey(), sniffed);
            }
            Images.Thumbnail t;
            try (InputStream in = blobs.open(a.blobKey())) {
                t = Images.thumbnail(in);
            }
            if (t == null) {
                return new Inspection(sniffed, null, null, null);
            }
            String thumbKey = a.blobKey() + "-thumb";
            Path tmp = Files.createTempFile("parley-thumb", ".jpg");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    ImageIO.write(t.image(), "jpeg", out);
                }
                try (InputStream in = Files.newInputStream(tmp)) {
                    blobs.put(thumbKey, in, Files.size(tmp), "image/jpeg");
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return new Inspection(sniffed, t.width(), t.height(), thumbKey);
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    /** Rewrites an image without its metadata (EXIF GPS among it); the stored size becomes the stripped one's. */
    private void stripInPlace(String key, String type) throws IOException {
        Path tmp = Files.createTempFile("parley-strip", ".img");
        try {
            try (InputStream in = blobs.open(key);
                    OutputStream out = Files.newOutputStream(tmp)) {
                Images.strip(type, in, out);
            }
            try (InputStream in = Files.newInputStream(tmp)) {
                blobs.put(key, in, Files.size(tmp), type);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- scans -----------------------------------------------------------------------------------------------------

    /** Scans a pending attachment on a worker; on failure it stays pending and is tried again after scan-retry. */
    void scan(String id) {
        if (closed) {
            return;
        }
        CompletableFuture.runAsync(() -> scanNow(id), workers).whenComplete((v, err) -> {
            if (err != null) {
                LOG.warn("scan of attachment {} failed", id, err);
            }
        });
    }

    private void scanNow(String id) {
        Attachment a = store.find(id).join().orElse(null);
        if (a == null || a.status() != AttachmentStatus.PENDING || a.deletedAt() != null) {
            return;
        }
        Scanner.Verdict v;
        try (InputStream in = blobs.open(a.blobKey())) {
            v = scanner.scan(in);
        } catch (IOException e) {
            scanFailures.increment();
            if (cfg.failOpen()) {
                LOG.warn("scanner failed on attachment {}; serving it unscanned (attachments.scan-fail-open)", id, e);
                v = Scanner.Verdict.clean();
            } else {
                LOG.warn("scanner failed on attachment {}; it stays pending, next try in {}", id, cfg.scanRetry(), e);
                if (!closed) {
                    scheduler.after(cfg.scanRetry(), () -> scan(id));
                }
                return;
            }
        }
        long now = scheduler.clock().millis();
        if (v.infected()) {
            scansInfected.increment();
            AUDIT.warn(
                    "attachment rejected: id={} conversation={} uploader={} signature={}",
                    id,
                    a.conversationId(),
                    a.uploaderId(),
                    v.signature());
            store.scanned(id, AttachmentStatus.REJECTED, now).join();
            deleteBlobs(a);
        } else {
            scansClean.increment();
            store.scanned(id, AttachmentStatus.READY, now).join();
        }
    }

    // ---- messages --------------------------------------------------------------------------------------------------

    public CompletableFuture<AttachmentStore.AttachedMessage> send(
            String userId, String conversationId, String clientMsgId, String caption, List<String> ids) {
        try {
            if (ids.isEmpty() || ids.size() > MAX_PER_MESSAGE) {
                throw refused(ErrorCode.INVALID_FIELD, "a message has 1 to " + MAX_PER_MESSAGE + " attachments");
            }
            String body = caption == null ? "" : caption.strip();
            if (body.codePointCount(0, body.length()) > maxCaptionChars) {
                throw refused(ErrorCode.BODY_TOO_LONG, "the caption is longer than " + maxCaptionChars + " characters");
            }
            long now = scheduler.clock().millis();
            NewMessage m = new NewMessage(conversationId, userId, clientMsgId, body, messageId(now), now);
            return mapped(store.appendWithAttachments(m, ids));
        } catch (AttachmentRefused e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- reads and downloads ---------------------------------------------------------------------------------------

    /** The attachment if {@code userId} may see it now (see the class comment), else not_found. */
    public CompletableFuture<Attachment> visible(String userId, String id) {
        return mapped(store.find(id)).thenCompose(found -> {
            Attachment a = found.orElseThrow(Attachments::notFound);
            if (a.deletedAt() != null) {
                throw notFound();
            }
            boolean own = a.uploaderId().equals(userId);
            if (a.messageId() == null && !own) {
                throw notFound();
            }
            return mapped(chat.roleOf(a.conversationId(), userId)).thenApply(role -> {
                if (role.isEmpty()) {
                    throw notFound();
                }
                return a;
            });
        });
    }

    /** A download URL valid for attachments.download-ttl, after checking membership now. */
    public record Download(URI url, Instant expiresAt) {}

    public CompletableFuture<Download> download(String userId, String id, boolean thumbnail) {
        return visible(userId, id).thenApply(a -> {
            if (a.status() == AttachmentStatus.REJECTED) {
                throw notFound();
            }
            if (a.status() != AttachmentStatus.READY) {
                throw refused(ErrorCode.ATTACHMENT_NOT_READY, "the attachment is still being scanned");
            }
            Instant expires = scheduler.clock().instant().plus(cfg.downloadTtl());
            if (thumbnail) {
                if (a.thumbnailKey() == null) {
                    throw notFound();
                }
                return new Download(
                        blobs.downloadUrl(
                                a.thumbnailKey(), new BlobStore.Delivery(thumbName(a), "image/jpeg", false), expires),
                        expires);
            }
            String type = a.contentType();
            boolean inline = Sniffer.inlineImage(type);
            String served = Sniffer.executable(type) ? "application/octet-stream" : type;
            return new Download(
                    blobs.downloadUrl(a.blobKey(), new BlobStore.Delivery(a.name(), served, !inline), expires),
                    expires);
        });
    }

    private static String thumbName(Attachment a) {
        return "thumbnail-" + a.id() + ".jpg";
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------------

    /**
     * Removes the blobs and rows of uploads no message referred to within attachments.unreferenced-ttl and of
     * messages deleted more than attachments.moderation-hold ago. Runs every minute; tests call it directly.
     */
    public CompletableFuture<Integer> collect() {
        if (closed) {
            return CompletableFuture.completedFuture(0);
        }
        long now = scheduler.clock().millis();
        return store.collectable(
                        now - cfg.unreferencedTtl().toMillis(),
                        now - cfg.moderationHold().toMillis() + 1,
                        1000)
                .thenApplyAsync(
                        list -> {
                            int n = 0;
                            for (Attachment a : list) {
                                deleteBlobs(a);
                                if (store.forget(a.id()).join()) {
                                    n++;
                                }
                            }
                            return n;
                        },
                        workers)
                .whenComplete((n, err) -> {
                    if (err != null) {
                        LOG.warn("collecting attachments failed; next run in a minute", err);
                    }
                });
    }

    private void deleteBlobs(Attachment a) {
        try {
            blobs.delete(a.blobKey());
            if (a.thumbnailKey() != null) {
                blobs.delete(a.thumbnailKey());
            }
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        collector.cancel();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** Maps the store's failures to attachment codes: NotFound is not_found (nothing revealed). */
    private static <T> CompletableFuture<T> mapped(CompletableFuture<T> f) {
        return f.handle((v, err) -> {
            if (err == null) {
                return v;
            }
            Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (c instanceof AttachmentRefused r) {
                throw r;
            }
            if (c instanceof StoreException.NotFound nf) {
                throw new AttachmentRefused(
                        nf.getMessage().startsWith("conversation")
                                ? ErrorCode.CONVERSATION_NOT_FOUND
                                : ErrorCode.ATTACHMENT_NOT_FOUND,
                        nf.getMessage());
            }
            throw err instanceof CompletionException ce ? ce : new CompletionException(c);
        });
    }

    private static AttachmentRefused refused(ErrorCode code, String why) {
        return new AttachmentRefused(code, why);
    }

    private static AttachmentRefused notFound() {
        return new AttachmentRefused(ErrorCode.ATTACHMENT_NOT_FOUND, "attachment not found");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private static String newId() {
        return "att_" + random(20);
    }

    private static String messageId(long now) {
        StringBuilder sb = new StringBuilder(24).append("m_");
        for (int i = 9; i >= 0; i--) {
            sb.append(ALPHABET[(int) ((now >>> (i * 5)) & 31)]);
        }
        return sb.append(random(12)).toString();
    }

    private static String random(int chars) {
        StringBuilder sb = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(32)]);
        }
        return sb.toString();
    }
}
