package io.parley.server.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.server.auth.Principal;
import io.parley.server.chat.ChatService;
import io.parley.server.config.Config;
import io.parley.server.limits.Admission;
import io.parley.server.limits.RateLimits;
import io.parley.server.metrics.Metrics;
import io.parley.server.presence.PresenceHub;
import io.parley.server.time.Scheduler;
import io.parley.server.wire.ErrorBody;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The {@code /ws} upgrade: checks the Origin allow-list (cross-site WebSocket hijacking), upgrades, wires the socket
 * to a {@link Session}, and drives its heartbeat. Authentication is by {@code ?token=} on the upgrade or by an
 * {@code auth} first frame; failures close with 4001 (browsers cannot read an HTTP status of a failed upgrade).
 */
public final class WsGateway implements Handler<RoutingContext> {
    private final Vertx vertx;
    private final Config config;
    private final ChatService chat;
    private final SessionRegistry registry;
    private final FrameCodec codec;
    private final Function<String, CompletableFuture<Principal>> authenticator;
    private final Scheduler timers;
    private final PresenceHub presenceHub;
    private final Metrics metrics;
    private final AtomicLong ids = new AtomicLong();
    private final RateLimits limits;
    private final Admission admission;
    /** One executor per event-loop context, shared by its sessions, so a fanout can group its deliveries by loop. */
    private final java.util.Map<Context, java.util.concurrent.Executor> executors =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Random per process: session ids are unique across the nodes of a cluster (presence keys them). */
    private final String nodePrefix = Long.toString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE, 36);

    private volatile boolean accepting = true;
    /**
     * Netty's handshakers: frames up to limits.max-frame-bytes (a larger one closes with 1009), masked as RFC 6455
     * requires of clients, no extensions (so no compression is ever negotiated), violations reported to
     * {@link WsConnection} so it can close with their code.
     */
    private final WebSocketServerHandshakerFactory handshakers;

    private final Heartbeats heartbeats;
    /** A session's outbound queue: full above ws.max-outbound-bytes, drained below half of it. */
    private final io.netty.channel.WriteBufferWaterMark outboundLimit;

    public WsGateway(
            Vertx vertx,
            Config config,
            ChatService chat,
            SessionRegistry registry,
            FrameCodec codec,
            Function<String, CompletableFuture<Principal>> authenticator,
            Scheduler timers,
            PresenceHub presenceHub,
            Metrics metrics) {
        this(
                vertx,
                config,
                chat,
                registry,
                codec,
                authenticator,
                timers,
                presenceHub,
                metrics,
                RateLimits.none(),
                new Admission(
                        config.ws().maxConnections(), RateLimits.none().rates(), timers.clock(), Admission.RANDOM));
    }

    /**
     * {@code limits}: the buckets of the sessions' requests; {@code admission}: the node's ceiling on sessions and on
     * new connections per second.
     */
    public WsGateway(
            Vertx vertx,
            Config config,
            ChatService chat,
            SessionRegistry registry,
            FrameCodec codec,
            Function<String, CompletableFuture<Principal>> authenticator,
            Scheduler timers,
            PresenceHub presenceHub,
            Metrics metrics,
            RateLimits limits,
            Admission admission) {
        this.limits = limits;
        this.admission = admission;
        this.presenceHub = presenceHub;
        this.metrics = metrics;
        this.vertx = vertx;
        this.config = config;
        this.chat = chat;
        this.registry = registry;
        this.codec = codec;
        this.authenticator = authenticator;
        this.timers = timers;
        this.handshakers = new WebSocketServerHandshakerFactory(
                "/ws", null, decoderConfig(config.limits().maxFrameBytes()));
        this.heartbeats = new Heartbeats(timers, config.ws().heartbeatInterval());
        int max = Math.max(2, config.ws().maxOutboundBytes());
        this.outboundLimit = new io.netty.channel.WriteBufferWaterMark(max / 2, max);
    }

    /** What Netty's frame decoder accepts (see {@link #handshakers}); WsConnection's tests decode with the same. */
    static WebSocketDecoderConfig decoderConfig(int maxFrameBytes) {
        return WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrameBytes)
                .allowExtensions(false)
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(false)
                .build();
    }

    /** Talk to a stranger for this node's sessions; null leaves the matching frames refused. */
    private volatile io.parley.server.stranger.StrangerService strangers;

    /** Set once by the composition root, before the node listens. */
    public void matching(io.parley.server.stranger.StrangerService service) {
        this.strangers = service;
    }

    /** Refuse new upgrades (shutdown). */
    public void stopAccepting() {
        accepting = false;
    }

    /** Refuses upgrades and stops the heartbeat ticks; a node's stop calls it before its event loops close. */
    public void close() {
        accepting = false;
        heartbeats.close();
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (!accepting) {
            ErrorBody.send(ctx, ErrorCode.UNAVAILABLE, "server is shutting down");
            return;
        }
        String origin = req.getHeader("Origin");
        if (origin != null && !originAllowed(origin, req.getHeader("Host"))) {
            ErrorBody.send(ctx, ErrorCode.FORBIDDEN, "origin not allowed");
            return;
        }
        // Read from the query string directly: req.getParam would build (and the connection keep) a parameter map.
        String query = req.query();
        String token = queryParam(query, "token");
        String resumeParam = queryParam(query, "resume");
        boolean resume = "1".equals(resumeParam) || "true".equals(resumeParam);
        if (!isUpgrade(req)) {
            ErrorBody.send(
                    ctx,
                    ErrorCode.BAD_REQUEST,
                    "expected a WebSocket upgrade (GET with Upgrade: websocket and Sec-WebSocket-Key)");
            return;
        }
        Channel channel = NettyAccess.channel(req.connection());
        if (channel == null
                || !channel.eventLoop().inEventLoop()
                || channel.pipeline().get("handler") == null) {
            GatewayLog.LOG.error("cannot take over the connection of a WebSocket upgrade: Vert.x internals changed");
            ErrorBody.send(ctx, ErrorCode.INTERNAL, "WebSocket upgrade unavailable");
            return;
        }
        FullHttpRequest upgrade =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, req.uri(), Unpooled.EMPTY_BUFFER);
        for (java.util.Map.Entry<String, String> h : req.headers()) {
            upgrade.headers().add(h.getKey(), h.getValue());
        }
        WebSocketServerHandshaker handshaker = handshakers.newHandshaker(upgrade);
        if (handshaker == null) {
            ctx.response().putHeader("Sec-WebSocket-Version", "13");
            ErrorBody.send(ctx, 426, ErrorCode.BAD_REQUEST, "unsupported WebSocket version");
            return;
        }
        Admission.Refusal refused = admission.admit(registry.size());
        if (refused != null) {
            refuse(channel, handshaker, upgrade, refused);
            return;
        }
        // From here the channel is Parley's: Vert.x's HTTP connection handler leaves the pipeline (and with it the
        // request, the response and their headers), Netty's handshaker answers 101 and swaps the HTTP codec for its
        // WebSocket frame decoder and encoder, and WsConnection serves the frames.
        WsConnection conn = new WsConnection(channel, config.limits().maxFrameBytes(), outboundLimit);
        channel.pipeline().replace("handler", WsConnection.NAME, conn);
        try {
            handshaker.handshake(channel, upgrade).addListener(f -> {
                if (!f.isSuccess()) {
                    GatewayLog.LOG.debug(
                            "websocket upgrade failed: {}", f.cause().toString());
                    channel.close();
                }
            });
        } catch (RuntimeException e) {
            // Vert.x's HTTP handler is gone, so no HTTP error can be sent any more: the connection ends.
            GatewayLog.LOG.debug("websocket handshake refused: {}", e.toString());
            channel.close();
            return;
        }
        accept(conn, channel, token, resume);
    }

    /**
     * A connection over the node's admission (ws.max-connections, ws.connect-rate): upgraded, then closed at once with
     * 1013 and the server's retry delay in the reason, which a browser can read where it could not read an HTTP
     * status. No session is made; what the client sends meanwhile is dropped.
     */
    private void refuse(
            Channel channel, WebSocketServerHandshaker handshaker, FullHttpRequest upgrade, Admission.Refusal refused) {
        metrics.admissionRefused(refused.reason());
        channel.pipeline().replace("handler", "parley-refused", new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext c, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        });
        try {
            handshaker.handshake(channel, upgrade).addListener(f -> {
                if (!f.isSuccess()) {
                    channel.close();
                    return;
                }
                channel.writeAndFlush(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(
                                CloseCodes.TRY_AGAIN_LATER, CloseCodes.retryAfterReason(refused.retryAfterMs())))
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            });
        } catch (RuntimeException e) {
            GatewayLog.LOG.debug("websocket handshake refused: {}", e.toString());
            channel.close();
            return;
        }
        channel.config().setAutoRead(true);
    }

    /** A GET asking to upgrade to WebSocket, with the key the handshake answers. */
    private static boolean isUpgrade(HttpServerRequest req) {
        String upgrade = req.getHeader("Upgrade");
        String key = req.getHeader("Sec-WebSocket-Key");
        return io.vertx.core.http.HttpMethod.GET.equals(req.method())
                && upgrade != null
                && upgrade.equalsIgnoreCase("websocket")
                && key != null
                && !key.isBlank();
    }

    private void accept(WsConnection conn, Channel channel, String token, boolean resume) {
        // The event loop's own context, not the request's duplicate of it (Vert.x makes one per HTTP request): the
        // sessions of one loop share one executor (a fanout groups its deliveries by it) and one heartbeat timer, and
        // neither map gains an entry per connection.
        Context context = ((io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext()).unwrap();
        java.util.concurrent.Executor loop = executors.computeIfAbsent(context, c -> r -> c.runOnContext(v -> r.run()));
        Session session = new Session(
                nodePrefix + "-" + ids.incrementAndGet(),
                conn,
                loop,
                authenticator,
                chat,
                registry,
                codec,
                config,
                presenceHub,
                timers,
                metrics,
                limits);
        session.matching(strangers);
        conn.attach(session);
        if (resume) {
            session.requestResume();
        }
        heartbeats.add(context, loop, session);
        channel.config().setAutoRead(true);
        if (token != null) {
            session.authenticate(token);
        } else {
            session.startAuthDeadline();
        }
    }

    /** The first value of {@code name} in a query string (URL-decoded), or null. */
    static String queryParam(String query, String name) {
        if (query == null) {
            return null;
        }
        int start = 0;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = query.length();
            }
            int eq = query.indexOf('=', start);
            boolean hasValue = eq >= 0 && eq < end;
            String key = query.substring(start, hasValue ? eq : end);
            if (key.equals(name)) {
                String value = hasValue ? query.substring(eq + 1, end) : "";
                try {
                    return java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return value;
                }
            }
            start = end + 1;
        }
        return null;
    }

    /**
     * Same origin (scheme-less host:port equal to the Host header) is always allowed; otherwise the origin must be in
     * ws.allowed-origins, or that list must contain "*".
     */
    boolean originAllowed(String origin, String host) {
        String o = origin.toLowerCase(Locale.ROOT);
        for (String allowed : config.ws().allowedOrigins()) {
            if (allowed.equals("*") || allowed.equals(o)) {
                return true;
            }
        }
        try {
            URI u = URI.create(o);
            if (u.getHost() == null || host == null) {
                return false;
            }
            String originHostPort = u.getPort() == -1
                    ? u.getHost() + ":" + (o.startsWith("https:") ? 443 : 80)
                    : u.getHost() + ":" + u.getPort();
            String h = host.toLowerCase(Locale.ROOT);
            String hostPort = h.contains(":") && !h.endsWith("]") ? h : h + ":" + (o.startsWith("https:") ? 443 : 80);
            return originHostPort.equals(hostPort);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
