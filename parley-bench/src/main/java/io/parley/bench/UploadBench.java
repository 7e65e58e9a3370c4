package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.server.auth.HmacJwt;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * Uploads during the capacity scenario (issue 16): starts the server(s) of the scenario, runs {@link Bench} against
 * them (its load, its report), and once Bench's warm-up is over sends {@code uploads} attachments of {@code
 * upload.bytes} at once, each the whole flow of docs/api.md (slot, PUT to the signed URL, finalize, the attachment
 * message), from {@code uploads} users of their own. Reports each upload's time (p50, p99, max), failures and
 * throughput; Bench's report says what the uploads did to the chat load beside them (compare with the scenario
 * alone). Bounded: one wave (or {@code upload.waves} of them, one after the other), to 127.0.0.1 only.
 *
 * <p>Usage: {@code java -cp parley-bench/target/parley-bench.jar io.parley.bench.UploadBench
 * parley-bench/scenarios/capacity-uploads.properties [key=value ...]}.
 */
public final class UploadBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchConfig c;
    private final int uploads;
    private final int bytes;
    private final int waves;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ConcurrentHistogram took = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
    private final LongAdder failed = new LongAdder();

    UploadBench(BenchConfig c, Properties p) {
        this.c = c;
        this.uploads = Integer.parseInt(p.getProperty("uploads", "100"));
        this.bytes = Integer.parseInt(p.getProperty("upload.bytes", "1048576"));
        this.waves = Integer.parseInt(p.getProperty("upload.waves", "1"));
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
            List<Uploader> users = setUp(url, run);
            // Bench sets up and connects its users first: the wave starts with its measured window.
            waitForMeasuring(bench, load);
            long start = System.nanoTime();
            for (int w = 0; w < waves && !load.isDone(); w++) {
                CompletableFuture.allOf(users.stream().map(u -> u.upload(url)).toArray(CompletableFuture[]::new))
                        .get(10, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // Bench's run ends after its window and drain: still running means the wave was inside the load.
            boolean duringLoad = !load.isDone();
            Bench.Result r = load.get(30, TimeUnit.MINUTES);
            System.out.println(r.summary());
            long n = took.getTotalCount();
            System.out.printf(
                    "uploads: %d of %d bytes in %d wave(s) during %s: %d done, %d failed; per upload p50 %.0f ms, "
                            + "p99 %.0f ms, max %.0f ms; %.1f MB/s; %s%n",
                    uploads * waves,
                    bytes,
                    waves,
                    c.name(),
                    n,
                    failed.sum(),
                    took.getValueAtPercentile(50) / 1000.0,
                    took.getValueAtPercentile(99) / 1000.0,
                    took.getMaxValue() / 1000.0,
                    n * (double) bytes / 1e6 / seconds,
                    duringLoad
                            ? "the wave ended while Bench was still running"
                            : "Bench ended before the wave did: lengthen duration.seconds");
            return r.clean() && failed.sum() == 0 && n == (long) uploads * waves && duringLoad;
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

    /** One user per upload, each with a direct conversation with a peer of its own. */
    private List<Uploader> setUp(String url, String run) throws Exception {
        HmacJwt jwt = new HmacJwt(c.secret().getBytes(StandardCharsets.UTF_8), "parley", null, Clock.systemUTC());
        ServerRest rest = new ServerRest(url);
        List<Uploader> users = new ArrayList<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < uploads; i++) {
            Uploader u = new Uploader(jwt.issue("up" + run + "-" + i, Duration.ofHours(6)), new Random(i));
            String peerId = "up" + run + "-peer" + i;
            String peer = jwt.issue(peerId, Duration.ofHours(6));
            users.add(u);
            all.add(rest.call("GET", "/api/v1/me", peer, null)
                    .thenCompose(x -> rest.call("GET", "/api/v1/me", u.token, null))
                    .thenCompose(x -> rest.call(
                            "POST",
                            "/api/v1/conversations",
                            u.token,
                            JSON.createObjectNode()
                                    .put("type", "direct")
                                    .put("userId", peerId)
                                    .toString()))
                    .thenAccept(body -> u.conversationId = body.path("id").asText()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        return users;
    }

    private final class Uploader {
        final String token;
        final byte[] body;
        volatile String conversationId;
        int sent;

        Uploader(String token, Random random) {
            this.token = token;
            this.body = new byte[bytes];
            random.nextBytes(body); // application/zip is sniffed from "PK\3\4"; the rest is noise
            body[0] = 'P';
            body[1] = 'K';
            body[2] = 3;
            body[3] = 4;
        }

        CompletableFuture<Void> upload(String base) {
            long t0 = System.nanoTime();
            ObjectNode slot = JSON.createObjectNode()
                    .put("name", "bench-" + sent++ + ".zip")
                    .put("contentType", "application/zip")
                    .put("size", bytes);
            return json("POST", base + "/api/v1/conversations/" + conversationId + "/attachments", slot.toString())
                    .thenCompose(s -> {
                        JsonNode up = s.path("upload");
                        String u = up.path("url").asText();
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(u.startsWith("http") ? u : base + u))
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
                                            "POST",
                                            base + "/api/v1/attachments/"
                                                    + s.path("id").asText() + "/finalize",
                                            null);
                                });
                    })
                    .thenCompose(a -> json(
                            "POST",
                            base + "/api/v1/conversations/" + conversationId + "/attachment-messages",
                            JSON.createObjectNode()
                                    .put("clientMsgId", "up-" + a.path("id").asText())
                                    .set(
                                            "attachments",
                                            JSON.createArrayNode()
                                                    .add(a.path("id").asText()))
                                    .toString()))
                    .handle((ok, err) -> {
                        if (err != null) {
                            failed.increment();
                            System.out.println("upload failed: " + err.getMessage());
                        } else {
                            took.recordValue((System.nanoTime() - t0) / 1000);
                        }
                        return null;
                    });
        }

        private CompletableFuture<JsonNode> json(String method, String url, String body) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(2))
                    .header("Authorization", "Bearer " + token)
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("content-type", "application/json");
            }
            return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> {
                        if (r.statusCode() >= 300) {
                            throw new IllegalStateException(
                                    method + " " + url + " -> " + r.statusCode() + " " + r.body());
                        }
                        try {
                            return JSON.readTree(r.body());
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    });
        }
    }
}
