package io.parley.server.gateway;

import io.parley.protocol.EventKind;
import io.parley.protocol.FrameCodec;
import io.parley.server.chat.EventPublisher;
import io.parley.server.config.ConfigLoader;
import io.parley.server.metrics.Metrics;
import io.parley.server.presence.LocalPresence;
import io.parley.server.store.Committed;
import io.parley.server.store.EventHeader;
import io.parley.server.store.LogEntry;
import io.parley.server.time.ExecutorScheduler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fanout of one event to 1,000 local sessions through the registry: encode once, then each session's delivery
 * logic down to its transport (a counting stand-in for the socket, so the benchmark measures Parley's code, not
 * Netty's). Sessions run on a direct executor instead of event loops. (In package gateway for Session's constructor.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FanoutBenchmark {
    static final int SESSIONS = 1000;

    /** Counts what would be written. */
    static final class CountingTransport implements Transport {
        long frames;

        @Override
        public void send(byte[] utf8) {
            frames++;
        }

        @Override
        public void sendAll(List<byte[]> utf8Frames) {
            frames += utf8Frames.size();
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public void whenDrained(Runnable r) {
            r.run();
        }

        @Override
        public void ping() {}

        @Override
        public void pauseReading() {}

        @Override
        public void resumeReading() {}

        @Override
        public void close(int code, String reason) {}
    }

    private SessionRegistry registry;
    private LocalPresence presence;
    private Metrics metrics;
    private FrameCodec codec;
    private long seq;
    private final List<String> recipients = new ArrayList<>();

    /** Sessions set timers only for gaps and deadlines, which this benchmark never reaches. */
    private final ExecutorScheduler timers = new ExecutorScheduler("bench-session-timers");

    @Setup
    public void setUp() {
        codec = new FrameCodec();
        presence = new LocalPresence(60_000, Clock.systemUTC());
        registry = new SessionRegistry(codec, presence);
        metrics = new Metrics();
        var config = ConfigLoader.defaultsWith(Map.of("http.port", "0"));
        for (int i = 0; i < SESSIONS; i++) {
            String user = "u" + i;
            recipients.add(user);
            Session s = new Session(
                    "s" + i,
                    new CountingTransport(),
                    Runnable::run,
                    token -> CompletableFuture.completedFuture(io.parley.server.auth.Principal.of(token)),
                    null,
                    registry,
                    codec,
                    config,
                    null,
                    timers,
                    metrics);
            s.authenticate(user);
        }
    }

    @Benchmark
    public void fanoutToThousandSessions() {
        seq++;
        // As at commit: the frame is encoded once (EventPublisher), then the registry fans the same bytes out.
        LogEntry.MessagePosted e = new LogEntry.MessagePosted(
                new EventHeader("c1", seq, EventKind.MESSAGE, System.currentTimeMillis(), "u0"),
                "m" + seq,
                "k" + seq,
                "x".repeat(64),
                null,
                null,
                false);
        registry.deliver(EventPublisher.delivery(codec, new Committed(e, recipients)));
    }

    @TearDown
    public void tearDown() {
        presence.close();
        timers.close();
        metrics.close();
    }
}
