package io.parley.client;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A Parley connection that stays up: it reconnects with exponential backoff and full jitter, resumes from its own
 * cursors (nothing missed, nothing twice), and keeps unacknowledged sends in an outbox that it re-sends with their
 * original clientMsgId after every reconnect. See docs/client-java.md.
 *
 * <p>All state lives on one thread per client ({@code parley-client-N}); public methods may be called from any
 * thread. Listener callbacks run on that thread.
 */
public final class ParleyClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ParleyClient.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final URI uri;
    private final Supplier<String> tokenSupplier;
    private final ParleyListener listener;
    private final Duration sendTimeout;
    private final HttpClient http;
    private final FrameCodec codec = new FrameCodec();
    private final ScheduledExecutorService exec;
    private final LongSupplier nanoTime;
    private final Backoff backoff;
    private final Cursors cursors;
    private final Outbox outbox = new Outbox();
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();

    // Confined to exec.
    private volatile ConnectionState state = ConnectionState.IDLE;
    private volatile String userId;
    private WebSocket socket;
    private int generation;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    private String lastToken;
    private long lastReceivedNanos;
    private long heartbeatMillis;
    private long idleTimeoutMillis;
    private ScheduledFuture<?> heartbeat;
    private ScheduledFuture<?> reconnect;
    private final ScheduledFuture<?> timeouts;
    private boolean closing;

    private ParleyClient(Builder b) {
        this.uri = Objects.requireNonNull(b.uri, "uri");
        this.tokenSupplier = Objects.requireNonNull(b.tokenSupplier, "tokenSupplier");
        this.listener = b.listener;
        this.sendTimeout = b.sendTimeout;
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.nanoTime = b.nanoTime;
        this.backoff = new Backoff(b.backoffInitial, b.backoffMax, b.random);
        this.cursors = new Cursors(b.initialCursors);
        this.heartbeatMillis = b.heartbeatInterval.toMillis();
        this.idleTimeoutMillis = b.heartbeatInterval.toMillis() * 3;
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-client-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(10, Math.min(1000, sendTimeout.toMillis() / 4));
        this.timeouts = exec.scheduleWithFixedDelay(this::expireSends, tick, tick, TimeUnit.MILLISECONDS);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- public API ------------------------------------------------------------------------------------------------

    /** Starts connecting (and reconnecting); completes at the first {@code synced}. */
    public CompletableFuture<Void> connect() {
        exec.execute(() -> {
            if (state == ConnectionState.IDLE) {
                open();
            }
        });
        return firstSync;
    }

    /** Sends with a fresh clientMsgId (a random UUID). */
    public OutgoingMessage send(String conversationId, String body) {
        return send(conversationId, UUID.randomUUID().toString(), body);
    }

    /** Sends with the caller's clientMsgId (e.g. one persisted before a process restart). */
    public OutgoingMessage send(String conversationId, String clientMsgId, String body) {
        OutgoingMessage m = new OutgoingMessage(conversationId, clientMsgId, body, nanoTime.getAsLong());
        exec.execute(() -> {
            if (state == ConnectionState.CLOSED) {
                m.markFailed("closed", "client is closed");
                notifyMessage(m);
                return;
            }
            outbox.add(m);
            if (state == ConnectionState.SYNCING || state == ConnectionState.LIVE) {
                transmit(m);
            }
        });
        return m;
    }

    /** Puts a FAILED message back in the outbox with the same clientMsgId. */
    public void retry(OutgoingMessage m) {
        exec.execute(() -> {
            if (m.state() != MessageState.FAILED || state == ConnectionState.CLOSED) {
                return;
            }
            m.requeue(nanoTime.getAsLong());
            outbox.add(m);
            if (state == ConnectionState.SYNCING || state == ConnectionState.LIVE) {
                transmit(m);
            }
        });
    }

    /** Messages waiting for an ack, in send order. */
    public List<OutgoingMessage> pending() {
        return call(outbox::pending);
    }

    /** Highest seq processed per conversation: persist it and pass it to {@link Builder#initialCursors} to resume. */
    public Map<String, Long> cursors() {
        return call(cursors::snapshot);
    }

    public ConnectionState state() {
        return state;
    }

    /** The user id from the server's welcome; null before the first one. */
    public String userId() {
        return userId;
    }

    /** Drops the socket without a close handshake, as a network failure would; the client reconnects. */
    public void abortConnection() {
        exec.execute(() -> {
            if (socket != null) {
                socket.abort();
                lost(generation, 1006, "aborted by the application");
            }
        });
    }

    /** Closes with 1000 and stops reconnecting; pending messages fail with {@code "closed"}. Idempotent. */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            exec.execute(() -> {
                closing = true;
                cancelTimers();
                timeouts.cancel(false);
                WebSocket ws = socket;
                socket = null;
                generation++;
                if (ws != null) {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS)
                            .whenComplete((w, e) -> ws.abort());
                }
                outbox.failAll("closed").forEach(this::notifyMessage);
                setState(ConnectionState.CLOSED);
                firstSync.completeExceptionally(new IllegalStateException("client closed"));
                done.complete(null);
            });
            done.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return;
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "close did not finish cleanly", e);
        }
        exec.shutdown();
    }

    // ---- connection lifecycle (on exec) ----------------------------------------------------------------------------

    private void open() {
        if (closing) {
            return;
        }
        setState(ConnectionState.CONNECTING);
        int gen = ++generation;
        String token;
        try {
            token = tokenSupplier.get();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "token supplier failed", e);
            scheduleReconnect();
            return;
        }
        lastToken = token;
        // resume=1: the server holds live events until our sync, so none can overtake the replay (and be taken
        // for a duplicate by the cursors).
        URI target = URI.create(uri + (uri.getQuery() == null ? "?" : "&") + "resume=1&token="
                + URLEncoder.encode(token == null ? "" : token, StandardCharsets.UTF_8));
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(target, new Socket(gen))
                .whenCompleteAsync((ws, err) -> {
                    if (gen != generation) {
                        if (ws != null) {
                            ws.abort();
                        }
                        return;
                    }
                    if (err != null) {
                        LOG.log(System.Logger.Level.DEBUG, "connect failed: {0}", err.toString());
                        lost(gen, 1006, "connect failed: " + err.getMessage());
                    }
                }, exec);
    }

    private void opened(int gen, WebSocket ws) {
        if (gen != generation) {
            ws.abort();
            return;
        }
        socket = ws;
        sendChain = CompletableFuture.completedFuture(null);
        lastReceivedNanos = nanoTime.getAsLong();
    }

    private void onFrame(int gen, String text) {
        if (gen != generation) {
            return;
        }
        lastReceivedNanos = nanoTime.getAsLong();
        ServerFrame frame;
        try {
            frame = codec.decodeServer(text);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "undecodable frame from server", e);
            return;
        }
        if (frame instanceof ServerFrame.Event e) {
            if (cursors.accept(e.conversationId(), e.seq())) {
                safely(() -> listener.onEvent(e));
            }
        } else if (frame instanceof ServerFrame.Ack a) {
            notifyMessage(outbox.acked(a));
        } else if (frame instanceof ServerFrame.Welcome w) {
            onWelcome(w);
        } else if (frame instanceof ServerFrame.Synced s) {
            backoff.reset();
            setState(ConnectionState.LIVE);
            safely(() -> listener.onSynced(s.conversations()));
            firstSync.complete(null);
        } else if (frame instanceof ServerFrame.Error e) {
            OutgoingMessage failed = outbox.errored(e);
            if (failed != null) {
                notifyMessage(failed);
            } else if (e.ref() == null || !outbox.contains(e.ref())) {
                safely(() -> listener.onError(e));
            }
        }
    }

    private void onWelcome(ServerFrame.Welcome w) {
        userId = w.userId();
        heartbeatMillis = Math.max(50, Math.min(heartbeatMillis, w.heartbeatIntervalMs()));
        idleTimeoutMillis = w.idleTimeoutMs();
        setState(ConnectionState.SYNCING);
        write(codec.encode(new ClientFrame.Sync(cursors.snapshot(), ClientFrame.Sync.REPLAY)));
        for (OutgoingMessage m : outbox.pending()) {
            transmit(m);
        }
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        int gen = generation;
        heartbeat = exec.scheduleWithFixedDelay(() -> beat(gen), heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
    }

    private void beat(int gen) {
        if (gen != generation || socket == null) {
            return;
        }
        if (TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - lastReceivedNanos) > idleTimeoutMillis) {
            socket.abort();
            lost(gen, 1006, "nothing heard for " + idleTimeoutMillis + " ms");
            return;
        }
        write(codec.encode(new ClientFrame.Ping(null)));
    }

    /** The socket of generation {@code gen} is gone: reconnect, or stop on an authentication failure. */
    private void lost(int gen, int code, String reason) {
        if (gen != generation) {
            return;
        }
        generation++;
        socket = null;
        cancelTimers();
        safely(() -> listener.onClosed(code, reason));
        if (closing) {
            return;
        }
        if (code == 4001) {
            String fresh;
            try {
                fresh = tokenSupplier.get();
            } catch (RuntimeException e) {
                fresh = null;
            }
            if (fresh == null || fresh.equals(lastToken)) {
                closing = true;
                setState(ConnectionState.CLOSED);
                safely(() -> listener.onAuthFailed(reason));
                firstSync.completeExceptionally(new IllegalStateException("authentication failed: " + reason));
                return;
            }
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        setState(ConnectionState.BACKOFF);
        long delay = backoff.nextDelayMillis();
        reconnect = exec.schedule(this::open, delay, TimeUnit.MILLISECONDS);
    }

    private void transmit(OutgoingMessage m) {
        write(codec.encode(new ClientFrame.Send(m.conversationId(), m.clientMsgId(), m.body())));
    }

    /** The JDK allows one outstanding send per socket: chain them. A failed write drops the connection. */
    private void write(String text) {
        WebSocket ws = socket;
        if (ws == null) {
            return;
        }
        int gen = generation;
        sendChain = sendChain.thenCompose(x -> ws.sendText(text, true)).whenCompleteAsync((w, err) -> {
            if (err != null && gen == generation) {
                ws.abort();
                lost(gen, 1006, "write failed: " + err.getMessage());
            }
        }, exec);
    }

    private void expireSends() {
        outbox.expire(nanoTime.getAsLong(), sendTimeout.toNanos()).forEach(this::notifyMessage);
    }

    private void cancelTimers() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
        if (reconnect != null) {
            reconnect.cancel(false);
            reconnect = null;
        }
    }

    private void setState(ConnectionState s) {
        if (state != s) {
            state = s;
            safely(() -> listener.onStateChanged(s));
        }
    }

    private void notifyMessage(OutgoingMessage m) {
        if (m != null) {
            safely(() -> listener.onMessageStateChanged(m));
        }
    }

    /** A throwing listener must not stop the client; its failure is logged, not hidden. */
    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "listener threw", e);
        }
    }

    private <T> T call(Supplier<T> s) {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(s, exec);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("client thread did not answer", e);
        }
    }

    /** JDK WebSocket callbacks: assemble messages and hop onto the client thread. */
    private final class Socket implements WebSocket.Listener {
        private final int gen;
        private final StringBuilder partial = new StringBuilder();

        Socket(int gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(WebSocket ws) {
            // Runs before any onText: the socket is in place when the welcome is handled.
            exec.execute(() -> opened(gen, ws));
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                exec.execute(() -> onFrame(gen, text));
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            exec.execute(() -> lost(gen, statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            exec.execute(() -> lost(gen, 1006, String.valueOf(error)));
        }
    }

    /** Settings of a {@link ParleyClient}. */
    public static final class Builder {
        private URI uri;
        private Supplier<String> tokenSupplier;
        private ParleyListener listener = new ParleyListener() { };
        private Map<String, Long> initialCursors = Map.of();
        private Duration backoffInitial = Duration.ofMillis(250);
        private Duration backoffMax = Duration.ofSeconds(30);
        private Duration sendTimeout = Duration.ofSeconds(30);
        private Duration heartbeatInterval = Duration.ofSeconds(25);
        private HttpClient httpClient;
        private RandomGenerator random = RandomGenerator.getDefault();
        private LongSupplier nanoTime = System::nanoTime;

        /** The WebSocket URL, e.g. {@code ws://127.0.0.1:8080/ws} (the token is added as a query parameter). */
        public Builder uri(URI uri) {
            this.uri = uri;
            return this;
        }

        /** Called on every (re)connect, so an expiring token can be refreshed. */
        public Builder tokenSupplier(Supplier<String> tokenSupplier) {
            this.tokenSupplier = tokenSupplier;
            return this;
        }

        public Builder listener(ParleyListener listener) {
            this.listener = Objects.requireNonNull(listener);
            return this;
        }

        /** Cursors saved from {@link ParleyClient#cursors()} by an earlier run: resume from there. */
        public Builder initialCursors(Map<String, Long> cursors) {
            this.initialCursors = Map.copyOf(cursors);
            return this;
        }

        public Builder reconnectBackoff(Duration initial, Duration max) {
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /** A message not acked within this time is FAILED (default 30 s). */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = timeout;
            return this;
        }

        /** Upper bound for the client's ping interval (the server's, from welcome, is used when shorter). */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = interval;
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = nanoTime;
            return this;
        }

        public ParleyClient build() {
            return new ParleyClient(this);
        }
    }

    @Override
    public String toString() {
        return "ParleyClient{" + uri + ", " + state + "}";
    }
}
