package io.parley.bench;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A response body read for its SHA-256 and size, never held whole: a download of 1 MiB (or 100 MiB) costs the bench
 * one buffer at a time, not the file. Any status but 200 is read as text instead, for the failure's message.
 */
final class DigestBody implements HttpResponse.BodySubscriber<DigestBody.Got> {
    /** What was received: the body's SHA-256 and size (200), or the error body's text (other statuses). */
    record Got(byte[] sha256, long size, String error) {}

    static final HttpResponse.BodyHandler<Got> HANDLER = info -> info.statusCode() == 200
            ? new DigestBody()
            : HttpResponse.BodySubscribers.mapping(
                    HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8), s -> new Got(null, 0, s));

    private final MessageDigest md;
    private final CompletableFuture<Got> result = new CompletableFuture<>();
    private long size;

    DigestBody() {
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        for (ByteBuffer b : item) {
            size += b.remaining();
            md.update(b);
        }
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        result.complete(new Got(md.digest(), size, null));
    }

    @Override
    public CompletableFuture<Got> getBody() {
        return result;
    }
}
