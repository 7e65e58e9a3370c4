package io.parley.server.gateway;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ProtocolException;
import io.parley.protocol.ServerFrame;
import io.parley.server.auth.Authenticator;
import io.parley.server.auth.Principal;
import io.parley.server.auth.TokenVerifier;
import io.parley.server.bus.Delivery;
import io.parley.server.chat.ChatException;
import io.parley.server.chat.ChatService;
import io.parley.server.config.Config;
import io.parley.server.limits.RateLimitedException;
import io.parley.server.limits.RateLimits;
import io.parley.server.log.AuthLog;
import io.parley.server.metrics.Metrics;
import io.parley.server.presence.PresenceHub;
import io.parley.server.stranger.StrangerService;
import io.parley.server.time.Scheduler;
import io.parley.server.wire.Frames;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One client connection's protocol logic, independent of the socket ({@link Transport}): authentication, the client's
 * requests (sends with their acks, edits, receipts, ...), liveness and closing. Once authenticated, the ordered event
 * feed and the client's sync are its {@link EventStream}'s. All methods except the "from any thread" ones ({@link #offerSignal}, ...) run on the session's own event-loop context ({@code loop}); those hop onto it, so the state below is
 * confined to one thread.
 */
public final class Session implements Inbound {
    enum State {
        AWAITING_AUTH,
        AUTHENTICATED,
        CLOSED
    }

    /**
     * This session's sends not answered yet, by clientMsgId (how many: a retry may overlap the first try). The
     * store hands a committed message to the bus before it completes the send's future, so the session's own copy
     * of the event can reach the loop before the ack would: then the ack the delivery carries
     * ({@link Delivery.SenderAck}) goes out first ({@link #earlyAcked}), as docs/protocol.md promises.
     */
    private final java.util.Map<String, Integer> sendsInFlight = new java.util.HashMap<>();

    private final java.util.Set<String> earlyAcked = new java.util.HashSet<>();

    private final String sessionId;
    private final Transport transport;
    private final Executor loop;
    private final Function<String, CompletableFuture<Principal>> authenticator;
    private final ChatService chat;
    private final SessionRegistry registry;
    private final FrameCodec codec;
    private final Config config;
    private final Clock clock;
    private final PresenceHub presenceHub;
    /** The auth deadline's and the gap holds' timers, and the clock of the idle check. */
    private final Scheduler timers;

    private final Metrics metrics;
    /** The buckets each request takes from (rate_limited when empty). */
    private final RateLimits limits;

    private State state = State.AWAITING_AUTH;
    private String userId;
    /** The device session of the token (null: the token named none); set with {@link #userId}. */
    private volatile Principal principal;

    private long lastActivity;
    private int inFlightSends;
    private boolean readingPaused;

    /** The event feed; null until authenticated. */
    private EventStream stream;

    private boolean authenticating;
    /** The client asked (?resume=1) to receive nothing live before its sync: events wait in the buffer. */
    private boolean resumeRequested;

    static final int MAX_IN_FLIGHT_SENDS = 1000;

    /** Talk to a stranger; null where the node has none (session tests). Set once, before authentication. */
    private StrangerService strangers;

    /** Set once by the gateway before the session authenticates. */
    void matching(StrangerService service) {
        this.strangers = service;
    }

    /** This session as the stranger service sees it: its frames go out on the session's loop. */
    private final StrangerService.Peer peer = new StrangerService.Peer() {
        @Override
        public String userId() {
            return userId;
        }

        @Override
        public String sessionId() {
            return sessionId;
        }

        @Override
        public void send(ServerFrame frame) {
            loop.execute(() -> Session.this.send(frame));
        }
    };

    Session(
            String sessionId,
            Transport transport,
            Executor loop,
            Function<String, CompletableFuture<Principal>> authenticator,
            ChatService chat,
            SessionRegistry registry,
            FrameCodec codec,
            Config config,
            PresenceHub presenceHub,
            Scheduler timers,
            Metrics metrics) {
        this(
                sessionId,
                transport,
                loop,
                authenticator,
                chat,
                registry,
                codec,
                config,
                presenceHub,
                timers,
                metrics,
                RateLimits.none());
    }

    Session(
            String sessionId,
            Transport transport,
            Executor loop,
            Function<String, CompletableFuture<Principal>> authenticator,
            ChatService chat,
            SessionRegistry registry,
            FrameCodec codec,
            Config config,
            PresenceHub presenceHub,
            Scheduler timers,
            Metrics metrics,
            RateLimits limits) {
        this.limits = limits;
        this.presenceHub = presenceHub;
        this.timers = timers;
        this.metrics = metrics;
        this.sessionId = sessionId;
        this.transport = transport;
        this.loop = loop;
        this.authenticator = authenticator;
        this.chat = chat;
        this.registry = registry;
        this.codec = codec;
        this.config = config;
        this.clock = timers.clock();
        this.lastActivity = clock.millis();
    }

    String userId() {
        return userId;
    }

    String id() {
        return sessionId;
    }

    /** Who authenticated this connection; null before that. */
    Principal principal() {
        return principal;
    }

    /** Before authentication: the client will send sync first; live events wait for it. */
    void requestResume() {
        resumeRequested = true;
    }

    State state() {
        return state;
    }

    // ---- inbound ---------------------------------------------------------------------------------------------------

    /** A token from the upgrade request (query parameter). */
    void authenticate(String token) {
        authenticating = true;
        transport.pauseReading();
        authenticator
                .apply(token)
                .whenCompleteAsync(
                        (who, err) -> {
                            if (state == State.CLOSED) {
                                return;
                            }
                            transport.resumeReading();
                            if (err != null) {
                                String reason = reasonOf(err);
                                if (isTokenRejection(err)) {
                                    AuthLog.tokenRejected("ws", reason, "session " + sessionId);
                                }
                                closeWith(
                                        isRevoked(err) ? CloseCodes.SESSION_REVOKED : CloseCodes.UNAUTHORIZED, reason);
                                return;
                            }
                            String uid = who.userId();
                            userId = uid;
                            principal = who;
                            state = State.AUTHENTICATED;
                            // With resume, live events wait until the client's sync says where it stands, so none can
                            // overtake the replay.
                            stream = new EventStream(
                                    this, uid, resumeRequested, transport, loop, chat, codec, config, metrics, timers);
                            // The node already receives every user's traffic (the bus subscribes once, at start), so
                            // from here on nothing committed can slip past both the replay and the live feed; the
                            // welcome goes out before any event delivered to the registered session, both being tasks
                            // of this loop.
                            registry.add(this);
                            Config.WebSocket ws = config.ws();
                            send(new ServerFrame.Welcome(
                                    sessionId,
                                    uid,
                                    ws.heartbeatInterval().toMillis(),
                                    ws.idleTimeout().toMillis(),
                                    config.limits().maxFrameBytes(),
                                    config.limits().maxBodyChars()));
                        },
                        loop);
    }

    @Override
    public void onText(String text) {
        lastActivity = clock.millis();
        ClientFrame frame;
        try {
            frame = codec.decodeClient(text);
        } catch (ProtocolException e) {
            if (state == State.AWAITING_AUTH) {
                closeWith(CloseCodes.UNAUTHORIZED, "not authenticated: the first frame must be auth");
                return;
            }
            error(e.code(), e.getMessage(), e.ref());
            return;
        }
        if (state == State.AWAITING_AUTH) {
            if (frame instanceof ClientFrame.Auth a && !authenticating) {
                authenticate(a.token());
            } else if (!(frame instanceof ClientFrame.Auth)) {
                closeWith(CloseCodes.UNAUTHORIZED, "not authenticated: the first frame must be auth");
            }
            return;
        }
        if (frame instanceof ClientFrame.Send s) {
            onSend(s);
        } else if (frame instanceof ClientFrame.Receipt r) {
            request(
                    limits.receipt(userId, () -> chat.receipt(userId, r.conversationId(), r.seq(), r.read())),
                    r.type(),
                    v -> {});
        } else if (frame instanceof ClientFrame.Typing t) {
            request(
                    limits.typing(userId, () -> chat.typing(userId, t.conversationId(), t.active())),
                    t.type(),
                    v -> {});
        } else if (frame instanceof ClientFrame.Edit e) {
            request(
                    limits.edit(userId, () -> chat.edit(userId, e.conversationId(), e.messageId(), e.body())),
                    refOf(e.ref(), e),
                    c -> send(Frames.ok(e.ref(), c, e.conversationId())));
        } else if (frame instanceof ClientFrame.Delete d) {
            request(
                    limits.edit(userId, () -> chat.delete(userId, d.conversationId(), d.messageId())),
                    refOf(d.ref(), d),
                    c -> send(Frames.ok(d.ref(), c, d.conversationId())));
        } else if (frame instanceof ClientFrame.React r) {
            request(
                    limits.reaction(
                            userId,
                            () -> chat.react(userId, r.conversationId(), r.messageId(), r.emoji(), !r.remove())),
                    refOf(r.ref(), r),
                    c -> send(Frames.ok(r.ref(), c, r.conversationId())));
        } else if (frame instanceof ClientFrame.PresenceQuery q) {
            request(
                    limits.presence(userId, () -> presenceHub.lookup(userId, q.userIds())),
                    refOf(q.ref(), q),
                    entries -> send(new ServerFrame.Presence(entries, q.ref())));
        } else if (frame instanceof ClientFrame.Sync s) {
            stream.onSync(s);
        } else if (frame instanceof ClientFrame.Ping p) {
            send(new ServerFrame.Pong(p.id()));
        } else if (frame instanceof ClientFrame.Auth) {
            error(ErrorCode.BAD_REQUEST, "already authenticated", "auth");
        } else if (frame instanceof ClientFrame.Match m) {
            if (strangers == null) {
                error(ErrorCode.BAD_REQUEST, "talk to a stranger is not available on this server", m.type());
            } else {
                strangers.onFrame(peer, m);
            }
        }
    }

    @Override
    public void onBinary() {
        lastActivity = clock.millis();
        if (state == State.AWAITING_AUTH) {
            closeWith(CloseCodes.UNAUTHORIZED, "not authenticated: the first frame must be auth");
            return;
        }
        error(ErrorCode.BAD_JSON, "binary frames are not supported; send JSON text frames", null);
    }

    @Override
    public void onPong() {
        lastActivity = clock.millis();
    }

    /** Heartbeat: called every heartbeat interval. Closes a connection that has been silent too long. */
    void tick() {
        if (state == State.CLOSED) {
            return;
        }
        if (clock.millis() - lastActivity > config.ws().idleTimeout().toMillis()) {
            closeWith(CloseCodes.IDLE_TIMEOUT, "idle timeout");
            return;
        }
        transport.ping();
    }

    /**
     * A connection without {@code ?token=}: starts the auth deadline ({@code ws.auth-timeout}) on the session's timers.
     * The task hands itself to the session's loop, so it is correct whichever thread the timer fires on.
     */
    void startAuthDeadline() {
        timers.after(config.ws().authTimeout(), () -> loop.execute(this::authDeadline));
    }

    /** The auth deadline passed: close unless authenticated. */
    void authDeadline() {
        if (state == State.AWAITING_AUTH && userId == null) {
            closeWith(CloseCodes.UNAUTHORIZED, "authentication timeout");
        }
    }

    /** The socket closed (either side). Idempotent. */
    @Override
    public void onClosed() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (stream != null) {
            stream.close();
        }
        if (userId != null) {
            registry.remove(this);
            if (strangers != null) {
                strangers.onClosed(userId, sessionId);
            }
        }
    }

    // ---- requests ---------------------------------------------------------------------------------------------------

    private static String refOf(String ref, ClientFrame frame) {
        return ref != null ? ref : frame.type();
    }

    /** Runs a request; its answer (or error frame with {@code ref}) goes out on the session's loop. */
    private <T> void request(CompletableFuture<T> future, String ref, java.util.function.Consumer<T> onSuccess) {
        future.whenCompleteAsync(
                (value, err) -> {
                    if (state == State.CLOSED) {
                        return;
                    }
                    if (err == null) {
                        onSuccess.accept(value);
                    } else {
                        failure(err, ref);
                    }
                },
                loop);
    }

    // ---- send ------------------------------------------------------------------------------------------------------

    private void onSend(ClientFrame.Send s) {
        inFlightSends++;
        if (inFlightSends >= MAX_IN_FLIGHT_SENDS && !readingPaused) {
            readingPaused = true;
            transport.pauseReading();
        }
        sendsInFlight.merge(s.clientMsgId(), 1, Integer::sum);
        limits.send(
                        userId,
                        s.conversationId(),
                        () -> chat.send(userId, s.conversationId(), s.clientMsgId(), s.body(), s.replyTo()))
                .whenCompleteAsync(
                        (appended, err) -> {
                            inFlightSends--;
                            sendsInFlight.computeIfPresent(s.clientMsgId(), (k, n) -> n == 1 ? null : n - 1);
                            boolean alreadyAcked = err == null
                                    && !appended.duplicate()
                                    && !appended.isHeld()
                                    && earlyAcked.remove(s.clientMsgId());
                            if (readingPaused && inFlightSends < MAX_IN_FLIGHT_SENDS / 2 && drainClose == null) {
                                readingPaused = false;
                                transport.resumeReading();
                            }
                            if (state == State.CLOSED) {
                                return;
                            }
                            if (err == null) {
                                if (appended.isHeld()) {
                                    // In the moderation queue, durably: the answer, but no ack (no seq, no log).
                                    send(Frames.held(appended.held(), appended.duplicate()));
                                } else if (!alreadyAcked) {
                                    send(Frames.ack(appended));
                                    metrics.acked();
                                }
                            } else {
                                failure(err, s.clientMsgId());
                            }
                            if (drainClose != null && inFlightSends == 0) {
                                drainClose.run();
                            }
                        },
                        loop);
    }

    // ---- delivery --------------------------------------------------------------------------------------------------

    /** The context this session runs on: sessions that share it share this instance. */
    Executor loop() {
        return loop;
    }

    /** From any thread: an ephemeral frame (receipts, typing, presence). Not buffered, not replayed. */
    void offerSignal(byte[] frame) {
        loop.execute(() -> deliverSignal(frame));
    }

    /** On the session's loop: an ephemeral frame. */
    void deliverSignal(byte[] frame) {
        if (state == State.AUTHENTICATED) {
            stream.signal(frame);
        }
    }

    /** On the session's loop: a live event. */
    void deliver(Delivery p) {
        if (state == State.AUTHENTICATED) {
            Delivery.SenderAck ack = p.senderAck();
            if (ack != null
                    && userId.equals(p.header().actorId())
                    && sendsInFlight.containsKey(ack.clientMsgId())
                    && earlyAcked.add(ack.clientMsgId())) {
                // Committed (the bus only carries committed events): the ack can go now, ahead of the event.
                transport.send(ack.frame());
                metrics.acked();
            }
            stream.deliver(p);
        }
    }

    /**
     * On the session's loop: delivering to this session failed with an unexpected exception (a bug). The fanout task
     * that called it goes on to the other sessions; this one is closed with 4008 so its client reconnects and catches
     * up from the store, where the event is.
     */
    void deliveryFailed(RuntimeException e) {
        GatewayLog.LOG.error("session {}: delivery failed; closing it so the client resyncs", sessionId, e);
        closeWith(CloseCodes.RESYNC, "internal error; reconnect and sync");
    }

    // ---- output helpers --------------------------------------------------------------------------------------------

    void send(ServerFrame frame) {
        if (state != State.CLOSED) {
            transport.send(codec.encode(frame));
        }
    }

    void error(ErrorCode code, String message, String ref) {
        send(new ServerFrame.Error(code.wire(), message, ref));
    }

    private void failure(Throwable err, String ref) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof ChatException ce) {
            error(ce.code(), ce.getMessage(), ref);
        } else if (cause instanceof RateLimitedException rl) {
            // Nothing was done: the client sends the same frame again after the delay (same clientMsgId for a send).
            send(new ServerFrame.Error(rl.code().wire(), rl.getMessage(), ref, rl.retryAfterMs()));
        } else {
            GatewayLog.LOG.warn("session {}: request {} failed: {}", sessionId, ref, cause.toString());
            error(ErrorCode.UNAVAILABLE, "not stored: the store is unavailable; retry with the same clientMsgId", ref);
        }
    }

    /**
     * From any thread: the node may have missed live events (its bus subscription was lost and is back). A caught-up
     * session replays from the store what it may have missed, as if the client had sent its sync again (every
     * conversation from its cursor, new ones from the start), ending with a {@code synced}; a session in the middle of
     * a sync or without one is closed with 4008 so that its client reconnects and syncs.
     */
    public void resync() {
        loop.execute(() -> {
            if (state == State.AUTHENTICATED && !stream.resync()) {
                closeWith(CloseCodes.RESYNC, "live events may have been missed; reconnect and sync");
            }
        });
    }

    /** From any thread: close this session (server shutdown). */
    public void closeFromServer(int code, String reason) {
        loop.execute(() -> closeWith(code, reason));
    }

    /** Set while draining for a graceful close: runs once the last in-flight send is answered. */
    private Runnable drainClose;

    /**
     * From any thread: stop reading frames, let the sends already taken commit and get their acks out, then close
     * with {@code code}. The future completes when the session is closed.
     */
    public CompletableFuture<Void> drainAndClose(int code, String reason) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (state == State.CLOSED) {
                done.complete(null);
                return;
            }
            transport.pauseReading();
            readingPaused = true;
            drainClose = () -> {
                closeWith(code, reason);
                done.complete(null);
            };
            if (inFlightSends == 0) {
                drainClose.run();
            }
        });
        return done;
    }

    /** Closes the session on its event loop, from any thread; nothing when it is closed by then. */
    void closeOnLoop(int code, String reason) {
        loop.execute(() -> {
            if (state != State.CLOSED) {
                closeWith(code, reason);
            }
        });
    }

    void closeWith(int code, String reason) {
        transport.close(code, reason);
        onClosed();
    }

    private static boolean isTokenRejection(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        return cause instanceof TokenVerifier.InvalidTokenException;
    }

    private static boolean isRevoked(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        return cause instanceof Authenticator.RevokedTokenException;
    }

    private static String reasonOf(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        String m = cause.getMessage();
        return m == null ? "unauthorized" : m;
    }
}
