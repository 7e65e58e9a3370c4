package io.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One generator process of a run from several ({@code generator.processes}, started by {@link Generators}): opens
 * its slice's connections as Bench.connect does (at ramp.per.second / K, over the same source addresses), then sends
 * and counts on the schedule the coordinator gives, and reports its counts. Usage: {@code GeneratorWorker SLICE-FILE
 * PROCESS SCENARIO|- [key=value ...]}.
 *
 * <p>The protocol, one line each: to the coordinator (stdout) {@code @ready} once started, {@code @connected {json}}
 * once its slice is connected, {@code @progress {json}} every half second from then on, {@code @report {json}} (a
 * {@link Snapshot}) when asked; any other line is the generator's own output, which the coordinator prints. From the
 * coordinator (stdin): {@code connect AT} (start the ramp at that System.nanoTime() instant), then {@code window
 * INDEX RATE SEND-AT START END} (instants too: send at RATE per user from SEND-AT until END, counting what falls in
 * [START, END) in window INDEX) and {@code report}; the end of stdin means close and exit, so a worker never outlives
 * a coordinator that died. A deadline derived from the schedule ends it in any case.
 */
public final class GeneratorWorker {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String END_OF_INPUT = "";
    /** Slack past the schedule's end (the drain and its longest extension) before the worker ends itself. */
    private static final long DEADLINE_SLACK_SECONDS = 180;

    private final int process;
    private final BenchConfig c;
    private final Bench bench;
    private final List<Bench.Conn> conns = new ArrayList<>();
    private final BlockingQueue<String> commands = new LinkedBlockingQueue<>();
    /** Counted down at the end of stdin: a window's waits end early, since nobody is left to report to. */
    private final CountDownLatch inputEnded = new CountDownLatch(1);

    private volatile long deadline;

    private GeneratorWorker(int process, BenchConfig c, Slice slice) {
        this.process = process;
        this.c = c;
        this.bench = new Bench(c);
        bench.urls = slice.urls();
        for (Slice.Entry e : slice.conns()) {
            conns.add(bench.new Conn(e));
        }
        // Before the first schedule: its ramp, the connect timeout of 5 minutes, and as long again for the others.
        long rampSeconds = conns.size() / Math.max(1, c.rampPerSecond() / c.generatorProcesses());
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(rampSeconds + 600);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: GeneratorWorker SLICE-FILE PROCESS SCENARIO|- [key=value ...]");
            System.exit(2);
        }
        int process = Integer.parseInt(args[1]);
        try {
            BenchConfig c = BenchConfig.load(
                    args[2].equals("-") ? null : Path.of(args[2]), Arrays.copyOfRange(args, 3, args.length));
            new GeneratorWorker(process, c, Slice.read(Path.of(args[0]))).run();
        } catch (Throwable t) {
            System.err.println("generator process " + process + " failed:");
            t.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        daemon("stdin", this::readStdin);
        daemon("deadline", this::watchDeadline);
        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors())));
        try {
            // Ready (JVM up, slice read): the coordinator starts every process's ramp at one instant.
            say("@ready");
            String[] go = commands.take().split(" ");
            if (!go[0].equals("connect") || go.length != 2) {
                return;
            }
            if (!waitUntil(Long.parseLong(go[1]))) {
                return;
            }
            bench.connect(vertx, conns);
            Tally t = bench.tally;
            say("@connected "
                    + JSON.createObjectNode()
                            .put("attempted", t.attempted.sum())
                            .put("established", t.established.sum())
                            .put("failed", t.failed.sum())
                            .put("firstAttemptNanos", t.firstAttemptNanos.get())
                            .put("lastEstablishedNanos", t.lastEstablishedNanos.get()));
            daemon("progress", this::reportProgress);
            String padding = "x".repeat(Math.max(1, c.bodyBytes() - 22));
            long receivedAtStart = -1;
            for (String cmd = commands.take(); !cmd.equals(END_OF_INPUT); cmd = commands.take()) {
                String[] f = cmd.split(" ");
                if (f[0].equals("window") && f.length == 6) {
                    if (receivedAtStart < 0) {
                        receivedAtStart = t.received.sum();
                    }
                    window(vertx, f, padding);
                } else if (f[0].equals("report")) {
                    long unacked = unacked();
                    say("@report "
                            + Snapshot.of(
                                    process,
                                    ProcessHandle.current().pid(),
                                    t,
                                    bench.windows,
                                    unacked,
                                    Math.max(0, receivedAtStart)));
                } else {
                    throw new IllegalArgumentException("not a command: " + cmd);
                }
            }
        } finally {
            bench.sending = false;
            for (Bench.Conn x : conns) {
                if (x.ws != null) {
                    x.ws.close();
                }
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Registers the window with its instants (before its first send: the schedule comes {@code LEAD} ahead), sends at
     * its rate from its send instant until its end, and returns then; the coordinator asks for the report after the
     * drain.
     */
    private void window(Vertx vertx, String[] f, String padding) throws InterruptedException {
        int index = Integer.parseInt(f[1]);
        Window w = new Window(Double.parseDouble(f[2]));
        long sendAt = Long.parseLong(f[3]);
        w.startNanos = Long.parseLong(f[4]);
        w.endNanos = Long.parseLong(f[5]);
        if (index != bench.windows.size()) {
            throw new IllegalArgumentException("window " + index + " after " + bench.windows.size() + " windows");
        }
        deadline = w.endNanos
                + TimeUnit.SECONDS.toNanos(c.drainSeconds() + Bench.LATE_DRAIN_SECONDS + DEADLINE_SLACK_SECONDS);
        bench.windows.add(w);
        bench.current = w;
        long late = System.nanoTime() - w.startNanos;
        if (late > 0) {
            System.out.printf(
                    "warning: window %d's schedule came %d ms after the window began: deliveries that arrived"
                            + " before it are not counted in it%n",
                    index, TimeUnit.NANOSECONDS.toMillis(late));
        }
        if (waitUntil(sendAt)) {
            bench.startSending(vertx, conns, w.rate, padding);
            waitUntil(w.endNanos);
        }
        bench.sending = false;
    }

    /** Waits until the System.nanoTime() instant {@code at}; false if stdin ended first. */
    private boolean waitUntil(long at) throws InterruptedException {
        return !inputEnded.await(at - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    private long unacked() {
        return conns.stream().mapToLong(x -> x.pendingAcks.size()).sum();
    }

    /** Protocol lines are whole lines: PrintStream's println is atomic and flushed. */
    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private void readStdin() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    commands.add(line.trim());
                }
            }
        } catch (IOException e) {
            // As the end of input: the coordinator is gone.
        }
        commands.add(END_OF_INPUT);
        inputEnded.countDown();
        // The main thread closes the connections and exits; if it is stuck, this ends it.
        sleepQuietly(TimeUnit.SECONDS.toMillis(40));
        System.err.println("generator process " + process + ": stdin closed and not done within 40 s: exiting");
        Runtime.getRuntime().halt(2);
    }

    private void watchDeadline() {
        while (System.nanoTime() - deadline < 0) {
            sleepQuietly(1000);
        }
        System.err.println("generator process " + process + ": past its deadline, exiting");
        Runtime.getRuntime().halt(3);
    }

    private void reportProgress() {
        while (true) {
            long unacked = unacked();
            say("@progress " + Snapshot.progress(bench.tally, bench.windows, unacked));
            sleepQuietly(500);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, "generator-" + name);
        t.setDaemon(true);
        t.start();
    }
}
