package io.parley.server.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.Poll;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlobStore} promises (its javadoc), through real HTTP to its signed URLs. Extended once per store:
 * {@code FileBlobStoreTest} (Parley's own /blobs/ route) and {@code s3.S3BlobStoreTest} (a real S3Proxy process).
 */
public abstract class BlobStoreContract {
    protected static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    protected BlobStore store;

    /** A fresh, empty store. */
    protected abstract BlobStore create() throws Exception;

    /** Where the store's relative URLs are resolved (the Parley server's base URL); absolute URLs stay. */
    protected abstract URI base();

    @BeforeEach
    void open() throws Exception {
        store = create();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected URI resolve(URI u) {
        return u.isAbsolute() ? u : base().resolve(u);
    }

    protected static String key() {
        return "t/" + UUID.randomUUID();
    }

    protected static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    protected HttpResponse<byte[]> put(URI url, String type, byte[] body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(resolve(url))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", type)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    protected HttpResponse<byte[]> get(URI url, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(url)).timeout(Duration.ofSeconds(30));
        if (range != null) {
            b.header("Range", range);
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Instant inMinutes(int m) {
        return Instant.now().plus(Duration.ofMinutes(m));
    }

    @Test
    void put_thenSizeAndOpen_giveTheBytes_andDeleteRemovesThem() throws Exception {
        String k = key();
        byte[] data = random(100_000);
        assertThat(store.size(k)).isEmpty();
        store.put(k, new ByteArrayInputStream(data), data.length, "application/octet-stream");
        assertThat(store.size(k)).hasValue(data.length);
        try (InputStream in = store.open(k)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        store.delete(k);
        assertThat(store.size(k)).isEmpty();
        store.delete(k);
    }

    @Test
    void uploadUrl_acceptsExactlyTheSignedSizeAndType_andTheBlobIsThenThereWhole() throws Exception {
        String k = key();
        byte[] data = random(300_000);
        URI up = store.uploadUrl(k, "application/pdf", data.length, inMinutes(5));
        assertThat(put(up, "application/pdf", data).statusCode()).isEqualTo(200);
        assertThat(store.size(k)).hasValue(data.length);
        try (InputStream in = store.open(k)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void uploadUrl_withAnotherSize_isRefused_andNothingIsStored() throws Exception {
        String k = key();
        URI up = store.uploadUrl(k, "application/pdf", 1000, inMinutes(5));
        assertThat(put(up, "application/pdf", random(999)).statusCode()).isBetween(400, 499);
        assertThat(put(up, "application/pdf", random(1001)).statusCode()).isBetween(400, 499);
        assertThat(store.size(k)).isEmpty();
    }

    @Test
    void uploadUrl_withAnotherType_isRefused() throws Exception {
        String k = key();
        URI up = store.uploadUrl(k, "image/png", 10, inMinutes(5));
        assertThat(put(up, "text/html", random(10)).statusCode()).isBetween(400, 499);
        assertThat(store.size(k)).isEmpty();
    }

    @Test
    void uploadUrl_forAnotherKey_isRefused_403() throws Exception {
        String k = key();
        String other = key();
        URI up = store.uploadUrl(k, "image/png", 10, inMinutes(5));
        URI forged = URI.create(up.toString().replace(k, other));
        assertThat(put(forged, "image/png", random(10)).statusCode()).isEqualTo(403);
        assertThat(store.size(other)).isEmpty();
    }

    @Test
    void downloadUrl_servesTheBytes_withTheSignedTypeAndDisposition_andRanges() throws Exception {
        String k = key();
        byte[] data = random(50_000);
        store.put(k, new ByteArrayInputStream(data), data.length, "application/octet-stream");
        URI down = store.downloadUrl(k, new BlobStore.Delivery("report 1.pdf", "application/pdf", true), inMinutes(1));
        HttpResponse<byte[]> r = get(down, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(data);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/pdf");
        assertThat(r.headers().firstValue("content-disposition").orElse("")).startsWith("attachment");
        HttpResponse<byte[]> part = get(down, "bytes=100-199");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(data, 100, 200));
    }

    @Test
    void downloadUrl_tampered_isRefused_403_whetherOrNotTheBlobExists() throws Exception {
        String k = key();
        store.put(k, new ByteArrayInputStream(new byte[] {1, 2, 3}), 3, "application/octet-stream");
        URI down =
                store.downloadUrl(k, new BlobStore.Delivery("a.bin", "application/octet-stream", true), inMinutes(1));
        String s = down.toString();
        int i = s.lastIndexOf('=') + 1;
        char c = s.charAt(i) == 'A' ? 'B' : 'A';
        URI tampered = URI.create(s.substring(0, i) + c + s.substring(i + 1));
        assertThat(get(tampered, null).statusCode()).isEqualTo(403);
        URI otherKey = URI.create(s.replace(k, key()));
        assertThat(get(otherKey, null).statusCode()).isEqualTo(403);
    }

    @Test
    void downloadUrl_expired_isRefused_403() throws Exception {
        String k = key();
        store.put(k, new ByteArrayInputStream(new byte[] {1}), 1, "application/octet-stream");
        URI down = store.downloadUrl(
                k,
                new BlobStore.Delivery("a.bin", "application/octet-stream", true),
                Instant.now().plusSeconds(1));
        // Real time: the signed expiry is checked by the serving process (Parley's route or S3Proxy) on its own clock.
        Poll.until(
                () -> {
                    try {
                        return get(down, null).statusCode() == 403;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                },
                Duration.ofSeconds(10),
                "an expired download URL is refused");
    }

    @Test
    void downloadUrl_ofADeletedBlob_servesNothing() throws Exception {
        String k = key();
        store.put(k, new ByteArrayInputStream("gone".getBytes(StandardCharsets.UTF_8)), 4, "text/plain");
        URI down = store.downloadUrl(k, new BlobStore.Delivery("a.txt", "text/plain", true), inMinutes(1));
        store.delete(k);
        assertThat(get(down, null).statusCode()).isIn(403, 404);
    }
}
