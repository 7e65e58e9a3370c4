package io.parley.server;

import io.parley.protocol.CloseCodes;
import io.parley.protocol.FrameCodec;
import io.parley.server.api.AuthApi;
import io.parley.server.api.RestApi;
import io.parley.server.auth.Authenticator;
import io.parley.server.auth.HmacJwt;
import io.parley.server.auth.PasswordHasher;
import io.parley.server.auth.SecretFile;
import io.parley.server.bus.Bus;
import io.parley.server.bus.LocalBus;
import io.parley.server.chat.ReceiptBatcher;
import io.parley.server.presence.LocalPresence;
import io.parley.server.presence.Presence;
import io.parley.server.presence.PresenceHub;
import io.parley.server.chat.ChatService;
import io.parley.server.config.Config;
import io.parley.server.gateway.SessionRegistry;
import io.parley.server.gateway.WsGateway;
import io.parley.server.store.ChatStore;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.SqliteOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Parley node: store, bus, sessions, WebSocket gateway and REST API on one HTTP port, served by one HTTP server
 * per event loop. {@link #start} completes when the port is bound; {@link #stop} drains and releases everything.
 */
public final class ParleyServer {
    private static final Logger LOG = LoggerFactory.getLogger(ParleyServer.class);

    private final Config config;
    private final Vertx vertx;
    private final ChatStore store;
    private final Bus bus;
    private final SessionRegistry registry;
    private final WsGateway gateway;
    private final int port;
    private final Extras extras;

    /** The node's parts with a lifecycle besides the store and the bus, closed in this order after the store's users. */
    private record Extras(PresenceHub presenceHub, ReceiptBatcher receipts, Presence presence) {
        void closeBefore(Bus bus, ChatStore store) {
            presenceHub.close();
            receipts.close();
            bus.close();
            store.close();
            presence.close();
        }
    }
    private volatile boolean stopped;

    private ParleyServer(Config config, Vertx vertx, ChatStore store, Bus bus, SessionRegistry registry,
                         WsGateway gateway, int port, Extras extras) {
        this.extras = extras;
        this.config = config;
        this.vertx = vertx;
        this.store = store;
        this.bus = bus;
        this.registry = registry;
        this.gateway = gateway;
        this.port = port;
    }

    /** Builds and starts a node. Blocking parts (migrations, secret file) run on the calling thread, not a loop. */
    public static Future<ParleyServer> start(Config config) {
        Clock clock = Clock.systemUTC();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            return Future.failedFuture(new UncheckedIOException("cannot create data dir " + config.dataDir(), e));
        }
        byte[] secret = config.auth().jwtSecret() != null
                ? config.auth().jwtSecret().getBytes(StandardCharsets.UTF_8)
                : SecretFile.loadOrCreate(config.dataDir());
        FrameCodec codec = new FrameCodec();
        Presence presence = new LocalPresence(config.presence().ttl().toMillis(), clock);
        SessionRegistry registry = new SessionRegistry(codec, presence);
        Bus bus = new LocalBus(registry::deliver, registry::deliver);
        ChatStore store;
        try {
            store = JdbcChatStore.openSqlite(config.store().sqliteFile(config.dataDir()),
                    new SqliteOptions(config.store().fsync(), config.store().maxBatch(), config.store().readers()),
                    bus::publish);
        } catch (RuntimeException e) {
            presence.close();
            return Future.failedFuture(e);
        }
        Vertx vertx = Vertx.vertx();
        ReceiptBatcher receipts = new ReceiptBatcher(store, bus, config.receipts().window().toMillis(),
                config.receipts().maxFanoutMembers(), clock);
        PresenceHub presenceHub = new PresenceHub(presence, store, config.presence(), codec, registry);
        HmacJwt jwt = new HmacJwt(secret, config.auth().issuer(), config.auth().audience(), clock);
        ChatService chat = new ChatService(store, config, bus, presence, receipts, clock);
        Authenticator authenticator = new Authenticator(jwt, store);
        WsGateway gateway = new WsGateway(vertx, config, chat, registry, codec, authenticator::authenticate, clock,
                presenceHub);
        PasswordHasher hasher = new PasswordHasher(config.auth().bcryptCost());

        Router router = Router.router(vertx);
        router.get("/health/live").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
                .end(new JsonObject().put("status", "UP").encode()));
        router.get("/health/ready").handler(ctx -> store.ping().whenComplete((ok, err) -> {
            boolean ready = err == null && Boolean.TRUE.equals(ok);
            ctx.response().setStatusCode(ready ? 200 : 503).putHeader("content-type", "application/json")
                    .end(new JsonObject().put("status", ready ? "UP" : "DOWN")
                            .put("checks", new JsonObject().put("store", ready ? "UP" : "DOWN")).encode());
        }));
        router.get("/ws").handler(gateway);
        new RestApi(chat, presenceHub, authenticator, config).mount(router);
        new AuthApi(vertx, store, hasher, jwt, config.auth(), clock).mount(router);
        mountWebApp(router);

        int port;
        try {
            port = config.http().port() != 0 ? config.http().port() : freePort(config.http().host());
        } catch (IOException e) {
            new Extras(presenceHub, receipts, presence).closeBefore(bus, store);
            vertx.close();
            return Future.failedFuture(e);
        }
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.http().host())
                .setPort(port)
                .setMaxWebSocketFrameSize(config.limits().maxFrameBytes())
                .setMaxWebSocketMessageSize(config.limits().maxFrameBytes())
                .setRegisterWebSocketWriteHandlers(false)
                .setTcpNoDelay(true);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        Extras extras = new Extras(presenceHub, receipts, presence);
        ParleyServer server = new ParleyServer(config, vertx, store, bus, registry, gateway, port, extras);
        return vertx.deployVerticle(() -> new HttpVerticle(options, router), new DeploymentOptions().setInstances(instances))
                .map(id -> {
                    LOG.info("Parley listening on http://{}:{} (data dir {})", config.http().host(), port,
                            config.dataDir().toAbsolutePath().normalize());
                    return server;
                })
                .recover(err -> {
                    extras.closeBefore(bus, store);
                    return vertx.close().transform(v -> Future.failedFuture(err));
                });
    }

    public int port() {
        return port;
    }

    public Config config() {
        return config;
    }

    public ChatStore store() {
        return store;
    }

    public PresenceHub presenceHub() {
        return extras.presenceHub();
    }

    /** Sessions connected to this node. */
    public int sessionCount() {
        return registry.size();
    }

    /**
     * Graceful stop: refuse new connections, close sessions with 1001 (clients reconnect elsewhere and resume),
     * commit queued writes, release the store and the event loops. Idempotent.
     */
    public CompletableFuture<Void> stop() {
        if (stopped) {
            return CompletableFuture.completedFuture(null);
        }
        stopped = true;
        gateway.stopAccepting();
        registry.all().forEach(s -> s.closeFromServer(CloseCodes.GOING_AWAY, "server shutting down"));
        // Give the close frames a moment to leave before the event loops stop. vertx.close() is called from a plain
        // thread: a close started on an event loop could not report its own completion.
        return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS))
                .thenCompose(v -> vertx.close().toCompletionStage().toCompletableFuture())
                .whenComplete((v, err) -> {
                    extras.closeBefore(bus, store);
                });
    }

    /**
     * The browser app (src/main/resources/webroot, inside the jar) at {@code /}, after the API routes so it only
     * answers what they did not. The policy headers keep user text inert even if a rendering bug slipped through:
     * scripts and styles only from this origin, no inline script, no framing.
     */
    private static void mountWebApp(Router router) {
        router.route().method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(ctx -> {
                    ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; "
                                    + "style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                                    + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
                            .putHeader("X-Content-Type-Options", "nosniff")
                            .putHeader("Referrer-Policy", "no-referrer");
                    ctx.next();
                })
                .handler(StaticHandler.create("webroot")
                        .setMaxAgeSeconds(300)
                        .setIndexPage("index.html"));
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    /** One HTTP server per event loop; all share the port. */
    private static final class HttpVerticle extends VerticleBase {
        private final HttpServerOptions options;
        private final Router router;

        HttpVerticle(HttpServerOptions options, Router router) {
            this.options = options;
            this.router = router;
        }

        @Override
        public Future<?> start() {
            HttpServer server = vertx.createHttpServer(options).requestHandler(router);
            return server.listen();
        }
    }
}
