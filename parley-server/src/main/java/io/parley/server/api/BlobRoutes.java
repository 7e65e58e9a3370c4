package io.parley.server.api;

import io.parley.protocol.ErrorCode;
import io.parley.server.blob.FileBlobStore;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded blob store's signed URLs ({@code /blobs/<key>?...&sig=}), served by Parley: PUT streams the request body
 * to a temporary file (Vert.x's file writes, with back-pressure: never the whole file in memory), checks the exact
 * size and type the URL was signed for, then moves the file into place atomically; GET streams the file (one byte
 * range when asked) with the type and disposition the URL was signed for, {@code nosniff} and a sandboxing CSP. A bad,
 * expired or altered signature is 403 whether or not the blob exists; a valid URL to a blob that is gone is 404.
 */
public final class BlobRoutes {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final Vertx vertx;
    private final FileBlobStore blobs;

    public BlobRoutes(Vertx vertx, FileBlobStore blobs) {
        this.vertx = vertx;
        this.blobs = blobs;
    }

    public void mount(Router router) {
        router.put(FileBlobStore.PREFIX + "*").handler(this::put);
        router.get(FileBlobStore.PREFIX + "*").handler(this::get);
        router.head(FileBlobStore.PREFIX + "*").handler(this::get);
    }

    private static String key(RoutingContext ctx) {
        return ctx.request().path().substring(FileBlobStore.PREFIX.length());
    }

    private void put(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        FileBlobStore.UploadGrant g = blobs.verifyUpload(key(ctx), FileBlobStore.query(req.query()));
        if (g == null) {
            Http.error(ctx, ErrorCode.FORBIDDEN, "this upload URL is not valid (expired or altered)");
            return;
        }
        String type = req.getHeader("Content-Type");
        if (type == null || !type.trim().equalsIgnoreCase(g.contentType())) {
            Http.error(ctx, ErrorCode.ATTACHMENT_TYPE_MISMATCH, "the upload must have Content-Type " + g.contentType());
            return;
        }
        String length = req.getHeader("Content-Length");
        if (length == null || !length.trim().equals(Long.toString(g.size()))) {
            Http.error(
                    ctx,
                    ErrorCode.ATTACHMENT_INCOMPLETE,
                    "the upload must have Content-Length " + g.size() + " (the size of the slot)");
            return;
        }
        Path incoming = blobs.incoming();
        req.pause();
        vertx.fileSystem()
                .open(incoming.toString(), new OpenOptions().setCreateNew(true).setWrite(true))
                .onFailure(err -> fail(ctx, incoming, err))
                .onSuccess(file -> req.pipeTo(file)
                        .compose(v -> vertx.fileSystem().props(incoming.toString()))
                        .onFailure(err -> fail(ctx, incoming, err))
                        .onSuccess(props -> {
                            if (props.size() != g.size()) {
                                fail(ctx, incoming, null);
                                return;
                            }
                            vertx.<Void>executeBlocking(() -> {
                                        blobs.commit(incoming, g.key());
                                        return null;
                                    })
                                    .onSuccess(x ->
                                            ctx.response().setStatusCode(200).end())
                                    .onFailure(err -> {
                                        deleteQuietly(incoming);
                                        if (err instanceof FileAlreadyExistsException) {
                                            Http.error(ctx, ErrorCode.CONFLICT, "this slot has its bytes already");
                                        } else {
                                            Http.fail(ctx, err);
                                        }
                                    });
                        }));
    }

    private void fail(RoutingContext ctx, Path incoming, Throwable err) {
        vertx.executeBlocking(() -> {
            deleteQuietly(incoming);
            return null;
        });
        if (ctx.response().ended()) {
            return;
        }
        if (err == null) {
            Http.error(ctx, ErrorCode.ATTACHMENT_INCOMPLETE, "the upload ended before its declared size");
        } else {
            Http.fail(ctx, err);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // A leftover .part file under blobs/.incoming is harmless; the next start does not read it.
            org.slf4j.LoggerFactory.getLogger(BlobRoutes.class).warn("could not delete {}", p, e);
        }
    }

    private void get(RoutingContext ctx) {
        Map<String, String> q = FileBlobStore.query(ctx.request().query());
        FileBlobStore.DownloadGrant g = blobs.verifyDownload(key(ctx), q);
        if (g == null) {
            Http.error(ctx, ErrorCode.FORBIDDEN, "this download URL is not valid (expired or altered)");
            return;
        }
        Path path = blobs.path(g.key());
        vertx.fileSystem()
                .props(path.toString())
                .onFailure(err -> notFound(ctx))
                .onSuccess(props -> {
                    long size = props.size();
                    long from = 0;
                    long to = size - 1;
                    HttpServerResponse r = ctx.response();
                    String range = ctx.request().getHeader("Range");
                    if (range != null) {
                        Matcher m = RANGE.matcher(range.trim());
                        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
                            r.setStatusCode(416)
                                    .putHeader("Content-Range", "bytes */" + size)
                                    .end();
                            return;
                        }
                        if (m.group(1).isEmpty()) {
                            from = Math.max(0, size - Long.parseLong(m.group(2)));
                        } else {
                            from = Long.parseLong(m.group(1));
                            if (!m.group(2).isEmpty()) {
                                to = Math.min(to, Long.parseLong(m.group(2)));
                            }
                        }
                        if (from > to || from >= size) {
                            r.setStatusCode(416)
                                    .putHeader("Content-Range", "bytes */" + size)
                                    .end();
                            return;
                        }
                        r.setStatusCode(206).putHeader("Content-Range", "bytes " + from + "-" + to + "/" + size);
                    } else {
                        r.setStatusCode(200);
                    }
                    String disposition = (g.delivery().download() ? "attachment" : "inline") + "; filename*=UTF-8''"
                            + java.net.URLEncoder.encode(
                                            g.delivery().fileName(), java.nio.charset.StandardCharsets.UTF_8)
                                    .replace("+", "%20");
                    r.putHeader("Content-Type", g.delivery().contentType())
                            .putHeader("Content-Disposition", disposition)
                            .putHeader("X-Content-Type-Options", "nosniff")
                            .putHeader(
                                    "Content-Security-Policy",
                                    "sandbox; default-src 'none'; img-src 'self'; style-src 'none'")
                            .putHeader("Cache-Control", "private, max-age=60")
                            .putHeader("Accept-Ranges", "bytes");
                    if (ctx.request().method().name().equals("HEAD")) {
                        r.putHeader("Content-Length", Long.toString(to - from + 1))
                                .end();
                        return;
                    }
                    r.sendFile(path.toString(), from, to - from + 1).onFailure(err -> ctx.fail(err));
                });
    }

    private static void notFound(RoutingContext ctx) {
        Http.error(ctx, ErrorCode.NOT_FOUND, "not found");
    }
}
