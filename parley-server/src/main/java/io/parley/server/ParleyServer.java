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
import io.parley.server.chat.Ids;
import io.parley.server.config.Config;
import io.parley.server.config.StoreUrl;
import io.parley.server.metrics.Metrics;
import io.parley.server.chat.ReceiptBatcher;
import io.parley.server.redis.RedisBus;
import io.parley.server.redis.RedisConnections;
import io.parley.server.redis.RedisPresence;
import io.parley.server.presence.LocalPresence;
import io.parley.server.presence.Presence;
import io.parley.server.presence.PresenceHub;
import io.parley.server.chat.ChatService;
import io.parley.server.gateway.LoopScheduler;
import io.parley.server.gateway.SessionRegistry;
import io.parley.server.gateway.WsGateway;
import io.parley.server.store.ChatStore;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.PostgresOptions;
import io.parley.server.store.jdbc.SqliteOptions;
import io.parley.server.time.NodeTimers;
import io.parley.server.time.Scheduler;
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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

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
    private record Extras(PresenceHub presenceHub, ReceiptBatcher receipts, Presence presence, RedisConnections redis,
                          java.util.concurrent.atomic.AtomicBoolean stopping, Metrics metrics, NodeTimers timers) {
        void closeBefore(Bus bus, ChatStore store) {
            presenceHub.close();
            receipts.close();
            metrics.close();
            bus.close();
            store.close();
            presence.close();
            if (redis != null) {
                redis.close();
            }
            timers.close();
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
        return start(config, (Scheduler) null);
    }

    /**
     * As {@link #start(Config)}, with every part that waits timed by {@code scheduler} (tests: a manual scheduler, so
     * they move the node's time on instead of sleeping). Null: production time, the system clock, a named thread per
     * part and Vert.x timers for the WebSocket face.
     */
    public static Future<ParleyServer> start(Config config, Scheduler scheduler) {
        NodeTimers timers = scheduler == null ? NodeTimers.threads(Clock.systemUTC()) : NodeTimers.shared(scheduler);
        try {
            return startWith(config, timers);
        } catch (RuntimeException e) {
            timers.close();
            throw e;
        }
    }

    private static Future<ParleyServer> startWith(Config config, NodeTimers timers) {
        Clock clock = timers.clock();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            timers.close();
            return Future.failedFuture(new UncheckedIOException("cannot create data dir " + config.dataDir(), e));
        }
        byte[] secret = config.auth().jwtSecret() != null
                ? config.auth().jwtSecret().getBytes(StandardCharsets.UTF_8)
                : SecretFile.loadOrCreate(config.dataDir());
        FrameCodec codec = new FrameCodec();
        RedisConnections redis = null;
        Presence presence;
        if (config.redis().enabled()) {
            try {
                redis = new RedisConnections(config.redis().url(), config.redis().prefix());
            } catch (RuntimeException e) {
                timers.close();
                return Future.failedFuture(e);
            }
            presence = new RedisPresence(redis, config.presence().ttl().toMillis(),
                    timers.thread("parley-presence-sweeper"));
        } else {
            presence = new LocalPresence(config.presence().ttl().toMillis(), timers.thread("parley-presence-sweeper"));
        }
        SessionRegistry registry = new SessionRegistry(codec, presence);
        Bus bus;
        if (redis != null) {
            try {
                bus = new RedisBus(redis, codec, Ids.nodeId(), registry);
            } catch (RuntimeException e) {
                presence.close();
                redis.close();
                timers.close();
                return Future.failedFuture(e);
            }
            redis.onResubscribed(registry::resyncAll);
        } else {
            bus = new LocalBus(registry::deliver, registry::deliver);
        }
        Metrics metrics = new Metrics();
        metrics.connections(registry::size);
        JdbcChatStore store;
        try {
            store = config.store().url() instanceof StoreUrl.Postgres pg
                    ? JdbcChatStore.openPostgres(PostgresOptions.of(pg, config.store().readers() + 1,
                            config.store().maxBatch()), bus::publish)
                    : JdbcChatStore.openSqlite(config.store().sqliteFile(config.dataDir()),
                            new SqliteOptions(config.store().fsync(), config.store().maxBatch(), config.store().readers()),
                            bus::publish, timers.thread("parley-sqlite-checkpoint"));
        } catch (RuntimeException e) {
            presence.close();
            metrics.close();
            if (redis != null) {
                redis.close();
            }
            timers.close();
            return Future.failedFuture(e);
        }
        Vertx vertx = Vertx.vertx();
        ReceiptBatcher receipts = new ReceiptBatcher(store, bus, config.receipts().window().toMillis(),
                config.receipts().maxFanoutMembers(), timers.thread("parley-receipts"));
        store.observeCommits(metrics::committed);
        PresenceHub presenceHub = new PresenceHub(presence, store, config.presence(), codec, registry,
                metrics::presenceUpdates, timers.thread("parley-presence"));
        HmacJwt jwt = new HmacJwt(secret, config.auth().issuer(), config.auth().audience(), clock);
        ChatService chat = new ChatService(store, config, bus, presence, receipts, clock);
        Authenticator authenticator = new Authenticator(jwt, store);
        // The WebSocket face's timers are Vert.x's (one per connection for the auth deadline: no thread hand-off).
        Scheduler loopTimers = timers.sharedOrNull() != null ? timers.sharedOrNull() : new LoopScheduler(vertx, clock);
        WsGateway gateway = new WsGateway(vertx, config, chat, registry, codec, authenticator::authenticate, loopTimers,
                presenceHub, metrics);
        PasswordHasher hasher = new PasswordHasher(config.auth().bcryptCost());

        Router router = Router.router(vertx);
        router.get("/health/live").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
                .end(new JsonObject().put("status", "UP").encode()));
        RedisConnections redisForHealth = redis;
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        router.get("/health/ready").handler(ctx -> {
            if (stopping.get()) {
                ctx.response().setStatusCode(503).putHeader("content-type", "application/json")
                        .end(new JsonObject().put("status", "DOWN").put("checks", new JsonObject().put("node", "STOPPING"))
                                .encode());
                return;
            }
            CompletableFuture<Boolean> storeUp = store.ping().exceptionally(err -> false);
            CompletableFuture<Boolean> redisUp = redisForHealth == null ? CompletableFuture.completedFuture(true)
                    : redisForHealth.ping().exceptionally(err -> false);
            // The answer is written on the request's event loop (the server runs in strict thread mode).
            storeUp.thenCombineAsync(redisUp, (s, r) -> {
                boolean ready = s && r;
                JsonObject checks = new JsonObject().put("store", s ? "UP" : "DOWN");
                if (redisForHealth != null) {
                    checks.put("redis", r ? "UP" : "DOWN");
                }
                ctx.response().setStatusCode(ready ? 200 : 503).putHeader("content-type", "application/json")
                        .end(new JsonObject().put("status", ready ? "UP" : "DOWN").put("checks", checks).encode());
                return null;
            }, RestApi.onContext(ctx));
        });
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
        router.get("/ws").handler(gateway);
        new RestApi(chat, presenceHub, authenticator, config).mount(router);
        new AuthApi(vertx, store, hasher, jwt, config.auth(), clock).mount(router);
        mountWebApp(router);

        int port;
        try {
            port = config.http().port() != 0 ? config.http().port() : freePort(config.http().host());
        } catch (IOException e) {
            new Extras(presenceHub, receipts, presence, redis, stopping, metrics, timers).closeBefore(bus, store);
            vertx.close();
            return Future.failedFuture(e);
        }
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.http().host())
                .setPort(port)
                // WebSocket upgrades are not Vert.x's: WsGateway hands the connection to Netty's handshaker and its own
                // frame handler (frame limit, no extensions). These two still matter: with them on, Vert.x puts an
                // extension handler on every HTTP connection that would add permessage-deflate to the 101. Chat frames
                // are small JSON; compression would cost a zlib stream per connection and a compression of every
                // event once per recipient (an event is encoded once and the same bytes go to every socket).
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // Every write happens on the connection's event loop, so Vert.x can write straight to the channel.
                .setStrictThreadMode(true)
                .setTcpNoDelay(true);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        Extras extras = new Extras(presenceHub, receipts, presence, redis, stopping, metrics, timers);
        ParleyServer server = new ParleyServer(config, vertx, store, bus, registry, gateway, port, extras);
        return vertx.deployVerticle(() -> new HttpVerticle(options, router), new DeploymentOptions().setInstances(instances))
                .map(id -> {
                    LOG.info("Parley listening on http://{}:{} (data dir {})", config.http().host(), port,
                            config.dataDir().toAbsolutePath().normalize());
                    return server;
                })
                .recover(err -> {
                    // Not on this event loop: closing Vert.x from one of its own threads could not finish.
                    Thread closer = new Thread(() -> {
                        extras.closeBefore(bus, store);
                        vertx.close();
                    }, "parley-failed-start");
                    closer.start();
                    return Future.failedFuture(err);
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
    /** Longest wait for sessions' in-flight sends during a graceful stop. */
    static final long DRAIN_TIMEOUT_MILLIS = 5_000;
    /** How long the close frames get to leave before the event loops stop. */
    static final long CLOSE_FRAMES_MILLIS = 300;

    /** True from the start of {@link #stop}: /health/ready answers 503 so load balancers stop routing here. */
    public boolean stopping() {
        return stopped;
    }

    public CompletableFuture<Void> stop() {
        if (stopped) {
            return CompletableFuture.completedFuture(null);
        }
        stopped = true;
        extras.stopping().set(true);
        gateway.stopAccepting();
        // Each session stops reading, waits for its in-flight sends to commit and their acks to go out, then closes
        // with 1001 (clients reconnect, to another node behind a load balancer, and resume). Bounded by DRAIN_TIMEOUT:
        // a send still uncommitted then is not acked, and its client retries it.
        CompletableFuture<?>[] drained = registry.all().stream()
                .map(s -> s.drainAndClose(CloseCodes.GOING_AWAY, "server shutting down; reconnect"))
                .toArray(CompletableFuture[]::new);
        Scheduler shutdownTimer = extras.timers().thread("parley-shutdown");
        CompletableFuture<Void> allDrained = new CompletableFuture<>();
        CompletableFuture.allOf(drained).whenComplete((v, err) -> allDrained.complete(null));
        Scheduler.Cancellable drainTimeout = shutdownTimer.after(Duration.ofMillis(DRAIN_TIMEOUT_MILLIS),
                () -> allDrained.complete(null));
        // Give the close frames a moment to leave before the event loops stop. vertx.close() is called from a plain
        // thread (the shutdown timer's): a close started on an event loop could not report its own completion.
        return allDrained.thenCompose(v -> {
                    drainTimeout.cancel();
                    CompletableFuture<Void> closeFramesOut = new CompletableFuture<>();
                    shutdownTimer.after(Duration.ofMillis(CLOSE_FRAMES_MILLIS), () -> closeFramesOut.complete(null));
                    return closeFramesOut;
                })
                .thenComposeAsync(v -> vertx.close().toCompletionStage().toCompletableFuture())
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
