package io.parley.bench.jmh;

import io.parley.server.store.CommitListener;
import io.parley.server.store.NewMessage;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.PostgresOptions;
import io.parley.server.store.jdbc.SqliteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable appends, as a busy server submits them: each invocation hands the store {@link #IN_FLIGHT} appends at once
 * (to 16 conversations) and waits for all their commits, so the writer's group commit batches them (one transaction
 * and one fsync per batch). The score is appends per second. {@code store=sqlite}: SQLite with fsync FULL in a temp
 * dir; {@code store=postgresql}: the machine's PostgreSQL (127.0.0.1:5432, database test, stock settings) in a schema
 * of its own, dropped after the trial, with {@code writers} writer lanes ({@code store.writers}; SQLite has one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@OperationsPerInvocation(StoreAppendBenchmark.IN_FLIGHT)
public class StoreAppendBenchmark {
    @Param({"sqlite", "postgresql"})
    public String backend;

    @Param({"1"})
    public int writers;

    private Path dir;
    private String schema;
    private JdbcChatStore store;
    private final AtomicLong ids = new AtomicLong();

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("parley-jmh-store");
        if (backend.equals("postgresql")) {
            schema = "parley_jmh_" + Long.toString(System.nanoTime(), 36);
            store = JdbcChatStore.openPostgres(
                    PostgresOptions.of(
                            io.parley.server.config.StoreUrl.postgres(
                                    "postgresql://postgres@127.0.0.1:5432/test?schema=" + schema),
                            1 + writers,
                            512,
                            writers),
                    CommitListener.NONE);
        } else {
            store = JdbcChatStore.openSqlite(dir.resolve("bench.db"), SqliteOptions.defaults(), CommitListener.NONE);
        }
        store.createUser("a", "alice", "h").join();
        store.createUser("b", "bob", "h").join();
        for (int g = 0; g < 16; g++) {
            store.createGroup("g" + g, "a", "g" + g, List.of("b"), System.currentTimeMillis())
                    .join();
        }
    }

    static final int IN_FLIGHT = 256;

    @Benchmark
    public Object append() {
        CompletableFuture<?>[] all = new CompletableFuture<?>[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            long n = ids.incrementAndGet();
            all[i] = store.appendMessage(
                    new NewMessage("g" + (n % 16), "a", "c" + n, BODY, "m" + n, System.currentTimeMillis()));
        }
        return CompletableFuture.allOf(all).join();
    }

    private static final String BODY = "x".repeat(64);

    @TearDown(Level.Trial)
    public void close() throws Exception {
        store.close();
        if (schema != null) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", null);
                    Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
