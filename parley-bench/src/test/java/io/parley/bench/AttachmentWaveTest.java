package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.ParleyServer;
import io.parley.server.config.ConfigLoader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UploadBench's attachment wave, small, against a real server in this JVM (embedded store): every upload is downloaded
 * by the other member with the same SHA-256, also when the attachment becomes ready only after its message (a clamd
 * that holds its answer until the test lets it go), and bytes changed in the store are caught as a mismatch.
 */
class AttachmentWaveTest {
    private static final String SECRET = "wave-test-secret-at-least-32-bytes-long";
    private static final int BYTES = 20_000;

    @TempDir
    Path dir;

    private ParleyServer server;
    private String url;

    private ServerSocket clamd;

    private void start(Map<String, String> more) throws Exception {
        Map<String, String> settings = new HashMap<>(more);
        settings.put("http.port", "0");
        settings.put("data.dir", dir.resolve("data").toString());
        settings.put("auth.jwt-secret", SECRET);
        server = ParleyServer.start(ConfigLoader.defaultsWith(settings))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        url = "http://127.0.0.1:" + server.port();
    }

    @BeforeEach
    void noServerYet() {
        server = null;
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop().get(30, TimeUnit.SECONDS);
        }
        if (clamd != null) {
            clamd.close();
        }
    }

    @Test
    void wave_downloadsEachUploadByTheOtherMember_withTheUploadedSha256() throws Exception {
        start(Map.of());
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
        start(Map.of());
        AttachmentWave wave = AttachmentWave.setUp(url, SECRET, "t2", 2, BYTES, Duration.ofSeconds(60));
        List<AttachmentWave.Uploaded> ready = wave.awaitReady(wave.uploadAll(url));
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

    @Test
    void wave_whenTheScanEndsAfterTheMessage_waitsForTheReadyEventInTheLog() throws Exception {
        CountDownLatch verdict = new CountDownLatch(1);
        clamd = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread fake = new Thread(() -> holdScans(clamd, verdict), "fake-clamd");
        fake.setDaemon(true);
        fake.start();
        start(Map.of(
                "attachments.scanner", "clamd",
                "attachments.clamd.address", "tcp://127.0.0.1:" + clamd.getLocalPort(),
                "attachments.scan-timeout", "5m"));
        AttachmentWave wave = AttachmentWave.setUp(url, SECRET, "t3", 2, BYTES, Duration.ofSeconds(60));

        // clamd has not answered: both acks say pending, so the peers must find `ready` in the log.
        List<AttachmentWave.Uploaded> sent = wave.uploadAll(url);
        assertThat(sent).hasSize(2);
        assertThat(sent).allSatisfy(u -> assertThat(u.ready()).isNotDone());
        verdict.countDown();
        wave.downloadAll(url, wave.awaitReady(sent));

        assertThat(wave.downloads.failed.sum()).isZero();
        assertThat(wave.downloads.done()).isEqualTo(2);
        assertThat(wave.readyWait.getMinValue())
                .as("each wait read the log at least once, a poll after the ack")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toMicros(200));
    }

    /** A clamd that reads each INSTREAM scan whole, then answers OK only once {@code verdict} is counted down. */
    private static void holdScans(ServerSocket listening, CountDownLatch verdict) {
        while (!listening.isClosed()) {
            try (Socket s = listening.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] command = new byte["zINSTREAM\0".length()];
                in.readFully(command);
                for (int n = in.readInt(); n > 0; n = in.readInt()) {
                    in.readFully(new byte[n]);
                }
                verdict.await();
                OutputStream out = s.getOutputStream();
                out.write("stream: OK\0".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                if (listening.isClosed()) {
                    return; // the test is over
                }
                // Scans then stay pending, and the test fails on its downloads.
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
