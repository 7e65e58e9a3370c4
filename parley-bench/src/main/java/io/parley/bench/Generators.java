package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The coordinator's side of a run from several generator processes ({@code generator.processes=K}): slice 0 of the
 * connections stays in the coordinator (Bench), each other slice goes to a {@link GeneratorWorker} started here, a
 * child JVM on the same java and class path. They all connect at once; then every process sends on the same
 * schedule, given as System.nanoTime() instants (CLOCK_MONOTONIC, one clock for the machine's processes, which is also
 * what the send time in each message body is), and at the end each worker's counts are added to the coordinator's.
 * With one process there are no workers and every method is a no-op. Workers never outlive the run: {@link #close}
 * ends them, and a worker exits by itself when its stdin closes or its deadline passes.
 */
final class Generators implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How far ahead of its first send a window's schedule goes out, so every process has it before anything is sent. */
    private static final long LEAD_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long the workers may take to connect after the coordinator's own slice is connected. */
    private static final long CONNECT_WAIT_SECONDS = 360;

    private final List<Worker> workers;
    private final Path dir;

    /** One child process, its stdin (commands) and what its stdout said. */
    private static final class Worker {
        final int process;
        final Process child;
        final Writer stdin;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        final CompletableFuture<JsonNode> connected = new CompletableFuture<>();
        volatile JsonNode progress;
        volatile CompletableFuture<JsonNode> report = new CompletableFuture<>();
        /** Set once its output ended (it exited or is about to). */
        volatile IllegalStateException gone;

        Worker(int process, Process child) {
            this.process = process;
            this.child = child;
            this.stdin = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        }

        synchronized void send(String line) throws IOException {
            stdin.write(line + "\n");
            stdin.flush();
        }

        /** Reads the worker's stdout: protocol lines start with '@'; anything else is printed with the worker's name. */
        void read() {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("@ready")) {
                        ready.complete(null);
                    } else if (line.startsWith("@connected ")) {
                        connected.complete(JSON.readTree(line.substring(11)));
                    } else if (line.startsWith("@progress ")) {
                        progress = JSON.readTree(line.substring(10));
                    } else if (line.startsWith("@report ")) {
                        report.complete(JSON.readTree(line.substring(8)));
                    } else {
                        System.out.println("  [generator " + process + "] " + line);
                    }
                }
            } catch (IOException e) {
                // Its stdout closed under us: the process is gone, which the futures below report.
            }
            gone = new IllegalStateException("generator process " + process + " (pid " + child.pid() + ") ended"
                    + (exited() ? " with exit code " + child.exitValue() : " its output") + " before the run's end");
            ready.completeExceptionally(gone);
            connected.completeExceptionally(gone);
            report.completeExceptionally(gone);
        }

        private boolean exited() {
            try {
                return child.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private Generators(List<Worker> workers, Path dir) {
        this.workers = workers;
        this.dir = dir;
    }

    /**
     * Starts a worker for each slice but the first (the coordinator's own), with the run's scenario and overrides and
     * a file of its slice; with one slice, starts nothing.
     */
    static Generators start(BenchConfig c, List<String> urls, List<List<Bench.Conn>> slices) throws IOException {
        if (slices.size() < 2) {
            return new Generators(List.of(), null);
        }
        Path dir = Files.createTempDirectory("parley-bench-generators");
        Generators g = new Generators(new ArrayList<>(), dir);
        try {
            String java = ProcessHandle.current()
                    .info()
                    .command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString());
            for (int k = 1; k < slices.size(); k++) {
                Path file = dir.resolve("slice-" + k + ".tsv");
                Slice.of(urls, slices.get(k)).write(file);
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(Arrays.asList(c.generatorOptions().trim().split("\\s+")));
                cmd.addAll(List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        GeneratorWorker.class.getName(),
                        file.toString(),
                        Integer.toString(k)));
                cmd.addAll(c.args());
                Process p = new ProcessBuilder(cmd)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                Worker w = new Worker(k, p);
                g.workers.add(w);
                Thread reader = new Thread(w::read, "generator-" + k);
                reader.setDaemon(true);
                reader.start();
            }
            System.out.printf(
                    "generator processes: %d (this one, pid %d, and %s), %d connections each at most%n",
                    slices.size(),
                    ProcessHandle.current().pid(),
                    g.workers.stream().map(w -> "pid " + w.child.pid()).toList(),
                    slices.stream().mapToInt(List::size).max().orElse(0));
        } catch (IOException | RuntimeException e) {
            g.close();
            throw e;
        }
        return g;
    }

    boolean none() {
        return workers.isEmpty();
    }

    /** How far ahead of its first send a window's schedule is set: 0 with no workers, so one process runs as before. */
    long leadNanos() {
        return none() ? 0 : LEAD_NANOS;
    }

    /**
     * Waits until every worker is up (a JVM takes a second or two to start), then tells each to begin its ramp at one
     * instant, and returns it: the coordinator begins its own then, so the processes ramp together and "everyone
     * connected in" is not stretched by the workers' start. With no workers, now.
     */
    long startRamp() throws Exception {
        if (none()) {
            return System.nanoTime();
        }
        for (Worker w : workers) {
            w.ready.get(2, TimeUnit.MINUTES);
        }
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        for (Worker w : workers) {
            w.send("connect " + at);
        }
        return at;
    }

    /**
     * Waits until every worker has connected its slice (the coordinator's own is connected), then prints the totals:
     * connections of all processes and the time from the first attempt to the last established.
     */
    void awaitConnected(Tally local) throws Exception {
        if (none()) {
            return;
        }
        long attempted = local.attempted.sum();
        long established = local.established.sum();
        long failed = local.failed.sum();
        long first = local.firstAttemptNanos.get();
        long last = local.lastEstablishedNanos.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONNECT_WAIT_SECONDS);
        for (Worker w : workers) {
            JsonNode j = w.connected.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            attempted += j.path("attempted").asLong();
            established += j.path("established").asLong();
            failed += j.path("failed").asLong();
            first = Math.min(first, j.path("firstAttemptNanos").asLong(Long.MAX_VALUE));
            last = Math.max(last, j.path("lastEstablishedNanos").asLong(Long.MIN_VALUE));
        }
        System.out.printf(
                Locale.ROOT,
                "connected, all %d generator processes: %d of %d (%d failed), everyone in %.1f s%n",
                workers.size() + 1,
                established,
                attempted,
                failed,
                last == Long.MIN_VALUE || first == Long.MAX_VALUE ? -1 : Math.max(0, last - first) / 1e9);
    }

    /** Sends window {@code index}'s schedule to every worker: its rate, when sending starts, the window's instants. */
    void window(int index, Window w, long sendAt) throws IOException {
        for (Worker x : workers) {
            x.send("window " + index + " " + w.rate + " " + sendAt + " " + w.startNanos + " " + w.endNanos);
        }
    }

    /**
     * The workers' latest running counts, as one consistent read. Throws when a worker has ended: the run cannot
     * account for its connections any more, so it stops here rather than at the end.
     */
    Progress progress() {
        for (Worker w : workers) {
            if (w.gone != null) {
                throw w.gone;
            }
        }
        return new Progress(workers.stream().map(w -> w.progress).toList());
    }

    /** The workers' running counts (their latest {@code @progress} lines; null: none yet), summed on demand. */
    record Progress(List<JsonNode> latest) {
        long sum(String field) {
            return latest.stream()
                    .mapToLong(j -> j == null ? 0 : j.path(field).asLong())
                    .sum();
        }

        long window(int index, String field) {
            return latest.stream()
                    .mapToLong(j -> j == null
                            ? 0
                            : j.path("windows").path(index).path(field).asLong())
                    .sum();
        }

        /** Whether every worker's counts were read at or after {@code nanos} (always, with no workers). */
        boolean since(long nanos) {
            return latest.stream().allMatch(j -> j != null && j.path("nanos").asLong() - nanos >= 0);
        }
    }

    /**
     * The run's counts so far: the coordinator's own ({@code local}, {@code windows}) plus every worker's report, asked
     * for now. With no workers, the coordinator's own objects as they are.
     */
    Snapshot.Merged merge(Tally local, List<Window> windows, long unacked, long receivedAtStart) throws Exception {
        if (none()) {
            return new Snapshot.Merged(local, windows, unacked, receivedAtStart, List.of());
        }
        List<JsonNode> all = new ArrayList<>();
        all.add(Snapshot.of(0, ProcessHandle.current().pid(), local, windows, unacked, receivedAtStart));
        for (Worker w : workers) {
            w.report = new CompletableFuture<>();
            if (w.gone != null) {
                throw w.gone;
            }
            w.send("report");
        }
        for (Worker w : workers) {
            all.add(w.report.get(2, TimeUnit.MINUTES));
        }
        return Snapshot.merge(windows, all);
    }

    /**
     * Ends every worker: closes its stdin (it then closes its connections and exits), and after a grace period
     * destroys it by its pid, forcibly if that is not enough. Removes the slice files.
     */
    @Override
    public void close() {
        for (Worker w : workers) {
            try {
                w.stdin.close();
            } catch (IOException e) {
                // Already gone.
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Worker w : workers) {
            try {
                if (!w.child.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    System.out.println("generator process " + w.process + " (pid " + w.child.pid()
                            + ") did not exit within 30 s of its stdin closing: destroyed");
                    w.child.destroy();
                    if (!w.child.waitFor(10, TimeUnit.SECONDS)) {
                        w.child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } else if (w.child.exitValue() != 0) {
                    System.out.println("generator process " + w.process + " (pid " + w.child.pid() + ") exited with "
                            + w.child.exitValue());
                }
            } catch (InterruptedException e) {
                w.child.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                System.out.println("could not remove " + dir + ": " + e);
            }
        }
    }
}
