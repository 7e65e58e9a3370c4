package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.server.auth.HmacJwt;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load generator: opens N WebSocket connections (one per user, spread over several local addresses 127.0.0.x),
 * places the users in groups (or direct pairs), sends at a rate per user with jitter, and measures connections,
 * sends, acks, deliveries (loss, duplicates, order by seq), delivery and ack latency, and the server's CPU and RSS.
 * Usage: {@code java -jar parley-bench/target/parley-bench.jar parley-bench/scenarios/smoke.properties [key=value...]}.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchConfig c;
    private final Clock clock = Clock.systemUTC();
    /** What the run counted, shared by the connections and the report. */
    final Tally tally = new Tally();

    /** The nodes' base URLs; a connection names its node by index. */
    List<String> urls;

    private ServerRest rest;
    private HmacJwt jwt;
    private final List<WebSocketClient> clients = new ArrayList<>();

    /** Set ahead of their sends (on another thread than the connections' loops, which read it): copy on write. */
    final List<Window> windows = new CopyOnWriteArrayList<>();

    volatile Window current;

    /** One user's connection. State is touched only on the connection's event loop. */
    final class Conn {
        final String user;
        final String token;
        /** The node this user connects to: online users alternate between nodes, so every group spans them. */
        final int node;
        /** A member who never connects ({@code offline.fraction}): it neither sends nor is owed deliveries. */
        final boolean offline;

        String conversationId;
        int members;
        /** Members of the conversation who connect: the deliveries one of its acked sends is owed. */
        int onlineMembers;

        WebSocket ws;
        /** The event loop this connection lives on; its send timers run there too. */
        Context loop;

        long lastSeq = -1;
        long nextId;
        final ConcurrentHashMap<String, Long> pendingAcks = new ConcurrentHashMap<>();

        Conn(String user, int node, boolean offline) {
            this.user = user;
            this.node = node;
            this.offline = offline;
            // An offline user with a push device needs a device session (devices belong to one): a token naming a
            // session ("sid") opens it on first use, as a backend-minted token of a signed-in device does.
            this.token = offline && c.offlinePushDevices()
                    ? jwt.issue(user, "bench-" + user, Duration.ofHours(6))
                    : jwt.issue(user, Duration.ofHours(6));
        }

        /** A connection handed to a generator process, with the token the coordinator minted. */
        Conn(Slice.Entry e) {
            this.user = e.user();
            this.token = e.token();
            this.node = e.node();
            this.offline = false;
            this.conversationId = e.conversationId();
            this.members = e.members();
            this.onlineMembers = e.onlineMembers();
        }

        /**
         * Reads the fields it needs by position rather than parsing the whole frame, so the generator spends its CPU
         * on load, not on JSON (the server writes "type" first; other frames fall back to a full parse).
         */
        void onText(String text) {
            if (text.startsWith("{\"type\":\"event\"")) {
                if (!text.contains("\"kind\":\"message\"")) {
                    return;
                }
                onMessage(longField(text, "\"seq\":"), text);
                return;
            }
            if (text.startsWith("{\"type\":\"ack\"")) {
                int i = text.indexOf("\"clientMsgId\":\"") + 15;
                onAck(text.substring(i, text.indexOf('"', i)));
                return;
            }
            JsonNode n;
            try {
                n = JSON.readTree(text);
            } catch (Exception e) {
                tally.errors.increment();
                return;
            }
            if (n.path("type").asText().equals("error")) {
                tally.errors.increment();
            }
        }

        private void onMessage(long seq, String text) {
            if (lastSeq >= 0 && seq <= lastSeq) {
                tally.duplicates.increment();
                return;
            }
            if (lastSeq >= 0 && seq > lastSeq + 1) {
                tally.gaps.add(seq - lastSeq - 1);
            }
            lastSeq = seq;
            tally.received.increment();
            int b = text.indexOf("\"body\":\"t");
            if (b < 0) {
                return;
            }
            long sentAt = longField(text, "\"body\":\"t");
            Window w = windowOf(sentAt);
            if (w != null) {
                w.deliveredIn.increment();
                w.delivery.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1000));
            }
        }

        private void onAck(String clientMsgId) {
            Long sentAt = pendingAcks.remove(clientMsgId);
            if (sentAt != null) {
                tally.acked.increment();
                Window w = windowOf(sentAt);
                if (w != null) {
                    w.ackedIn.increment();
                    w.expectedIn.add(onlineMembers);
                    w.ack.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1000));
                }
            }
        }

        void send(String padding) {
            if (ws == null || ws.isClosed()) {
                return;
            }
            long now = System.nanoTime();
            String id = user + "-" + nextId++;
            String body = "t" + now + "|" + padding;
            pendingAcks.put(id, now);
            tally.sent.increment();
            Window w = windowOf(now);
            if (w != null) {
                w.sentIn.increment();
            }
            ws.writeTextMessage("{\"type\":\"send\",\"conversationId\":\"" + conversationId + "\",\"clientMsgId\":\""
                    + id + "\",\"body\":\"" + body + "\"}");
        }
    }

    Bench(BenchConfig c) {
        this.c = c;
    }

    /** The (possibly negative) integer right after {@code key} in {@code text}. */
    static long longField(String text, String key) {
        int i = text.indexOf(key) + key.length();
        boolean negative = text.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        for (; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') {
                break;
            }
            v = v * 10 + (ch - '0');
        }
        return negative ? -v : v;
    }

    private Window windowOf(long nanos) {
        for (int i = windows.size() - 1; i >= 0; i--) {
            Window w = windows.get(i);
            if (w.contains(nanos)) {
                return w;
            }
        }
        return null;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help")) {
            System.out.println("usage: java -jar parley-bench.jar SCENARIO.properties [key=value ...]");
            return;
        }
        BenchConfig c = BenchConfig.load(Path.of(args[0]), java.util.Arrays.copyOfRange(args, 1, args.length));
        Result r = new Bench(c).run();
        System.out.println(r.summary());
        System.exit(r.clean() ? 0 : 1);
    }

    /**
     * The outcome: the JSON document, the human summary, and whether nothing was lost or duplicated (a send never
     * acknowledged by the end of the drain counts as lost: its sender would still be waiting).
     */
    public record Result(
            ObjectNode json, String summary, long lost, long duplicates, long failedConnections, long unacked) {
        public boolean clean() {
            return lost == 0 && duplicates == 0 && failedConnections == 0 && unacked == 0;
        }
    }

    /** Whether the first measured window has begun (set-up, ramp and warm-up are over): UploadBench waits for it. */
    boolean measuring() {
        return current != null;
    }

    public Result run() throws Exception {
        String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        SharedStore shared = SharedStore.of(c, run);
        boolean clean = false;
        Nodes nodes = null;
        Generators gens = null;
        WebPushSink push = c.offlinePushDevices() ? new WebPushSink() : null;
        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors())));
        try {
            nodes = Nodes.start(c, shared);
            urls = nodes.urls();
            rest = nodes.first();
            jwt = new HmacJwt(c.secret().getBytes(StandardCharsets.UTF_8), "parley", null, clock);
            ProcSampler proc = new ProcSampler(nodes.pids());
            long[] rssIdle = rss(proc);
            List<Conn> conns = setUp(run, push);
            int analyzed = shared.analyze();
            if (analyzed > 0) {
                System.out.println("analyzed the run's " + analyzed + " tables (as autovacuum would after the set-up)");
            }
            // A second baseline once the users and conversations exist (created over REST, which grows the heap) and
            // before any WebSocket: what the connections alone add is measured against it too.
            Thread.sleep(1000);
            long[] rssSetUp = rss(proc);
            // generator.processes=K: this process connects slice 0 and a child process each other slice, all at once;
            // the other slices' Conns stay here unconnected (ws null), so what follows skips them.
            List<List<Conn>> slices =
                    Slice.split(conns.stream().filter(x -> !x.offline).toList(), c.generatorProcesses());
            gens = Generators.start(c, urls, slices);
            TimeUnit.NANOSECONDS.sleep(gens.startRamp() - System.nanoTime());
            connect(vertx, gens.none() ? conns : slices.get(0));
            gens.awaitConnected(tally);
            System.gc();
            Thread.sleep(1000);
            long[] rssConnected = rss(proc);
            double deliveredBefore = nodes.delivered();
            long receivedBefore = tally.received.sum();
            String padding = "x".repeat(Math.max(1, c.bodyBytes() - 22));
            long peakRss = Report.total(rssConnected);
            long[] peakEach = rssConnected.clone();
            int best = -1;
            Snapshot.Merged all = null;
            for (int step = 0; step < Math.max(1, c.maxSteps()); step++) {
                Window w = new Window(c.ratePerUser() + step * c.rateStep());
                // The window's instants are set before its first send, the same in every generator process
                // (System.nanoTime() is the machine's monotonic clock, and the send time each message carries).
                long sendAt = System.nanoTime() + gens.leadNanos();
                w.startNanos = sendAt + (step == 0 ? TimeUnit.SECONDS.toNanos(c.warmupSeconds()) : 0);
                w.endNanos = w.startNanos + TimeUnit.SECONDS.toNanos(c.durationSeconds());
                windows.add(w);
                gens.window(step, w, sendAt);
                TimeUnit.NANOSECONDS.sleep(sendAt - System.nanoTime());
                startSending(vertx, conns, w.rate, padding);
                if (step == 0) {
                    progress("warm-up", w.startNanos, gens);
                }
                long cpu0 = proc.available() ? proc.cpuMillis() : 0;
                long commits0 = shared.commits();
                long pushes0 = push == null ? 0 : push.pushes();
                long wall0 = System.nanoTime();
                TreeMap<Double, Double> buckets0 = nodes.deliveryBuckets();
                TreeMap<Double, Double> lag0 = nodes.indexLagBuckets();
                TreeMap<Double, Double> commit0 = nodes.commitBuckets();
                current = w;
                progress(String.format(Locale.ROOT, "measuring at %.3f msg/s per user", w.rate), w.endNanos, gens);
                sending = false;
                w.cpuMillis = proc.available() ? proc.cpuMillis() - cpu0 : -1;
                w.storeCommits = commits0 < 0 ? -1 : shared.commits() - commits0;
                w.pushesIn = push == null ? -1 : push.pushes() - pushes0;
                w.wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wall0);
                if (proc.available()) {
                    long[] now = proc.rssKibEach();
                    peakRss = Math.max(peakRss, Report.total(now));
                    Arrays.setAll(peakEach, i -> Math.max(peakEach[i], now[i]));
                }
                progress("draining", System.nanoTime() + TimeUnit.SECONDS.toNanos(c.drainSeconds()), gens);
                w.lateDrainMillis = drainLate(step, conns, gens);
                w.serverDelivery = ServerLatency.difference(nodes.deliveryBuckets(), buckets0);
                w.indexLag = ServerLatency.difference(nodes.indexLagBuckets(), lag0);
                w.commits = ServerLatency.difference(nodes.commitBuckets(), commit0);
                // Every process's counts so far (with one process, this one's as they are): loss is the summed
                // expected deliveries against the summed received, wherever senders and receivers are.
                all = gens.merge(tally, windows, unacked(conns), receivedBefore);
                Window m = all.windows().get(step);
                long expected = m.expectedIn.sum();
                boolean ok = m.deliveredIn.sum() >= expected
                        && all.tally().duplicates.sum() == 0
                        && m.delivery.getValueAtPercentile(99) <= 100_000;
                if (ok) {
                    best = step;
                }
                if (c.maxSteps() > 1 && !ok) {
                    break;
                }
            }
            long receivedTotal = all.tally().received.sum() - all.receivedAtStart();
            double serverDelivered = nodes.delivered() - deliveredBefore;
            long unacked = all.unacked();
            Result r = new Report(c, all.tally(), all.windows())
                    .write(
                            best < 0 ? null : all.windows().get(best),
                            unacked,
                            new Report.Rss(rssIdle, rssSetUp, rssConnected, peakRss, peakEach),
                            receivedTotal,
                            serverDelivered,
                            new Report.OfflineUsers(
                                    conns.stream().filter(x -> x.offline).count(),
                                    devicesRegistered,
                                    push == null ? -1 : push.pushes(),
                                    push == null ? -1 : push.bytes(),
                                    push == null ? -1 : push.refused()),
                            all.byProcess(best < 0 ? all.windows().size() - 1 : best));
            clean = r.clean();
            if (c.stopWhileSending()) {
                // This process's slice sends (with several generator processes, the others have stopped).
                startSending(vertx, conns, c.ratePerUser(), padding);
                progress("sending, then SIGTERM to every node", System.nanoTime() + TimeUnit.SECONDS.toNanos(5), gens);
                clean &= nodes.stop(!clean, true);
                sending = false;
            }
            for (Conn x : conns) {
                if (x.ws != null) {
                    x.ws.close();
                }
            }
            return r;
        } finally {
            sending = false;
            if (gens != null) {
                gens.close();
            }
            if (push != null) {
                push.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (nodes != null) {
                nodes.stop(c.keepData() || !clean, false);
            }
            if (clean && !c.keepData() && c.startServer()) {
                shared.drop();
            }
        }
    }

    /** Each node's resident memory in KiB (none when /proc does not show every node). */
    private static long[] rss(ProcSampler proc) throws java.io.IOException {
        return proc.available() ? proc.rssKibEach() : new long[0];
    }

    private static long unacked(List<Conn> conns) {
        return conns.stream().mapToLong(x -> x.pendingAcks.size()).sum();
    }

    private int membersPerConversation() {
        return c.directPairs() ? 2 : c.groupSize();
    }

    /**
     * Provisions the users and creates their conversations over REST, a few dozen requests at a time; then the
     * offline members set their group's notify level and, with {@code push}, register their push devices.
     */
    private List<Conn> setUp(String run, WebPushSink push) throws Exception {
        List<Conn> conns = new ArrayList<>();
        int size = membersPerConversation();
        int offlinePerGroup = c.offlinePerGroup();
        int online = 0;
        for (int i = 0; i < c.users(); i++) {
            // Groups are consecutive runs of `size` users (below), so i % size is the member's place in its group;
            // online users take the nodes in turn (offline ones by their index would leave a node without senders).
            boolean offline = Offline.isOffline(i % size, size, offlinePerGroup);
            conns.add(new Conn("b" + run + "-" + i, (offline ? i : online++) % urls.size(), offline));
        }
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Conn x : conns) {
            all.add(rest.call("GET", "/api/v1/me", x.token, null));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        all.clear();
        for (int g = 0; g + size <= conns.size(); g += size) {
            List<Conn> members = conns.subList(g, g + size);
            ObjectNode req = JSON.createObjectNode();
            if (c.directPairs()) {
                req.put("type", "direct").put("userId", members.get(1).user);
            } else {
                req.put("type", "group").put("title", "bench " + g);
                ArrayNode m = req.putArray("members");
                members.subList(1, size).forEach(x -> m.add(x.user));
            }
            all.add(rest.call("POST", "/api/v1/conversations", members.get(0).token, req.toString())
                    .thenAccept(body -> {
                        String id = body.path("id").asText();
                        for (Conn x : members) {
                            x.conversationId = id;
                            x.members = size;
                            x.onlineMembers = size - offlinePerGroup;
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        List<Conn> members =
                conns.stream().filter(x -> x.conversationId != null).toList();
        List<Conn> offline = members.stream().filter(x -> x.offline).toList();
        if (!offline.isEmpty()) {
            devicesRegistered = Offline.setUp(rest, offline, push);
        }
        return members;
    }

    /** Push devices the offline users registered (0 without {@code offline.push.devices}). */
    private long devicesRegistered;

    /**
     * Opens every connection at {@code ramp.per.second} (divided among the generator processes, which ramp at once),
     * spread over 127.0.0.1..127.0.0.N as source addresses.
     */
    void connect(Vertx vertx, List<Conn> all) throws Exception {
        List<Conn> conns = all.stream().filter(x -> !x.offline).toList();
        List<URI> nodes = urls.stream().map(URI::create).toList();
        List<Context> loops = loops(vertx);
        // Held in a field: Vert.x closes a client (and all its connections) once it is garbage collected.
        for (int i = 1; i <= Math.max(1, c.bindAddresses()); i++) {
            clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setLocalAddress("127.0.0." + i)
                    .setMaxConnections(conns.size() + 1)
                    .setConnectTimeout(30_000)
                    .setTcpNoDelay(true)));
        }
        long gapNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, c.rampPerSecond() / c.generatorProcesses());
        List<CompletableFuture<Void>> opened = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < conns.size(); i++) {
            long due = start + i * gapNanos;
            long wait = due - System.nanoTime();
            if (wait > 1_000_000) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            Conn x = conns.get(i);
            CompletableFuture<Void> f = new CompletableFuture<>();
            opened.add(f);
            tally.attempted.increment();
            long t0 = System.nanoTime();
            tally.firstAttemptNanos.accumulateAndGet(t0, Math::min);
            URI u = nodes.get(x.node);
            WebSocketClient client = clients.get(i % clients.size());
            x.loop = loops.get(i % loops.size());
            x.loop.runOnContext(go -> client.connect(new WebSocketConnectOptions()
                            .setHost(u.getHost())
                            .setPort(u.getPort())
                            .setURI(c.tokenInUrl() ? "/ws?resume=1&token=" + x.token : "/ws?resume=1"))
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            tally.failed.increment();
                            f.complete(null);
                            return;
                        }
                        long now = System.nanoTime();
                        tally.connectHist.recordValue((now - t0) / 1000);
                        tally.established.increment();
                        tally.lastEstablishedNanos.accumulateAndGet(now, Math::max);
                        tally.establishedByNode
                                .computeIfAbsent(x.node, k -> new LongAdder())
                                .increment();
                        x.ws = ar.result();
                        x.ws.textMessageHandler(x::onText);
                        if (!c.tokenInUrl()) {
                            // The token in the first frame (the protocol's auth frame) rather than the upgrade URL: the
                            // server does not keep a copy of the URL's token per connection, and tokens stay out of
                            // access logs.
                            x.ws.writeTextMessage("{\"type\":\"auth\",\"token\":\"" + x.token + "\"}");
                        }
                        // As the SDKs do (resume=1, then sync): from here on the server delivers each conversation's
                        // events in seq order, holding one that overtook another (two nodes) until the missing one
                        // comes. No cursors and unlisted "skip": no history is replayed (the default, "replay",
                        // would send each member the group's whole log: in a 10,000-member group the 10,001 events
                        // of its creation, to each of the 10,000).
                        x.ws.writeTextMessage("{\"type\":\"sync\",\"cursors\":{},\"unlisted\":\"skip\"}");
                        WebSocket ws = x.ws;
                        x.ws.closeHandler(v -> {
                            if (current == null || !current.over()) {
                                tally.closedEarly.increment();
                                tally.closeCodes
                                        .computeIfAbsent(
                                                ws.closeStatusCode() + " " + ws.closeReason(), k -> new LongAdder())
                                        .increment();
                            }
                        });
                        f.complete(null);
                    }));
            if (i % 1000 == 999) {
                System.out.printf(
                        "  connecting: %d attempted, %d established, %d failed%n",
                        tally.attempted.sum(), tally.established.sum(), tally.failed.sum());
            }
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        System.out.printf(
                "connected: %d of %d (%d failed), connect p50 %.1f ms p99 %.1f ms%n",
                tally.established.sum(),
                tally.attempted.sum(),
                tally.failed.sum(),
                tally.connectHist.getValueAtPercentile(50) / 1000.0,
                tally.connectHist.getValueAtPercentile(99) / 1000.0);
    }

    /**
     * One context per event loop of the generator. Vert.x gives a plain thread (the one that opens the connections)
     * the same context on every call, so without this every connection, its frames and its timers would share one
     * loop: with thousands of connections that loop fell seconds behind, which the generator then counted as connect
     * and delivery latency, and sent its auth frames so late that the server closed the connections (4001).
     */
    private static List<Context> loops(Vertx vertx) throws Exception {
        int n = Math.max(2, Runtime.getRuntime().availableProcessors());
        List<Context> out = new java.util.concurrent.CopyOnWriteArrayList<>();
        vertx.deployVerticle(
                        () -> new VerticleBase() {
                            @Override
                            public Future<?> start() {
                                out.add(context);
                                return Future.succeededFuture();
                            }
                        },
                        new DeploymentOptions().setInstances(n))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        return out;
    }

    volatile boolean sending;

    /** Each user sends at {@code rate} messages/s on average, with uniform jitter of +-50% between sends. */
    void startSending(Vertx vertx, List<Conn> conns, double rate, String padding) {
        sending = rate > 0;
        if (!sending) {
            return;
        }
        long meanMillis = Math.max(1, (long) (1000 / rate));
        for (Conn x : conns) {
            if (x.ws != null) {
                // The first send at a random point of the first period, so users do not send in lockstep.
                long first = Math.max(
                        1, (long) (meanMillis * ThreadLocalRandom.current().nextDouble()));
                x.loop.runOnContext(go -> vertx.setTimer(first, t -> tick(vertx, x, meanMillis, padding)));
            }
        }
    }

    /** One user's send, then the next one armed; the chain ends when {@link #sending} is cleared. */
    private void tick(Vertx vertx, Conn x, long meanMillis, String padding) {
        if (!sending) {
            return;
        }
        x.send(padding);
        long next = Math.max(
                1, (long) (meanMillis * (0.5 + ThreadLocalRandom.current().nextDouble())));
        vertx.setTimer(next, t -> tick(vertx, x, meanMillis, padding));
    }

    /**
     * After {@code drain.seconds}: while sends of the window are still unacknowledged or their deliveries still
     * short, and they keep arriving (something came in the last {@link #LATE_STALL_SECONDS}), waits on, up to
     * {@link #LATE_DRAIN_SECONDS}; so "lost" counts what never came, not what an overloaded run delivered late (late
     * deliveries are in the latency figures, and the summary says how long the drain was extended). Returns the
     * extension in ms. With several generator processes, on the sums of all (the workers' counts read after the
     * window's end).
     */
    private long drainLate(int index, List<Conn> conns, Generators gens) throws InterruptedException {
        Window w = windows.get(index);
        long start = System.nanoTime();
        long lastChange = start;
        long before = -1;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(LATE_DRAIN_SECONDS)) {
            Generators.Progress others = gens.progress();
            long unacked = unacked(conns) + others.sum("unacked");
            long expected = w.expectedIn.sum() + others.window(index, "expectedIn");
            long delivered = w.deliveredIn.sum() + others.window(index, "deliveredIn");
            if (unacked == 0 && delivered >= expected && others.since(w.endNanos + TimeUnit.SECONDS.toNanos(1))) {
                break;
            }
            long now = w.ackedIn.sum() + others.window(index, "ackedIn") + delivered;
            if (now != before) {
                before = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(LATE_STALL_SECONDS)) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        long extended = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (extended >= 200) {
            System.out.printf(
                    Locale.ROOT, "drain extended by %.1f s for late acks and deliveries%n", extended / 1000.0);
        }
        return extended;
    }

    /** The longest the drain is extended for late acks and deliveries. */
    static final int LATE_DRAIN_SECONDS = 120;
    /** The drain's extension ends when nothing more arrived for this long. */
    static final int LATE_STALL_SECONDS = 10;

    /**
     * Prints the counts every 5 s until {@code end} (a System.nanoTime() instant): with several generator processes,
     * their sums, and the delivery latency of this process's slice.
     */
    private void progress(String phase, long end, Generators gens) throws InterruptedException {
        while (end - System.nanoTime() > 0) {
            long left = end - System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.SECONDS.toNanos(5)));
            Window w = current;
            Generators.Progress others = gens.progress();
            System.out.printf(
                    Locale.ROOT,
                    "[%s] %s: conns %d, sent %d, acked %d, received %d, dup %d, gaps %d, errors %d%s%n",
                    Instant.now().toString().substring(11, 19),
                    phase,
                    tally.established.sum() - tally.closedEarly.sum() + others.sum("conns"),
                    tally.sent.sum() + others.sum("sent"),
                    tally.acked.sum() + others.sum("acked"),
                    tally.received.sum() + others.sum("received"),
                    tally.duplicates.sum() + others.sum("duplicates"),
                    tally.gaps.sum() + others.sum("gaps"),
                    tally.errors.sum() + others.sum("errors"),
                    w == null || w.delivery.getTotalCount() == 0
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    ", delivery p50 %.2f ms p99 %.2f ms%s",
                                    w.delivery.getValueAtPercentile(50) / 1000.0,
                                    w.delivery.getValueAtPercentile(99) / 1000.0,
                                    gens.none() ? "" : " (generator process 0)"));
        }
    }
}
