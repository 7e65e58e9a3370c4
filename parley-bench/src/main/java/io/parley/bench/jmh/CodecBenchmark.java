package io.parley.bench.jmh;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ProtocolException;
import io.parley.protocol.ServerFrame;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Decoding a client send frame and encoding a server event frame: the per-message JSON work of the hot path. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    private final FrameCodec codec = new FrameCodec();
    private final String send =
            codec.encode(new ClientFrame.Send("c_4k2x9zq0m1", "7b1e0c9a-5f7e-4d1b-9f0a-2c3d4e5f6a7b", "x".repeat(64)));
    private final ServerFrame.Event event = new ServerFrame.Event(
            "c_4k2x9zq0m1",
            123456,
            "message",
            "2026-11-22T12:00:00.123Z",
            "u_8h2k1m0n3p4q",
            "m_1k2j3h4g5f6d",
            "7b1e0c9a-5f7e-4d1b-9f0a-2c3d4e5f6a7b",
            "x".repeat(64),
            null,
            null,
            null,
            null,
            null,
            null,
            null);

    @Benchmark
    public ClientFrame decodeSend() throws ProtocolException {
        return codec.decodeClient(send);
    }

    @Benchmark
    public String encodeEvent() {
        return codec.encodeToString(event);
    }
}
