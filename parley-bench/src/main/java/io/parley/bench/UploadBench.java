package io.parley.bench;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Uploads and downloads during the capacity scenario (issue 16): starts the server(s) of the scenario, runs {@link
 * Bench} against them (its load, its report), and once Bench's warm-up is over runs one wave of {@link
 * AttachmentWave} (or {@code upload.waves} of them, one after the other): {@code uploads} attachments of {@code
 * upload.bytes} sent at once from {@code uploads} users of their own, then, each one ready, downloaded at once by the
 * other member of each conversation, the SHA-256 compared. Reports each side's time (p50, p99, max), failures and
 * throughput; Bench's report says what they did to the chat load beside them (compare with the scenario alone).
 * Bounded, to 127.0.0.1 only; exits 1 on any failure or mismatch.
 *
 * <p>Usage: {@code java -cp parley-bench/target/parley-bench.jar io.parley.bench.UploadBench
 * parley-bench/scenarios/capacity-uploads.properties [key=value ...]}.
 */
public final class UploadBench {
    private final BenchConfig c;
    private final int uploads;
    private final int bytes;
    private final int waves;
    private final Duration readyTimeout;

    UploadBench(BenchConfig c, Properties p) {
        this.c = c;
        this.uploads = Integer.parseInt(p.getProperty("uploads", "100"));
        this.bytes = Integer.parseInt(p.getProperty("upload.bytes", "1048576"));
        this.waves = Integer.parseInt(p.getProperty("upload.waves", "1"));
        this.readyTimeout = Duration.ofSeconds(Long.parseLong(p.getProperty("download.ready-timeout.seconds", "120")));
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.out.println("usage: UploadBench SCENARIO.properties [key=value ...]");
            return;
        }
        String[] overrides = Arrays.copyOfRange(args, 1, args.length);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            p.load(in);
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq > 0) {
                p.setProperty(o.substring(0, eq), o.substring(eq + 1));
            }
        }
        BenchConfig c = BenchConfig.load(Path.of(args[0]), overrides);
        System.exit(new UploadBench(c, p).run(Path.of(args[0]), overrides) ? 0 : 1);
    }

    boolean run(Path scenario, String[] overrides) throws Exception {
        String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        Nodes nodes = Nodes.start(c, SharedStore.of(c, run));
        try {
            String url = nodes.urls().get(0);
            String[] external = Arrays.copyOf(overrides, overrides.length + 3);
            external[overrides.length] = "server.start=false";
            external[overrides.length + 1] = "url=" + String.join(",", nodes.urls());
            external[overrides.length + 2] = "server.pid=" + nodes.pids()[0];
            Bench bench = new Bench(BenchConfig.load(scenario, external));
            CompletableFuture<Bench.Result> load = CompletableFuture.supplyAsync(() -> {
                try {
                    return bench.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AttachmentWave wave = AttachmentWave.setUp(url, c.secret(), run, uploads, bytes, readyTimeout);
            // Bench sets up and connects its users first: the wave starts with its measured window.
            waitForMeasuring(bench, load);
            for (int w = 0; w < waves && !load.isDone(); w++) {
                wave.run(url);
            }
            // Bench's run ends after its window and drain: still running means the waves were inside the load.
            boolean duringLoad = !load.isDone();
            Bench.Result r = load.get(30, TimeUnit.MINUTES);
            System.out.println(r.summary());
            long expected = (long) uploads * waves;
            System.out.printf(
                    "uploads: %d of %d bytes in %d wave(s) during %s: %s%n",
                    expected, bytes, waves, c.name(), wave.uploads.summary(bytes));
            System.out.printf(
                    "downloads (by the other member, each once ready): %s; %d SHA-256 mismatch(es); "
                            + "ready after the attachment message: p50 %.0f ms, max %.0f ms%n",
                    wave.downloads.summary(bytes),
                    wave.mismatches.sum(),
                    wave.readyWait.getValueAtPercentile(50) / 1000.0,
                    wave.readyWait.getMaxValue() / 1000.0);
            System.out.println(
                    duringLoad
                            ? "the waves ended while Bench was still running"
                            : "Bench ended before the waves did: lengthen duration.seconds");
            return r.clean()
                    && wave.uploads.failed.sum() == 0
                    && wave.uploads.done() == expected
                    && wave.downloads.failed.sum() == 0
                    && wave.downloads.done() == expected
                    && duringLoad;
        } finally {
            nodes.stop(c.keepData(), false);
        }
    }

    /** Until Bench's first measured window has begun (its set-up, ramp and warm-up take as long as they take). */
    private static void waitForMeasuring(Bench bench, CompletableFuture<Bench.Result> load)
            throws InterruptedException {
        while (!bench.measuring() && !load.isDone()) {
            Thread.sleep(100);
        }
    }
}
