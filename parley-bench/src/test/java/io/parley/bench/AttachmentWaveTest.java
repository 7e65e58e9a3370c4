package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.ParleyServer;
import io.parley.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UploadBench's attachment wave, small, against a real server in this JVM (embedded store, no scanner): every upload
 * is downloaded by the other member with the same SHA-256, and bytes changed in the store are caught as a mismatch.
 */
class AttachmentWaveTest {
    private static final String SECRET = "wave-test-secret-at-least-32-bytes-long";
    private static final int BYTES = 20_000;

    @TempDir
    Path dir;

    private ParleyServer server;
    private String url;

    @BeforeEach
    void start() throws Exception {
        server = ParleyServer.start(ConfigLoader.defaultsWith(Map.of(
                        "http.port", "0", "data.dir", dir.resolve("data").toString(), "auth.jwt-secret", SECRET)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop().get(30, TimeUnit.SECONDS);
    }

    @Test
    void wave_downloadsEachUploadByTheOtherMember_withTheUploadedSha256() throws Exception {
        AttachmentWave wave = AttachmentWave.setUp(url, SECRET, "t1", 3, BYTES, Duration.ofSeconds(60));

        wave.run(url);
        wave.run(url);

        assertThat(wave.uploads.failed.sum()).isZero();
        assertThat(wave.uploads.done()).isEqualTo(6);
        assertThat(wave.downloads.failed.sum()).isZero();
        assertThat(wave.mismatches.sum()).isZero();
        assertThat(wave.downloads.done()).isEqualTo(6);
        assertThat(wave.readyWait.getTotalCount()).isEqualTo(6);
        assertThat(wave.downloads.megabytesPerSecond(BYTES)).isPositive();
    }

    @Test
    void wave_whenTheStoredBytesChange_countsEveryDownloadAsAMismatch() throws Exception {
        AttachmentWave wave = AttachmentWave.setUp(url, SECRET, "t2", 2, BYTES, Duration.ofSeconds(60));
        List<AttachmentWave.Uploaded> ready = wave.awaitReady(url, wave.uploadAll(url));
        assertThat(ready).hasSize(2);

        List<Path> blobs = storedFiles(dir.resolve("data").resolve("blobs"));
        assertThat(blobs).hasSize(2);
        for (Path b : blobs) {
            byte[] bytes = Files.readAllBytes(b);
            bytes[BYTES / 2] ^= 1; // same size, one bit off
            Files.write(b, bytes);
        }
        wave.downloadAll(url, ready);

        assertThat(wave.downloads.done()).isZero();
        assertThat(wave.mismatches.sum()).isEqualTo(2);
        assertThat(wave.downloads.failed.sum()).isEqualTo(2);
    }

    /** The embedded store's files, without uploads in progress. */
    private static List<Path> storedFiles(Path blobs) throws Exception {
        try (Stream<Path> s = Files.walk(blobs)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !blobs.relativize(p).startsWith(".incoming"))
                    .toList();
        }
    }
}
