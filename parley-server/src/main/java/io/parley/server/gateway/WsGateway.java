package io.parley.server.gateway;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.server.chat.ChatService;
import io.parley.server.metrics.Metrics;
import io.parley.server.presence.PresenceHub;
import io.parley.server.config.Config;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.time.Clock;
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
    private final Function<String, CompletableFuture<String>> authenticator;
    private final Clock clock;
    private final PresenceHub presenceHub;
    private final Metrics metrics;
    private final AtomicLong ids = new AtomicLong();
    /** One executor per event-loop context, shared by its sessions, so a fanout can group its deliveries by loop. */
    private final java.util.Map<Context, java.util.concurrent.Executor> executors =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Random per process: session ids are unique across the nodes of a cluster (presence keys them). */
    private final String nodePrefix = Long.toString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE, 36);
    private volatile boolean accepting = true;

    public WsGateway(Vertx vertx, Config config, ChatService chat, SessionRegistry registry, FrameCodec codec,
                     Function<String, CompletableFuture<String>> authenticator, Clock clock, PresenceHub presenceHub,
                     Metrics metrics) {
        this.presenceHub = presenceHub;
        this.metrics = metrics;
        this.vertx = vertx;
        this.config = config;
        this.chat = chat;
        this.registry = registry;
        this.codec = codec;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /** Refuse new upgrades (shutdown). */
    public void stopAccepting() {
        accepting = false;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (!accepting) {
            ctx.response().setStatusCode(503).putHeader("content-type", "application/json")
                    .end(error(ErrorCode.UNAVAILABLE, "server is shutting down").encode());
            return;
        }
        String origin = req.getHeader("Origin");
        if (origin != null && !originAllowed(origin, req.getHeader("Host"))) {
            ctx.response().setStatusCode(403).putHeader("content-type", "application/json")
                    .end(error(ErrorCode.FORBIDDEN, "origin not allowed").encode());
            return;
        }
        // Read from the query string directly: req.getParam would build (and the connection keep) a parameter map.
        String query = req.query();
        String token = queryParam(query, "token");
        String resumeParam = queryParam(query, "resume");
        boolean resume = "1".equals(resumeParam) || "true".equals(resumeParam);
        req.toWebSocket().onSuccess(ws -> {
            // Vert.x keeps the upgrade request and response for the connection's life; their headers are not needed
            // any more (Origin and the query were read above), so let them go: about 0.5 KiB per connection.
            req.headers().clear();
            req.response().headers().clear();
            io.netty.channel.Channel channel = NettyAccess.channel(req.connection());
            FrameGuard.install(channel);
            NettyAccess.directWrites(channel);
            accept(ws, channel, token, resume);
        }).onFailure(err ->
                GatewayLog.LOG.debug("websocket upgrade failed: {}", err.toString()));
    }

    private void accept(ServerWebSocket ws, io.netty.channel.Channel channel, String token, boolean resume) {
        Context context = vertx.getOrCreateContext();
        ws.setWriteQueueMaxSize(config.ws().maxOutboundBytes());
        Session session = new Session(nodePrefix + "-" + ids.incrementAndGet(), new WsTransport(ws, channel),
                executors.computeIfAbsent(context, c -> r -> c.runOnContext(v -> r.run())), authenticator, chat,
                registry, codec, config, clock, presenceHub, (millis, task) -> vertx.setTimer(millis, id -> task.run()), metrics);
        if (resume) {
            session.requestResume();
        }
        long heartbeat = vertx.setPeriodic(config.ws().heartbeatInterval().toMillis(), id -> session.tick());
        ws.textMessageHandler(session::onText);
        ws.binaryMessageHandler(b -> session.onBinary());
        ws.pongHandler(b -> session.onPong());
        ws.exceptionHandler(err -> GatewayLog.LOG.debug("websocket error: {}", err.toString()));
        ws.closeHandler(v -> {
            vertx.cancelTimer(heartbeat);
            session.onClosed();
        });
        if (token != null) {
            session.authenticate(token);
        } else {
            vertx.setTimer(config.ws().authTimeout().toMillis(), id -> session.authDeadline());
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
            String originHostPort = u.getPort() == -1 ? u.getHost() + ":" + (o.startsWith("https:") ? 443 : 80)
                    : u.getHost() + ":" + u.getPort();
            String h = host.toLowerCase(Locale.ROOT);
            String hostPort = h.contains(":") && !h.endsWith("]") ? h : h + ":" + (o.startsWith("https:") ? 443 : 80);
            return originHostPort.equals(hostPort);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static JsonObject error(ErrorCode code, String message) {
        return new JsonObject().put("error", new JsonObject().put("code", code.wire()).put("message", message));
    }
}
