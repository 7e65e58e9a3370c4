package io.parley.server.clamd;

import io.parley.server.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real clamd (Debian's clamav-daemon) started by a test on a Unix socket in the test's temp dir, with a signature
 * database of one line: an {@code .ndb} body signature that matches the EICAR test string anywhere in a file (the
 * official database cannot be downloaded here). With CI=true a missing clamd fails the test; elsewhere it is skipped.
 */
public final class ClamdProcess implements AutoCloseable {
    /** The EICAR anti-virus test file: harmless, and detected by every scanner given a signature for it. */
    public static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    public static final String SIGNATURE = "Parley.Test.EICAR";

    private static final Path CLAMD = Path.of("/usr/sbin/clamd");

    private final Process process;
    private final Path socket;

    private ClamdProcess(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    public static ClamdProcess start(Path dir) throws IOException {
        if (!Files.isExecutable(CLAMD)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("clamd is not installed at " + CLAMD + " (CI=true: .ci/run installs it)");
            }
            Assumptions.abort("clamd is not installed; skipped outside CI");
        }
        Path db = Files.createDirectories(dir.resolve("clamdb"));
        String hex = HexFormat.of().formatHex(EICAR.getBytes(StandardCharsets.US_ASCII));
        Files.writeString(db.resolve("parley-test.ndb"), SIGNATURE + ":0:*:" + hex + "\n");
        Path socket = dir.resolve("clamd.sock");
        Path conf = dir.resolve("clamd.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "Foreground yes",
                        "LocalSocket " + socket,
                        "DatabaseDirectory " + db,
                        "LogFile " + dir.resolve("clamd.log"),
                        "StreamMaxLength 200M",
                        "MaxFileSize 200M",
                        "MaxScanSize 200M",
                        "SelfCheck 0",
                        ""));
        Process p = new ProcessBuilder(CLAMD.toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("clamd.out").toFile())
                .start();
        ClamdProcess c = new ClamdProcess(p, socket);
        ClamdScanner probe = new ClamdScanner(c.address(), Duration.ofSeconds(5));
        try {
            Poll.until(
                    () -> {
                        if (!p.isAlive()) {
                            throw new AssertionError("clamd exited: " + read(dir.resolve("clamd.out")));
                        }
                        return probe.ping();
                    },
                    Duration.ofSeconds(60),
                    "clamd answers PING on " + socket);
        } catch (RuntimeException | AssertionError e) {
            c.close();
            throw e;
        } finally {
            probe.close();
        }
        return c;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    public String address() {
        return "unix:" + socket;
    }

    /** Stops clamd (the scanner is down from then on). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
