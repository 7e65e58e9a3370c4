package io.parley.server.redis;

import io.parley.protocol.EventKind;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.bus.Delivery;
import io.parley.server.store.EventHeader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

/**
 * What the sharded broadcast bus costs a receiving node per event (docs/architecture.md, "Why every node hears every
 * shard"): reading a bus message's header and keeping the local recipients of a 10-member group, when none of them
 * is on this node ({@code dropNoLocalRecipient}: the price of hearing every shard) and when 3 are
 * ({@code keepLocalRecipients}); against decoding the event frame's JSON once ({@code decodeFrameJson}: what the
 * receiving side did per recipient before 0.2, and what it never does now). Same package as {@link BusEnvelope},
 * which is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BusEnvelopeBenchmark {
    private final FrameCodec codec = new FrameCodec();
    private final String frame = new String(
            codec.encode(new ServerFrame.Event(
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
                    null)),
            StandardCharsets.UTF_8);
    private final String message;
    private final Set<String> nobodyHere = Set.of("u_other1", "u_other2");
    private final Set<String> threeHere = Set.of("u_member0", "u_member4", "u_member8");

    public BusEnvelopeBenchmark() {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            members.add("u_member" + i);
        }
        Delivery d = new Delivery(
                new EventHeader("c_4k2x9zq0m1", 123456, EventKind.MESSAGE, 1_764_000_000_000L, "u_member0"),
                null,
                members,
                frame.getBytes(StandardCharsets.UTF_8));
        message = BusEnvelope.event("node-a", d, frame);
    }

    private static List<String> local(BusEnvelope m, Set<String> here) {
        List<String> out = null;
        for (String u : m.recipients()) {
            if (here.contains(u)) {
                if (out == null) {
                    out = new ArrayList<>(m.recipients().size());
                }
                out.add(u);
            }
        }
        return out;
    }

    @Benchmark
    public Object dropNoLocalRecipient() {
        return local(BusEnvelope.parse(message), nobodyHere);
    }

    @Benchmark
    public Object keepLocalRecipients() {
        BusEnvelope m = BusEnvelope.parse(message);
        List<String> here = local(m, threeHere);
        return m.toDelivery(here, m.frame().getBytes(StandardCharsets.UTF_8));
    }

    @Benchmark
    public Object decodeFrameJson() {
        return codec.decodeServer(frame);
    }
}
