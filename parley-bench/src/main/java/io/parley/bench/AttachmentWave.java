package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.server.auth.HmacJwt;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The attachment side of {@link UploadBench}: {@code pairs} users each with a direct conversation with a peer of
 * their own. One wave ({@link #run}) is every user's upload at once (the whole flow of docs/api.md: slot, PUT to the
 * signed URL, finalize, the attachment message), then, once each of those attachments is {@code ready} (the status
 * in the message's ack, or a later {@code attachment} event in the conversation's log, read by the peer through
 * {@code GET .../events}), every peer's download at once through the members-only endpoint, following its redirect to
 * the signed URL, with the SHA-256 of the bytes received compared to the SHA-256 of the bytes sent. So every download
 * is by a member who did not upload. A wave waits for its downloads before it returns; failures are counted (and
 * printed), never thrown.
 */
final class AttachmentWave {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often a peer reads its conversation's log while an attachment is pending. */
    private static final long POLL_MS = 200;

    private final int bytes;
    private final Duration readyTimeout;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Pair> pairs = new ArrayList<>();
    final Phase uploads = new Phase();
    final Phase downloads = new Phase();
    /** From the attachment message's ack to the peer seeing {@code ready}. */
    final ConcurrentHistogram readyWait = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
    /** Downloads whose bytes had another SHA-256 than the upload's (counted in {@code downloads.failed} too). */
    final LongAdder mismatches = new LongAdder();

    /** The times and failures of one side (uploads or downloads) over all waves. */
    static final class Phase {
        final ConcurrentHistogram took = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
        final LongAdder failed = new LongAdder();
        /** Wall time of this side over all waves, from its first request to its last answer. */
        long nanos;

        long done() {
            return took.getTotalCount();
        }

        double megabytesPerSecond(int bytes) {
            return nanos == 0 ? 0 : done() * (double) bytes / 1e6 / (nanos / 1e9);
        }

        String summary(int bytes) {
            return String.format(
                    "%d done, %d failed; p50 %.0f ms, p99 %.0f ms, max %.0f ms; %.1f MB/s",
                    done(),
                    failed.sum(),
                    took.getValueAtPercentile(50) / 1000.0,
                    took.getValueAtPercentile(99) / 1000.0,
                    took.getMaxValue() / 1000.0,
                    megabytesPerSecond(bytes));
        }
    }

    private AttachmentWave(int bytes, Duration readyTimeout) {
        this.bytes = bytes;
        this.readyTimeout = readyTimeout;
    }

    /** Creates the users, their peers and their conversations on the server at {@code url}. */
    static AttachmentWave setUp(String url, String secret, String run, int pairs, int bytes, Duration readyTimeout)
            throws Exception {
        AttachmentWave w = new AttachmentWave(bytes, readyTimeout);
        HmacJwt jwt = new HmacJwt(secret.getBytes(StandardCharsets.UTF_8), "parley", null, Clock.systemUTC());
        ServerRest rest = new ServerRest(url);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String peerId = "up" + run + "-peer" + i;
            Pair p = w
            .new Pair(
                    jwt.issue("up" + run + "-" + i, Duration.ofHours(6)),
                    jwt.issue(peerId, Duration.ofHours(6)),
                    new Random(i));
            w.pairs.add(p);
            all.add(rest.call("GET", "/api/v1/me", p.peerToken, null)
                    .thenCompose(x -> rest.call("GET", "/api/v1/me", p.token, null))
                    .thenCompose(x -> rest.call(
                            "POST",
                            "/api/v1/conversations",
                            p.token,
                            JSON.createObjectNode()
                                    .put("type", "direct")
                                    .put("userId", peerId)
                                    .toString()))
                    .thenAccept(body -> p.conversationId = body.path("id").asText()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        return w;
    }

    /** One wave: all uploads at once, then (each one ready) all downloads at once. */
    void run(String base) throws Exception {
        downloadAll(base, awaitReady(uploadAll(base)));
    }

    /** Every pair's upload at once; the ones that succeeded (the others are counted as failed). */
    List<Uploaded> uploadAll(String base) throws Exception {
        long t0 = System.nanoTime();
        List<Uploaded> done = all(pairs.stream().map(p -> p.upload(base)).toList());
        uploads.nanos += System.nanoTime() - t0;
        return done;
    }

    /** Until each upload is ready for its peer; the ones that got there (the others are failed downloads). */
    List<Uploaded> awaitReady(List<Uploaded> sent) throws Exception {
        return all(
                sent.stream().map(u -> u.ready.thenApply(ok -> ok ? u : null)).toList());
    }

    /** Every peer's download at once. */
    void downloadAll(String base, List<Uploaded> ready) throws Exception {
        long t0 = System.nanoTime();
        all(ready.stream().map(u -> u.pair.download(base, u)).toList());
        downloads.nanos += System.nanoTime() - t0;
    }

    private static <T> List<T> all(List<CompletableFuture<T>> fs) throws Exception {
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        return fs.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList();
    }

    /**
     * An upload sent in its message; {@code ready} completes (true) once its peer has seen it ready, a wait that
     * starts at the message's ack, while the wave's other uploads may still be running.
     */
    record Uploaded(Pair pair, String attachmentId, CompletableFuture<Boolean> ready) {}

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final class Pair {
        final String token;
        final String peerToken;
        final byte[] body;
        final byte[] sha;
        volatile String conversationId;
        int sent;

        Pair(String token, String peerToken, Random random) {
            this.token = token;
            this.peerToken = peerToken;
            this.body = new byte[bytes];
            random.nextBytes(body); // application/zip is sniffed from "PK\3\4"; the rest is noise
            body[0] = 'P';
            body[1] = 'K';
            body[2] = 3;
            body[3] = 4;
            this.sha = sha256(body);
        }

        /** The upload's flow; completes with null when it failed (counted). */
        CompletableFuture<Uploaded> upload(String base) {
            long t0 = System.nanoTime();
            ObjectNode slot = JSON.createObjectNode()
                    .put("name", "bench-" + sent++ + ".zip")
                    .put("contentType", "application/zip")
                    .put("size", bytes);
            return json(token, "POST", base + "/api/v1/conversations/" + conversationId + "/attachments", slot)
                    .thenCompose(s -> {
                        JsonNode up = s.path("upload");
                        String u = up.path("url").asText();
                        HttpRequest.Builder b = HttpRequest.newBuilder(
                                        URI.create(base).resolve(u))
                                .timeout(Duration.ofMinutes(5))
                                .method(up.path("method").asText("PUT"), HttpRequest.BodyPublishers.ofByteArray(body));
                        up.path("headers")
                                .fields()
                                .forEachRemaining(
                                        h -> b.header(h.getKey(), h.getValue().asText()));
                        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                                .thenCompose(r -> {
                                    if (r.statusCode() != 200) {
                                        throw new IllegalStateException("PUT -> " + r.statusCode() + " " + r.body());
                                    }
                                    return json(
                                            token,
                                            "POST",
                                            base + "/api/v1/attachments/"
                                                    + s.path("id").asText() + "/finalize",
                                            null);
                                });
                    })
                    .thenCompose(a -> {
                        String id = a.path("id").asText();
                        ObjectNode m = JSON.createObjectNode().put("clientMsgId", "up-" + id);
                        m.set("attachments", JSON.createArrayNode().add(id));
                        return json(
                                        token,
                                        "POST",
                                        base + "/api/v1/conversations/" + conversationId + "/attachment-messages",
                                        m)
                                .thenApply(ack -> {
                                    // The ack carries the attachment's event with its status at that moment.
                                    JsonNode ev = ack.path("events").path(0);
                                    return new Uploaded(
                                            this,
                                            id,
                                            awaitReady(
                                                    base,
                                                    id,
                                                    ev.path("attachment")
                                                            .path("status")
                                                            .asText(),
                                                    ev.path("seq")
                                                            .asLong(ack.path("seq")
                                                                    .asLong())));
                                });
                    })
                    .handle((ok, err) -> {
                        if (err != null) {
                            uploads.failed.increment();
                            System.out.println("upload failed: " + err.getMessage());
                            return null;
                        }
                        uploads.took.recordValue((System.nanoTime() - t0) / 1000);
                        return ok;
                    });
        }

        /**
         * Completes with true once the peer knows the attachment is ready (its status in the ack, else a later event
         * in the log); with false (a failed download, counted) if it was rejected or never got there.
         */
        private CompletableFuture<Boolean> awaitReady(String base, String id, String status, long afterSeq) {
            long acked = System.nanoTime();
            return poll(base, id, status, afterSeq, acked + readyTimeout.toNanos())
                    .handle((ok, err) -> {
                        if (err != null) {
                            downloads.failed.increment();
                            System.out.println("download failed: " + err.getMessage());
                            return false;
                        }
                        readyWait.recordValue((System.nanoTime() - acked) / 1000);
                        return true;
                    });
        }

        private CompletableFuture<Void> poll(String base, String id, String status, long after, long deadline) {
            if (status.equals("ready")) {
                return CompletableFuture.completedFuture(null);
            }
            if (status.equals("rejected")) {
                return CompletableFuture.failedFuture(new IllegalStateException(id + " was rejected"));
            }
            if (System.nanoTime() > deadline) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        id + " still " + status + " after " + readyTimeout.toSeconds() + " s"));
            }
            String events = base + "/api/v1/conversations/" + conversationId + "/events?after=" + after + "&limit=200";
            return CompletableFuture.supplyAsync(
                            () -> null, CompletableFuture.delayedExecutor(POLL_MS, TimeUnit.MILLISECONDS))
                    .thenCompose(x -> json(peerToken, "GET", events, null))
                    .thenCompose(page -> {
                        String now = status;
                        long last = after;
                        for (JsonNode e : page.path("events")) {
                            last = Math.max(last, e.path("seq").asLong());
                            JsonNode a = e.path("attachment");
                            if (e.path("kind").asText().equals("attachment")
                                    && a.path("id").asText().equals(id)) {
                                now = a.path("status").asText();
                            }
                        }
                        return poll(base, id, now, last, deadline);
                    });
        }

        /** The peer's download: the members-only endpoint, its redirect followed, the bytes' SHA-256 compared. */
        CompletableFuture<Boolean> download(String base, Uploaded u) {
            long t0 = System.nanoTime();
            URI endpoint = URI.create(base + "/api/v1/attachments/" + u.attachmentId + "/download");
            HttpRequest first = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofMinutes(2))
                    .header("Authorization", "Bearer " + peerToken)
                    .GET()
                    .build();
            return http.sendAsync(first, DigestBody.HANDLER)
                    .thenCompose(r -> {
                        if (r.statusCode() == 200) {
                            return CompletableFuture.completedFuture(r); // a store that streams the file itself
                        }
                        String to = r.headers().firstValue("Location").orElse(null);
                        if (r.statusCode() != 302 || to == null) {
                            throw new IllegalStateException("GET " + endpoint + " -> " + r.statusCode() + " "
                                    + r.body().error());
                        }
                        HttpRequest signed = HttpRequest.newBuilder(endpoint.resolve(to))
                                .timeout(Duration.ofMinutes(5))
                                .GET()
                                .build();
                        return http.sendAsync(signed, DigestBody.HANDLER);
                    })
                    .thenApply(r -> {
                        DigestBody.Got got = r.body();
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException(
                                    "GET " + r.uri() + " -> " + r.statusCode() + " " + got.error());
                        }
                        if (got.size() != bytes || !MessageDigest.isEqual(got.sha256(), sha)) {
                            mismatches.increment();
                            throw new IllegalStateException(u.attachmentId + ": got " + got.size()
                                    + " bytes with another SHA-256 than the " + bytes + " uploaded");
                        }
                        downloads.took.recordValue((System.nanoTime() - t0) / 1000);
                        return true;
                    })
                    .exceptionally(err -> {
                        downloads.failed.increment();
                        System.out.println("download failed: " + err.getMessage());
                        return false;
                    });
        }
    }

    private CompletableFuture<JsonNode> json(String token, String method, String url, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + url + " -> " + r.statusCode() + " " + r.body());
            }
            try {
                return JSON.readTree(r.body());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
