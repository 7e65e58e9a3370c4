package io.parley.bench.jmh;

import io.parley.bench.SearchBench;
import io.parley.server.search.Tokenizer;
import java.util.Random;
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
 * The indexer's per-message CPU outside the database: tokenizing one message of the search scenario's multilingual
 * mix (SearchBench's deterministic generator: English, German, Chinese, Japanese, Korean, mixed), cycling through
 * 1,024 of them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenizerBenchmark {
    private final String[] bodies = new String[1024];
    private int next;

    public TokenizerBenchmark() {
        Random r = new Random(17);
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = SearchBench.body(r);
        }
    }

    @Benchmark
    public Tokenizer.Tokens indexOneMessage() {
        next = (next + 1) & (bodies.length - 1);
        return Tokenizer.index(bodies[next]);
    }
}
