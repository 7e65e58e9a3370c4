package io.parley.bench;

import io.parley.server.auth.HmacJwt;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * Talk to a stranger under load (docs/performance.md, "Talk to a stranger"): {@code users} connections spread over
 * the nodes; {@code users * rate.per.user} times a second an idle user sends {@code match_join}; a user who gets
 * {@code matched} records the time since its own join, and the joiner of each pair ends it at once ({@code
 * match_end}), so both are idle again. Reports pairs per second and join-to-matched p50/p99 over the measured window.
 * A rate above what the server can pair measures the most pairs per second (idle users run out: "starved").
 * <p>
 * Usage: {@code java -cp parley-bench/target/parley-bench.jar io.parley.bench.MatchBench
 * parley-bench/scenarios/match.properties [key=value ...]}.
 */
public final class MatchBench {
    private final BenchConfig c;
    private final ConcurrentLinkedQueue<User> idle = new ConcurrentLinkedQueue<>();
    private final ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
    private final LongAdder pairs = new LongAdder();
    private final LongAdder joins = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private volatile boolean measuring;

    private final class User {
        final String token;
        final int node;
        WebSocket ws;
        volatile long joinedAt;

        User(String token, int node) {
            this.token = token;
            this.node = node;
        }

        void onText(String text) {
            if (!text.startsWith("{\"type\":\"match\"") && !text.startsWith("{\"type\":\"error\"")) {
                return; // welcome, events of the pair's conversation
            }
            if (text.startsWith("{\"type\":\"error\"")) {
                errors.increment();
                idle.add(this);
                return;
            }
            if (text.contains("\"event\":\"matched\"")) {
                if (measuring) {
                    latency.recordValue(Math.max(0, (System.nanoTime() - joinedAt) / 1000));
                }
                if (text.contains("\"ref\":")) {
                    if (measuring) {
                        pairs.increment();
                    }
                    ws.writeTextMessage("{\"type\":\"match_end\"}");
                }
            } else if (text.contains("\"event\":\"ended\"") || text.contains("\"event\":\"partner_left\"")) {
                idle.add(this);
            }
        }

        void join() {
            joinedAt = System.nanoTime();
            ws.writeTextMessage("{\"type\":\"match_join\",\"ref\":\"j\"}");
        }
    }

    MatchBench(BenchConfig c) {
        this.c = c;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.out.println("usage: MatchBench SCENARIO.properties [key=value ...]");
            return;
        }
        BenchConfig c = BenchConfig.load(Path.of(args[0]), java.util.Arrays.copyOfRange(args, 1, args.length));
        System.exit(new MatchBench(c).run() ? 0 : 1);
    }

    boolean run() throws Exception {
        String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        SharedStore shared = SharedStore.of(c, run);
        Vertx vertx = Vertx.vertx();
        Nodes nodes = null;
        try {
            nodes = Nodes.start(c, shared);
            List<URI> urls = nodes.urls().stream().map(URI::create).toList();
            HmacJwt jwt = new HmacJwt(c.secret().getBytes(StandardCharsets.UTF_8), "parley", null, Clock.systemUTC());
            WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setMaxConnections(c.users() + 1)
                    .setConnectTimeout(30_000));
            List<User> users = new ArrayList<>();
            List<CompletableFuture<Void>> opened = new ArrayList<>();
            for (int i = 0; i < c.users(); i++) {
                User u = new User(jwt.issue(run + "-s" + i, Duration.ofHours(1)), i % urls.size());
                users.add(u);
                URI url = urls.get(u.node);
                CompletableFuture<Void> f = new CompletableFuture<>();
                opened.add(f);
                client.connect(new WebSocketConnectOptions()
                                .setHost(url.getHost())
                                .setPort(url.getPort())
                                .setURI("/ws?token=" + u.token))
                        .onComplete(ar -> {
                            if (ar.succeeded()) {
                                u.ws = ar.result();
                                u.ws.textMessageHandler(u::onText);
                                idle.add(u);
                            } else {
                                errors.increment();
                            }
                            f.complete(null);
                        });
                if (i % 200 == 199) {
                    // Pacing of the connects to a real process, 200 at a time.
                    Thread.sleep(50);
                }
            }
            CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            double rate = c.users() * c.ratePerUser();
            System.out.printf(
                    "match bench: %d users on %d node(s), %.0f joins/s, warm-up %d s, measured %d s%n",
                    c.users(), urls.size(), rate, c.warmupSeconds(), c.durationSeconds());
            long start = System.nanoTime();
            long warmEnd = start + TimeUnit.SECONDS.toNanos(c.warmupSeconds());
            long end = warmEnd + TimeUnit.SECONDS.toNanos(c.durationSeconds());
            long gap = (long) (TimeUnit.SECONDS.toNanos(1) / rate);
            long starved = 0;
            long next = start;
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (!measuring && now >= warmEnd) {
                    measuring = true;
                }
                while (next <= now) {
                    User u = idle.poll();
                    if (u == null) {
                        starved++;
                    } else {
                        if (measuring) {
                            joins.increment();
                        }
                        u.join();
                    }
                    next += gap;
                }
                // Pacing of the join rate to a real process.
                TimeUnit.NANOSECONDS.sleep(Math.max(100_000, next - System.nanoTime()));
            }
            measuring = false;
            double seconds = c.durationSeconds();
            System.out.printf(
                    "joins %.0f/s, pairs %.0f/s, join->matched p50 %.2f ms, p99 %.2f ms, max %.2f ms,"
                            + " errors %d, starved %d (no idle user when a join was due)%n",
                    joins.sum() / seconds,
                    pairs.sum() / seconds,
                    latency.getValueAtPercentile(50) / 1000.0,
                    latency.getValueAtPercentile(99) / 1000.0,
                    latency.getMaxValue() / 1000.0,
                    errors.sum(),
                    starved);
            for (User u : users) {
                if (u.ws != null) {
                    u.ws.close();
                }
            }
            return errors.sum() == 0;
        } finally {
            if (nodes != null) {
                nodes.stop(false, false);
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            shared.drop();
        }
    }
}
