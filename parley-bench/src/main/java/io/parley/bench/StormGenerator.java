package io.parley.bench;

import io.parley.client.ConnectionState;
import io.parley.client.OutgoingMessage;
import io.parley.client.ParleyClient;
import io.parley.client.ParleyListener;
import io.parley.protocol.EventKind;
import io.parley.protocol.ServerFrame;
import io.parley.server.auth.HmacJwt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * One generator process of {@link Storm}: the Java SDK clients of its groups (every member of a group in the same
 * process, so that it can check delivery against its own acks), one sender per group. Reports on stdout
 * ({@code STATUS live=<n> back=<n>} every 200 ms, {@code RESULT ...} at the end) and takes commands on stdin
 * ({@code epoch}: the node was killed, count clients synced from now on; {@code stop}: settle and report).
 */
final class StormGenerator {
    private StormGenerator() {}

    /** A client and what it received. */
    private static final class Member {
        final String user;
        ParleyClient client;
        final Set<String> received = ConcurrentHashMap.newKeySet();
        volatile long syncedAtNanos;

        Member(String user) {
            this.user = user;
        }
    }

    private record Group(String conversationId, List<Member> members, Set<String> acked) {}

    /** The child's main: {@code generator url=... secret=... groups=<file> [send.every.ms=] [backoff.max.ms=]}. */
    static void run(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        String url = o.get("url");
        String ws = url.replace("http://", "ws://") + "/ws";
        HmacJwt jwt = new HmacJwt(o.get("secret").getBytes(StandardCharsets.UTF_8), "parley", null, Clock.systemUTC());
        long sendEvery = Long.parseLong(o.getOrDefault("send.every.ms", "1000"));
        Duration backoffMax = Duration.ofMillis(Long.parseLong(o.getOrDefault("backoff.max.ms", "5000")));
        ConcurrentHistogram liveDelivery = new ConcurrentHistogram(3);
        Map<String, LongAdder> closes = new ConcurrentHashMap<>();
        AtomicInteger live = new AtomicInteger();
        AtomicInteger back = new AtomicInteger();
        long[] epoch = {Long.MAX_VALUE};
        List<Group> groups = new ArrayList<>();
        List<Member> all = new ArrayList<>();
        // A few JDK HTTP clients (each has one selector thread) shared by the sockets.
        List<HttpClient> http = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(o.get("groups")))) {
            String[] p = line.trim().split(" ");
            List<Member> members = new ArrayList<>();
            for (int i = 1; i < p.length; i++) {
                members.add(new Member(p[i]));
            }
            groups.add(new Group(p[0], members, ConcurrentHashMap.newKeySet()));
            all.addAll(members);
        }
        PrintStream out = System.out;
        ScheduledExecutorService status = Executors.newSingleThreadScheduledExecutor();
        status.scheduleAtFixedRate(
                () -> out.println("STATUS live=" + live.get() + " back=" + back.get() + " clients=" + all.size()),
                0,
                200,
                TimeUnit.MILLISECONDS);
        for (int i = 0; i < Math.max(1, all.size() / 1000); i++) {
            http.add(HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .build());
        }
        for (int i = 0; i < all.size(); i++) {
            Member m = all.get(i);
            String token = jwt.issue(m.user, Duration.ofHours(6));
            m.client = ParleyClient.builder()
                    .uri(URI.create(ws))
                    .tokenSupplier(() -> token)
                    .httpClient(http.get(i % http.size()))
                    .reconnectBackoff(Duration.ofMillis(250), backoffMax)
                    .sendTimeout(Duration.ofMinutes(5))
                    .listener(new ParleyListener() {
                        private boolean isLive;

                        @Override
                        public void onSynced(Map<String, Long> lastSeqs) {
                            long now = System.nanoTime();
                            if (m.syncedAtNanos < epoch[0] && now >= epoch[0]) {
                                back.incrementAndGet();
                            }
                            m.syncedAtNanos = now;
                        }

                        @Override
                        public void onStateChanged(ConnectionState state) {
                            boolean nowLive = state == ConnectionState.LIVE;
                            if (nowLive != isLive) {
                                isLive = nowLive;
                                live.addAndGet(nowLive ? 1 : -1);
                            }
                        }

                        @Override
                        public void onEvent(ServerFrame.Event e) {
                            if (!EventKind.MESSAGE.wire().equals(e.kind()) || e.body() == null) {
                                return;
                            }
                            m.received.add(e.messageId());
                            int bar = e.body().indexOf('|');
                            if (e.body().startsWith("t") && bar > 1) {
                                long sentAt = Long.parseLong(e.body().substring(1, bar));
                                // Live: sent after this client was back and synced (not a replay).
                                if (m.syncedAtNanos != 0 && sentAt > m.syncedAtNanos) {
                                    liveDelivery.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1000));
                                }
                            }
                        }

                        @Override
                        public void onClosed(int code, String reason) {
                            closes.computeIfAbsent(Integer.toString(code), k -> new LongAdder())
                                    .increment();
                        }
                    })
                    .build();
            m.client.connect();
        }
        ScheduledExecutorService senders = Executors.newScheduledThreadPool(2);
        List<OutgoingMessage> sent = new CopyOnWriteList<>();
        for (Group g : groups) {
            Member sender = g.members().get(0);
            senders.scheduleAtFixedRate(
                    () -> {
                        if (sender.client.state() != ConnectionState.LIVE) {
                            return; // the outbox would keep it; the storm measures what live clients send
                        }
                        OutgoingMessage msg =
                                sender.client.send(g.conversationId(), "t" + System.nanoTime() + "|storm");
                        sent.add(msg);
                        msg.acked().thenAccept(a -> g.acked().add(a.messageId()));
                    },
                    (long) (Math.random() * sendEvery),
                    sendEvery,
                    TimeUnit.MILLISECONDS);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String cmd;
        while ((cmd = in.readLine()) != null) {
            if (cmd.equals("epoch")) {
                epoch[0] = System.nanoTime();
            } else if (cmd.equals("stop")) {
                break;
            }
        }
        senders.shutdownNow();
        // Settle: every message sent gets its ack (the outbox re-sends after reconnects), then every member has it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (OutgoingMessage m : sent) {
            long left = Math.max(1, deadline - System.nanoTime());
            try {
                m.acked().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // Counted below: a message never acked is in no acked set, and is reported as unacked.
            }
        }
        long unacked = sent.stream().filter(m -> !m.acked().isDone()).count();
        Thread.sleep(200); // the acks' own bookkeeping (thenAccept) runs on the client threads
        long lost = 0;
        long acked = 0;
        while (true) {
            lost = 0;
            acked = 0;
            for (Group g : groups) {
                acked += g.acked().size();
                for (Member m : g.members().subList(1, g.members().size())) {
                    for (String id : g.acked()) {
                        if (!m.received.contains(id)) {
                            lost++;
                        }
                    }
                }
            }
            if (lost == 0 || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(100); // deadline poll: deliveries still arriving
        }
        StringBuilder codes = new StringBuilder();
        closes.forEach((k, v) -> codes.append(codes.length() == 0 ? "" : ",")
                .append(k)
                .append(':')
                .append(v.sum()));
        out.println("RESULT acked=" + acked + " lost=" + lost + " unacked=" + unacked + " live="
                + liveDelivery.getTotalCount() + " liveP99Ms="
                + (liveDelivery.getTotalCount() == 0 ? 0 : liveDelivery.getValueAtPercentile(99) / 1000.0)
                + " closes=" + codes);
        out.flush();
        status.shutdownNow();
        all.forEach(m -> m.client.close());
        System.exit(0);
    }

    /** A thread-safe list for the senders' many threads. */
    private static final class CopyOnWriteList<T> extends java.util.concurrent.CopyOnWriteArrayList<T> {}

    /** The parent's handle of one generator process. */
    static final class Child {
        private final Process process;
        private final Path log;
        private final PrintWriter stdin;
        private volatile int live;
        private volatile int back;
        private volatile int clients = -1;
        private final CompletableFuture<Map<String, String>> result = new CompletableFuture<>();

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
            this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        static Child start(Map<String, String> o, String url, String secret, Path groups, Path log) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of(o.getOrDefault("generator.options", "-Xmx768m -Xss256k")
                    .trim()
                    .split("\\s+")));
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Storm.class.getName());
            cmd.add("generator");
            cmd.add("url=" + url);
            cmd.add("secret=" + secret);
            cmd.add("groups=" + groups);
            for (String k : List.of("send.every.ms", "backoff.max.ms")) {
                if (o.containsKey(k)) {
                    cmd.add(k + "=" + o.get(k));
                }
            }
            Process p = new ProcessBuilder(cmd)
                    .redirectError(
                            log.resolveSibling(log.getFileName() + ".err").toFile())
                    .start();
            Child c = new Child(p, log);
            Thread t = new Thread(c::read, "storm-child-" + p.pid());
            t.setDaemon(true);
            t.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (c.clients < 0) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("generator did not start; see " + log + ".err");
                }
                try {
                    Thread.sleep(50); // deadline poll: the child's first status line
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return c;
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    PrintStream w = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("STATUS ")) {
                        Map<String, String> s = fields(line);
                        live = Integer.parseInt(s.get("live"));
                        back = Integer.parseInt(s.get("back"));
                        clients = Integer.parseInt(s.get("clients"));
                    } else if (line.startsWith("RESULT ")) {
                        w.println(line);
                        result.complete(fields(line));
                    } else {
                        w.println(line);
                    }
                }
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
            result.completeExceptionally(new IllegalStateException("generator ended without a result; see " + log));
        }

        private static Map<String, String> fields(String line) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String kv : line.substring(line.indexOf(' ') + 1).split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    m.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            return m;
        }

        int live() {
            return live;
        }

        int backSinceEpoch() {
            return back;
        }

        int clients() {
            return clients;
        }

        boolean alive() {
            return process.isAlive();
        }

        Path log() {
            return log;
        }

        void command(String c) {
            stdin.println(c);
        }

        Map<String, String> result(Duration within) throws Exception {
            return result.get(within.toMillis(), TimeUnit.MILLISECONDS);
        }

        void kill() {
            process.destroyForcibly();
        }
    }
}
