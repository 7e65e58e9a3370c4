package io.parley.client;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.EventKind;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Parley connection that stays up: it reconnects with exponential backoff and full jitter, resumes from its own
 * cursors (nothing missed, nothing twice), and keeps unacknowledged sends in an outbox that it re-sends with their
 * original clientMsgId after every reconnect. A send the server answered {@code held} (the moderation queue) is
 * answered: it is not re-sent, its {@link OutgoingMessage#answered()} completes with {@link MessageState#HELD}, and a
 * server admin's decision moves it to SENT or REJECTED ({@link ParleyListener#onMessageStateChanged}). See
 * docs/client-java.md.
 *
 * <p>All state lives on one thread per client ({@code parley-client-N}); public methods may be called from any
 * thread. Listener callbacks run on that thread.
 */
public final class ParleyClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ParleyClient.class.getName());
    /** Received events are reported as delivered in one frame per conversation after this quiet time. */
    static final long DELIVERED_DELAY_MILLIS = 200;
    /** Before the server's welcome says otherwise: a connection that says nothing this long is dead. */
    static final long WELCOME_TIMEOUT_MILLIS = 15_000;

    private final URI uri;
    private final Supplier<String> tokenSupplier;
    private final ParleyListener listener;
    private final Duration sendTimeout;
    private final Transport transport;
    private final ParleyRest rest;
    private final FrameCodec codec = new FrameCodec();
    private final ClientScheduler exec;
    private final Backoff backoff;
    private final Cursors cursors;
    private final Outbox outbox = new Outbox();
    private final Echoes echoes = new Echoes();
    private final LiveState live;
    private final boolean autoDelivered;
    private final boolean echoOwnMessages;
    private ClientScheduler.Task receiptFlush;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private final Connection.Events events = new Connection.Events() {
        @Override
        public void opened(Connection c) {
            ParleyClient.this.opened(c);
        }

        @Override
        public void text(Connection c, String text) {
            ParleyClient.this.text(c, text);
        }

        @Override
        public void ended(Connection c, int code, String reason) {
            ParleyClient.this.ended(c, code, reason);
        }
    };

    // Confined to exec.
    private volatile ConnectionState state = ConnectionState.IDLE;
    private volatile String userId;
    /** The current socket attempt; null between attempts. Callbacks of older ones are ignored. */
    private Connection connection;

    private String lastToken;
    private long lastReceivedNanos;
    private long heartbeatMillis;
    private long idleTimeoutMillis;
    /** Silence that ends the connection: the welcome timeout until the welcome, then the server's idle timeout. */
    private long idleLimitMillis;

    private long sincePingMillis;
    private ClientScheduler.Task heartbeat;
    private ClientScheduler.Task reconnect;
    private final ClientScheduler.Task timeouts;
    private boolean closing;
    /** A sync was sent and its {@code synced} has not come: what it replays fills any gap seen meanwhile. */
    private boolean syncRunning;
    /** What was left unsettled when the client closed (UNCONFIRMED), for {@link #pending()}. */
    private volatile List<OutgoingMessage> leftAtClose = List.of();
    /** What was HELD when the client closed, for {@link #held()}. */
    private volatile List<OutgoingMessage> heldAtClose = List.of();

    ParleyClient(ParleyClientBuilder b) {
        this.uri = Objects.requireNonNull(b.uri, "uri");
        this.tokenSupplier = Objects.requireNonNull(b.tokenSupplier, "tokenSupplier");
        this.listener = b.listener;
        this.sendTimeout = b.sendTimeout;
        HttpClient http = b.httpClient != null
                ? b.httpClient
                : b.trust != null ? TrustStore.httpClient(b.trust) : ParleyRest.defaultHttpClient();
        this.transport = b.transport != null ? b.transport : new JdkTransport(http);
        this.rest = ParleyRest.create(b.restUri != null ? b.restUri : restUriOf(uri), tokenSupplier, http);
        this.exec = b.scheduler != null ? b.scheduler : ClientScheduler.onThread();
        this.backoff = new Backoff(b.backoffInitial, b.backoffMax, b.random);
        this.cursors = new Cursors(b.initialCursors);
        this.live = new LiveState(exec::nanoTime);
        this.autoDelivered = b.autoDelivered;
        this.echoOwnMessages = b.echoOwnMessages;
        this.heartbeatMillis = b.heartbeatInterval.toMillis();
        this.idleTimeoutMillis = b.heartbeatInterval.toMillis() * 3;
        long tick = Math.max(10, Math.min(1000, sendTimeout.toMillis() / 4));
        this.timeouts = exec.every(tick, this::expireSends);
    }

    public static ParleyClientBuilder builder() {
        return new ParleyClientBuilder();
    }

    /** The HTTP origin of a WebSocket URL: ws -> http, wss -> https, and a last path segment {@code /ws} dropped. */
    static URI restUriOf(URI ws) {
        String scheme = "wss".equalsIgnoreCase(ws.getScheme()) ? "https" : "http";
        String path = ws.getRawPath() == null ? "" : ws.getRawPath();
        if (path.endsWith("/ws")) {
            path = path.substring(0, path.length() - 3);
        }
        return URI.create(scheme + "://" + ws.getRawAuthority() + path);
    }

    // ---- public API ------------------------------------------------------------------------------------------------

    /**
     * The REST API of the same server (docs/api.md), with this client's token supplier and HttpClient: history,
     * conversations, members and the rest. Its base is {@link ParleyClientBuilder#restUri} or derived from the
     * WebSocket URL ({@code ws://host:8080/ws} -> {@code http://host:8080}). Usable before and after close.
     */
    public ParleyRest rest() {
        return rest;
    }

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
        return enqueue(new OutgoingMessage(conversationId, clientMsgId, body, exec.nanoTime()));
    }

    /**
     * Sends again, with the same clientMsgId, body and reply, a message another (closed) client left UNCONFIRMED or
     * PENDING: the server stores it at most once, so this either stores it or answers with the original ack.
     */
    public OutgoingMessage resend(OutgoingMessage previous) {
        return send(previous.conversationId(), previous.clientMsgId(), previous.body(), previous.replyTo());
    }

    /**
     * Sends with the caller's clientMsgId, as a reply when {@code replyTo} is not null: the way to re-send a message
     * saved (conversation, clientMsgId, body, replyTo) from {@link #pending()} by an earlier run of the process.
     */
    public OutgoingMessage send(String conversationId, String clientMsgId, String body, String replyTo) {
        OutgoingMessage m = new OutgoingMessage(conversationId, clientMsgId, body, exec.nanoTime());
        return enqueue(replyTo == null ? m : m.replyingTo(replyTo));
    }

    /** Sends a reply to {@code replyTo} (a message id of the same conversation), with a fresh clientMsgId. */
    public OutgoingMessage reply(String conversationId, String replyTo, String body) {
        return enqueue(new OutgoingMessage(conversationId, UUID.randomUUID().toString(), body, exec.nanoTime())
                .replyingTo(replyTo));
    }

    private OutgoingMessage enqueue(OutgoingMessage m) {
        try {
            exec.execute(() -> enqueueHere(m));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // close() has stopped the client's thread: the send fails at once, told on the caller's thread.
            m.markFailed("closed", "client is closed");
            notifyMessage(m);
        }
        return m;
    }

    private void enqueueHere(OutgoingMessage m) {
        if (state == ConnectionState.CLOSED) {
            m.markFailed("closed", "client is closed");
            notifyMessage(m);
            return;
        }
        outbox.add(m);
        if (state == ConnectionState.SYNCING || state == ConnectionState.LIVE) {
            transmit(m);
        }
    }

    // ---- conversation features (see docs/client-java.md) ------------------------------------------------------------

    /** Edits one's own message (within the server's edit window). Fails with {@link ParleyException}. */
    public CompletableFuture<ServerFrame.Ok> edit(String conversationId, String messageId, String body) {
        return request(ref -> new ClientFrame.Edit(ref, conversationId, messageId, body))
                .thenApply(ServerFrame.Ok.class::cast);
    }

    /** Deletes a message: one's own, or anyone's as an owner or admin of a group. */
    public CompletableFuture<ServerFrame.Ok> delete(String conversationId, String messageId) {
        return request(ref -> new ClientFrame.Delete(ref, conversationId, messageId))
                .thenApply(ServerFrame.Ok.class::cast);
    }

    /** Adds ({@code add}) or removes one's emoji reaction to a message. */
    public CompletableFuture<ServerFrame.Ok> react(String conversationId, String messageId, String emoji, boolean add) {
        return request(ref -> new ClientFrame.React(ref, conversationId, messageId, emoji, !add))
                .thenApply(ServerFrame.Ok.class::cast);
    }

    /** The presence of users who share a conversation with this user (others are left out of the answer). */
    public CompletableFuture<List<ServerFrame.PresenceEntry>> queryPresence(Collection<String> userIds) {
        return request(ref -> new ClientFrame.PresenceQuery(ref, List.copyOf(userIds)))
                .thenApply(f -> ((ServerFrame.Presence) f).users());
    }

    // ---- talk to a stranger (docs/protocol.md, Matching)
    // -------------------------------------------------------------

    /**
     * Asks to be paired with a stranger; {@code interests} (may be empty) and {@code language} (may be null) narrow
     * the match for a while. Completes with the answer: a {@code match} frame {@code waiting}, {@code matched} or
     * {@code rejoined}; fails with {@link ParleyException} {@code match_session_taken} when another session of the
     * user is matching (call again with {@code takeover}) or {@code unavailable}. Every {@code match} frame, these
     * included, also goes to {@link ParleyListener#onMatch}.
     */
    public CompletableFuture<ServerFrame.Match> matchJoin(List<String> interests, String language, boolean takeover) {
        return match("join", interests, language, takeover, null);
    }

    /** Leaves the waiting queue; answered with {@code left}. */
    public CompletableFuture<ServerFrame.Match> matchLeave() {
        return match("leave", List.of(), null, false, null);
    }

    /** Ends the pair and joins again with the same criteria; answered with {@code ended} (waiting or matched follows). */
    public CompletableFuture<ServerFrame.Match> matchNext() {
        return match("next", List.of(), null, false, null);
    }

    /** Ends the pair; answered with {@code ended}. */
    public CompletableFuture<ServerFrame.Match> matchEnd() {
        return match("end", List.of(), null, false, null);
    }

    /** Ends the pair and never pairs the two again; answered with {@code ended}. */
    public CompletableFuture<ServerFrame.Match> matchBlock() {
        return match("block", List.of(), null, false, null);
    }

    /** Reports the partner (the pair's recent messages go to the operators); answered with {@code reported}. */
    public CompletableFuture<ServerFrame.Match> matchReport(String reason) {
        return match("report", List.of(), null, false, reason);
    }

    private CompletableFuture<ServerFrame.Match> match(
            String action, List<String> interests, String language, boolean takeover, String reason) {
        return request(ref -> new ClientFrame.Match(action, ref, interests, language, takeover, reason))
                .thenApply(ServerFrame.Match.class::cast);
    }

    /** Marks everything up to {@code seq} read; sent now, or after the next reconnect. Other devices see it too. */
    public void markRead(String conversationId, long seq) {
        exec.execute(() -> {
            live.read(conversationId, seq);
            flushReceipts();
        });
    }

    /** Tells the other members this user is typing ({@code true}) or stopped. The server throttles starts. */
    public void typing(String conversationId, boolean active) {
        exec.execute(() -> write(codec.encode(new ClientFrame.Typing(conversationId, active))));
    }

    /** Receipt cursors of the members of a conversation, as far as this client has heard. */
    public Map<String, ServerFrame.Receipt> receipts(String conversationId) {
        return live.receiptsOf(conversationId);
    }

    /** Members whose read cursor reached {@code seq} (for a sent message: who has read it). */
    public Set<String> readBy(String conversationId, long seq) {
        return live.readBy(conversationId, seq, true);
    }

    /** Members whose delivered cursor reached {@code seq} (who has received it). */
    public Set<String> deliveredTo(String conversationId, long seq) {
        return live.readBy(conversationId, seq, false);
    }

    /** Users typing in the conversation now; an entry disappears by itself after the server's ttl. */
    public Set<String> typingIn(String conversationId) {
        return live.typingIn(conversationId);
    }

    /** The last presence heard of a user (batches and query answers); empty when none yet. */
    public Optional<ServerFrame.PresenceEntry> presence(String userId) {
        return live.presenceOf(userId);
    }

    private CompletableFuture<ServerFrame> request(Function<String, ClientFrame> frame) {
        CompletableFuture<ServerFrame> answer = new CompletableFuture<>();
        exec.execute(() -> {
            if (connection == null || (state != ConnectionState.SYNCING && state != ConnectionState.LIVE)) {
                answer.completeExceptionally(new ParleyException("offline", "not connected; try again when connected"));
                return;
            }
            String ref = UUID.randomUUID().toString();
            live.expect(ref, answer);
            write(codec.encode(frame.apply(ref)));
        });
        return answer;
    }

    /** Sends pending receipt cursors when connected; otherwise they wait for the next connection. */
    private void flushReceipts() {
        if (receiptFlush != null) {
            receiptFlush.cancel();
            receiptFlush = null;
        }
        if (connection != null && (state == ConnectionState.SYNCING || state == ConnectionState.LIVE)) {
            live.drainReceipts().forEach(f -> write(codec.encode(f)));
        }
    }

    /** Puts a FAILED message back in the outbox with the same clientMsgId. */
    public void retry(OutgoingMessage m) {
        exec.execute(() -> {
            if (m.state() != MessageState.FAILED || state == ConnectionState.CLOSED) {
                return;
            }
            m.requeue(exec.nanoTime());
            outbox.add(m);
            if (state == ConnectionState.SYNCING || state == ConnectionState.LIVE) {
                transmit(m);
            }
        });
    }

    /**
     * Messages waiting for an ack (PENDING or UNCONFIRMED), in send order. After {@link #close()}: the messages it
     * left UNCONFIRMED, for a later session to re-send with {@link #resend} or {@code send(conversationId,
     * clientMsgId, body, replyTo)}.
     */
    public List<OutgoingMessage> pending() {
        if (state == ConnectionState.CLOSED) {
            return leftAtClose;
        }
        return call(outbox::pending);
    }

    /**
     * Messages the server answered {@code held} (docs/protocol.md, "Held messages") and no decision has reached yet,
     * in send order: waiting for a server admin's review, not re-sent. After {@link #close()}: those HELD at close;
     * a later session learns their fate by re-sending them with {@link #resend} (the server answers held, rejected or
     * the ack of the approved message).
     */
    public List<OutgoingMessage> held() {
        if (state == ConnectionState.CLOSED) {
            return heldAtClose;
        }
        return call(outbox::held);
    }

    /** Highest seq processed per conversation: persist it and pass it to {@link ParleyClientBuilder#initialCursors} to resume. */
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
            if (connection != null) {
                connection.abort("aborted by the application");
            }
        });
    }

    /**
     * Closes with 1000 and stops reconnecting. Messages without an ack become UNCONFIRMED (they may be stored) and
     * stay in {@link #pending()}; their {@link OutgoingMessage#acked()} ends with
     * {@link OutgoingMessage.UnconfirmedException}. Idempotent.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            exec.execute(() -> {
                closing = true;
                cancelTimers();
                timeouts.cancel();
                if (connection != null) {
                    connection.close(WebSocket.NORMAL_CLOSURE, "bye");
                    connection = null;
                }
                List<OutgoingMessage> wasPending = outbox.pending().stream()
                        .filter(m -> m.state() == MessageState.PENDING)
                        .collect(java.util.stream.Collectors.toList());
                leftAtClose = List.copyOf(outbox.abandonAll());
                heldAtClose = List.copyOf(outbox.abandonHeld());
                wasPending.forEach(this::notifyMessage);
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
        connection = transport.open(target, exec, events);
        lastReceivedNanos = exec.nanoTime();
        idleLimitMillis = WELCOME_TIMEOUT_MILLIS;
        startLiveness(connection);
    }

    private void opened(Connection c) {
        if (c == connection) {
            lastReceivedNanos = exec.nanoTime();
        } else {
            c.abort("superseded");
        }
    }

    private void text(Connection c, String text) {
        if (c != connection) {
            return;
        }
        lastReceivedNanos = exec.nanoTime();
        ServerFrame frame;
        try {
            frame = codec.decodeServer(text);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "undecodable frame from server", e);
            return;
        }
        if (frame instanceof ServerFrame.Event e) {
            onEventFrame(e);
        } else if (frame instanceof ServerFrame.Ok ok) {
            live.answer(ok.ref(), ok);
        } else if (frame instanceof ServerFrame.Receipts r) {
            live.receipts(r);
            safely(() -> listener.onReceipts(r));
        } else if (frame instanceof ServerFrame.Typing t) {
            live.typing(t);
            safely(() -> listener.onTyping(t));
        } else if (frame instanceof ServerFrame.Presence p) {
            live.presence(p);
            if (!live.answer(p.ref(), p)) {
                safely(() -> listener.onPresence(p.users()));
            }
        } else if (frame instanceof ServerFrame.Match m) {
            live.answer(m.ref(), m);
            safely(() -> listener.onMatch(m));
        } else if (frame instanceof ServerFrame.Held h) {
            OutgoingMessage m = outbox.heldAnswer(h);
            if (m != null) {
                if (m.state() == MessageState.SENT) {
                    Long cursor = cursors.get(h.conversationId());
                    if (cursor == null || cursor < h.seq()) {
                        echoes.expect(m.ack()); // approved: its event may still be on its way
                    }
                }
                notifyMessage(m);
            }
            safely(() -> listener.onHeld(h));
        } else if (frame instanceof ServerFrame.Ack a) {
            OutgoingMessage m = outbox.acked(a);
            if (m != null) {
                Long cursor = cursors.get(a.conversationId());
                if (cursor == null || cursor < a.seq()) {
                    // Its event is still to come (on the sending connection the ack goes first).
                    echoes.expect(a);
                }
                notifyMessage(m);
            }
        } else if (frame instanceof ServerFrame.Welcome w) {
            onWelcome(w);
        } else if (frame instanceof ServerFrame.Synced s) {
            syncRunning = false;
            backoff.reset();
            live.synced(s);
            cursors.adoptMissing(s.conversations());
            setState(ConnectionState.LIVE);
            flushReceipts();
            safely(() -> listener.onSynced(s.conversations()));
            firstSync.complete(null);
        } else if (frame instanceof ServerFrame.Error e) {
            OutgoingMessage failed = outbox.errored(e);
            if (failed != null) {
                notifyMessage(failed);
            } else if (e.ref() != null && outbox.contains(e.ref()) && "rate_limited".equals(e.code())) {
                holdSends(e.ref(), e.retryAfterMs());
            } else if (e.ref() != null && outbox.contains(e.ref())) {
                retryLater(e.ref(), e.retryAfterMs());
            } else if (!live.answer(e.ref(), e)) {
                safely(() -> listener.onError(e));
            }
        }
    }

    private void onWelcome(ServerFrame.Welcome w) {
        userId = w.userId();
        heartbeatMillis = Math.max(50, Math.min(heartbeatMillis, w.heartbeatIntervalMs()));
        idleTimeoutMillis = w.idleTimeoutMs();
        setState(ConnectionState.SYNCING);
        sendSync();
        for (OutgoingMessage m : outbox.pending()) {
            transmit(m);
        }
        idleLimitMillis = idleTimeoutMillis;
        startLiveness(connection);
    }

    private void sendSync() {
        syncRunning = true;
        write(codec.encode(new ClientFrame.Sync(cursors.snapshot(), ClientFrame.Sync.REPLAY, live.receiptsSince())));
    }

    /**
     * An event, in the order of the socket. A gap (a seq more than one above the conversation's cursor) is not passed
     * on: the client sends a sync from its cursors, whose replay brings the missing events and this one in order;
     * while a sync runs, its replay covers the gap already. The sender's own message, matched to this client's
     * outbox, settles that {@link OutgoingMessage} instead of reaching {@code onEvent} (docs/client-java.md, "Your
     * own messages").
     */
    private void onEventFrame(ServerFrame.Event e) {
        if (cursors.skips(e.conversationId(), e.seq())) {
            if (!syncRunning) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "gap in {0}: seq {1} after {2}; syncing from the cursors",
                        e.conversationId(),
                        e.seq(),
                        cursors.get(e.conversationId()));
                sendSync();
            }
            return;
        }
        if (!cursors.accept(e.conversationId(), e.seq())) {
            return;
        }
        boolean echo = echoes.take(e);
        if (EventKind.MESSAGE.wire().equals(e.kind()) && userId != null && userId.equals(e.actorId())) {
            OutgoingMessage m = outbox.echoed(e);
            if (m != null) {
                notifyMessage(m);
                echo = true;
            }
        } else {
            echo = false;
        }
        if (!echo || echoOwnMessages) {
            safely(() -> listener.onEvent(e));
        }
        if (EventKind.MEMBER_REMOVED.wire().equals(e.kind()) && userId != null && userId.equals(e.memberId())) {
            cursors.forget(e.conversationId());
        }
        if (autoDelivered) {
            live.received(e.conversationId(), e.seq());
            if (receiptFlush == null) {
                receiptFlush = exec.after(DELIVERED_DELAY_MILLIS, this::flushReceipts);
            }
        }
    }

    /**
     * One tick every heartbeat interval, at most a second apart: it drops a connection silent for longer than the
     * idle limit and pings every heartbeat interval once welcomed. Restarted at the welcome, whose interval counts.
     */
    private void startLiveness(Connection c) {
        if (heartbeat != null) {
            heartbeat.cancel();
        }
        long tick = Math.max(50, Math.min(heartbeatMillis, 1000));
        sincePingMillis = 0;
        heartbeat = exec.every(tick, () -> beat(c, tick));
    }

    private void beat(Connection c, long tick) {
        if (c != connection) {
            return;
        }
        if (TimeUnit.NANOSECONDS.toMillis(exec.nanoTime() - lastReceivedNanos) > idleLimitMillis) {
            c.abort("nothing heard for " + idleLimitMillis + " ms");
            return;
        }
        sincePingMillis += tick;
        if (sincePingMillis >= heartbeatMillis && (state == ConnectionState.SYNCING || state == ConnectionState.LIVE)) {
            sincePingMillis = 0;
            write(codec.encode(new ClientFrame.Ping(null)));
        }
    }

    /** The current socket is gone: reconnect, or stop on an authentication failure. */
    private void ended(Connection c, int code, String reason) {
        if (c != connection) {
            return;
        }
        connection = null;
        syncRunning = false;
        cancelTimers();
        live.failRequests("connection closed (" + code + ") before the answer");
        safely(() -> listener.onClosed(code, reason));
        if (closing) {
            return;
        }
        // 4001: the token was refused; 4003: its session was revoked. Either way only a different token may help.
        if (code == 4001 || code == 4003) {
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
        long serverDelay = code == CloseCodes.TRY_AGAIN_LATER ? CloseCodes.retryAfterMs(reason) : -1;
        if (serverDelay >= 0) {
            // The node admits no more connections now: come back when it said, not after the backoff.
            setState(ConnectionState.BACKOFF);
            reconnect = exec.after(backoff.serverDelayMillis(serverDelay), this::open);
            return;
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        setState(ConnectionState.BACKOFF);
        long delay = backoff.nextDelayMillis();
        reconnect = exec.after(delay, this::open);
    }

    /**
     * A send was refused for a passing reason (unavailable: the store could not commit): send it again, with the same
     * clientMsgId, after a growing delay with jitter, on the same connection; a reconnect also resends it.
     */
    private void retryLater(String clientMsgId, Long retryAfterMs) {
        OutgoingMessage m = outbox.get(clientMsgId);
        if (m == null) {
            return;
        }
        // rate_limited says when a token is there again: wait exactly that (the message stays pending, never failed).
        long delay = retryAfterMs != null ? retryAfterMs : backoff.delayForAttempt(m.nextRetry());
        // Bound to this connection: a reconnect re-sends every pending message by itself.
        Connection c = connection;
        exec.after(delay, () -> {
            if (outbox.get(clientMsgId) == m
                    && c != null
                    && c == connection
                    && (state == ConnectionState.SYNCING || state == ConnectionState.LIVE)) {
                transmit(m);
            }
        });
    }

    /** Conversations whose sends wait after a rate_limited, and until when (nanoTime): see {@link #holdSends}. */
    private final Map<String, Long> heldUntil = new java.util.concurrent.ConcurrentHashMap<>();
    /** Sends held back by {@link #heldUntil}, by clientMsgId: they go out, in send order, when the hold ends. */
    private final Set<String> waiting = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * rate_limited on a send: nothing was stored. Every send of that conversation waits until the server's delay has
     * passed (the longest one it gave), then the waiting ones go out again in send order, so a burst over the limit
     * keeps its order instead of each message retrying on a timer of its own (which would shuffle them).
     */
    private void holdSends(String clientMsgId, Long retryAfterMs) {
        OutgoingMessage m = outbox.get(clientMsgId);
        if (m == null) {
            return;
        }
        String conversationId = m.conversationId();
        waiting.add(clientMsgId);
        long delay = retryAfterMs != null && retryAfterMs >= 0 ? retryAfterMs : 1000;
        long until = exec.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(delay);
        Long held = heldUntil.get(conversationId);
        if (held != null && held >= until) {
            return;
        }
        heldUntil.put(conversationId, until);
        exec.after(delay, () -> {
            if (!heldUntil.remove(conversationId, until)) {
                return; // a longer hold replaced this one
            }
            if (connection == null || (state != ConnectionState.SYNCING && state != ConnectionState.LIVE)) {
                waiting.removeIf(id -> conversationId.equals(conversationOf(id)));
                return; // the next welcome sends the whole outbox, in order
            }
            for (OutgoingMessage w : outbox.pending()) {
                if (w.conversationId().equals(conversationId) && waiting.remove(w.clientMsgId())) {
                    transmit(w);
                }
            }
        });
    }

    private String conversationOf(String clientMsgId) {
        OutgoingMessage m = outbox.get(clientMsgId);
        return m == null ? null : m.conversationId();
    }

    private void transmit(OutgoingMessage m) {
        if (heldUntil.containsKey(m.conversationId())) {
            waiting.add(m.clientMsgId()); // sent, in order, when the hold ends (holdSends)
            return;
        }
        write(codec.encode(new ClientFrame.Send(m.conversationId(), m.clientMsgId(), m.body(), m.replyTo())));
    }

    private void write(String text) {
        if (connection != null) {
            connection.send(text);
        }
    }

    private void expireSends() {
        outbox.expire(exec.nanoTime(), sendTimeout.toNanos()).forEach(this::notifyMessage);
    }

    private void cancelTimers() {
        if (heartbeat != null) {
            heartbeat.cancel();
            heartbeat = null;
        }
        if (reconnect != null) {
            reconnect.cancel();
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

    @Override
    public String toString() {
        return "ParleyClient{" + uri + ", " + state + "}";
    }
}
