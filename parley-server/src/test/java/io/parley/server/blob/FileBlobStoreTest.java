package io.parley.server.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.Poll;
import io.parley.server.api.BlobRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded blob store, served by Parley's own /blobs/ route on a real Vert.x HTTP server. */
class FileBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path dir;

    private Vertx vertx;
    private HttpServer server;

    @Override
    protected BlobStore create() throws Exception {
        FileBlobStore files = new FileBlobStore(
                dir.resolve("blobs"),
                new UrlSigner("a-secret-of-at-least-thirty-two-bytes!!".getBytes(StandardCharsets.UTF_8)),
                Clock.systemUTC());
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        new BlobRoutes(vertx, files).mount(router);
        server = vertx.createHttpServer()
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return files;
    }

    @Override
    protected URI base() {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    @AfterEach
    void stopServer() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anUploadCutShort_isNeverVisible_andLeavesNoFileBehind() throws Exception {
        String k = key();
        URI up = store.uploadUrl(k, "application/pdf", 100_000, Instant.now().plusSeconds(300));
        try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT " + up + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                            + "Content-Length: 100000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(random(50_000));
            out.flush();
            Poll.until(() -> listIncoming() == 1, Duration.ofSeconds(10), "the partial upload is being written aside");
            assertThat(store.size(k)).isEmpty();
        }
        Poll.until(() -> listIncoming() == 0, Duration.ofSeconds(10), "the partial upload's file is deleted");
        assertThat(store.size(k)).isEmpty();
    }

    @Test
    void aSecondUploadToTheSameSlot_isRefused_andTheFirstStays() throws Exception {
        String k = key();
        byte[] first = random(10);
        URI up = store.uploadUrl(k, "image/png", 10, Instant.now().plusSeconds(300));
        assertThat(put(up, "image/png", first).statusCode()).isEqualTo(200);
        assertThat(put(up, "image/png", new byte[10]).statusCode()).isEqualTo(409);
        try (var in = store.open(k)) {
            assertThat(in.readAllBytes()).isEqualTo(first);
        }
    }

    @Test
    void downloads_carryNosniff_andASandboxingCsp() throws Exception {
        String k = key();
        store.put(k, new java.io.ByteArrayInputStream(new byte[] {'<', 'b', '>'}), 3, "application/octet-stream");
        var r = get(
                store.downloadUrl(
                        k,
                        new BlobStore.Delivery("x.html", "application/octet-stream", true),
                        Instant.now().plusSeconds(60)),
                null);
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("content-security-policy").orElse("")).startsWith("sandbox");
    }

    private long listIncoming() {
        try (var s = Files.list(dir.resolve("blobs").resolve(".incoming"))) {
            return s.count();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
