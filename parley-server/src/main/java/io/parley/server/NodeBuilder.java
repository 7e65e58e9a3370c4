package io.parley.server;

import io.parley.protocol.CloseCodes;
import io.parley.protocol.FrameCodec;
import io.parley.server.api.AuthApi;
import io.parley.server.api.RequestLog;
import io.parley.server.api.RestApi;
import io.parley.server.api.SearchApi;
import io.parley.server.auth.Authenticator;
import io.parley.server.auth.BanList;
import io.parley.server.auth.ByAlgorithm;
import io.parley.server.auth.HmacJwt;
import io.parley.server.auth.Jwks;
import io.parley.server.auth.PasswordHasher;
import io.parley.server.auth.PublicKeyJwt;
import io.parley.server.auth.SecretFile;
import io.parley.server.auth.TokenVerifier;
import io.parley.server.bus.Bus;
import io.parley.server.bus.LocalBus;
import io.parley.server.chat.ChatService;
import io.parley.server.chat.EventPublisher;
import io.parley.server.chat.Ids;
import io.parley.server.chat.MessageSearch;
import io.parley.server.chat.ReceiptBatcher;
import io.parley.server.config.Config;
import io.parley.server.config.StoreUrl;
import io.parley.server.gateway.LoopScheduler;
import io.parley.server.gateway.SessionRegistry;
import io.parley.server.gateway.WsGateway;
import io.parley.server.log.DeliveryLog;
import io.parley.server.metrics.Metrics;
import io.parley.server.presence.LocalPresence;
import io.parley.server.presence.Presence;
import io.parley.server.presence.PresenceHub;
import io.parley.server.redis.RedisBus;
import io.parley.server.redis.RedisConnections;
import io.parley.server.redis.RedisPresence;
import io.parley.server.search.Indexer;
import io.parley.server.store.CommitListener;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.PostgresOptions;
import io.parley.server.store.jdbc.SqliteOptions;
import io.parley.server.time.NodeTimers;
import io.parley.server.time.Scheduler;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one node, part by part, each handed to the node's {@link Lifecycle} the moment it exists. A step that
 * fails (Redis unreachable, a bad database, a port taken) closes what exists, newest first, and the start's future
 * fails only after that, with every close failure suppressed on the start failure; nothing is left running.
 * <p>
 * The order of creation is the order of dependency, so the reverse order a stop closes in releases a part before
 * the parts it uses: the HTTP servers and Vert.x first (no more requests), then the presence hub and receipts (they
 * write through the store), the store (its last commits still publish through the bus), the bus, presence, the Redis
 * connections and finally the timers every part was scheduled on.
 */
final class NodeBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(ParleyServer.class);

    /** The steps that create a part, in order; the test hook runs after each one that applies to the config. */
    static final List<String> STEPS = List.of(
            "timers",
            "data-dir-lock",
            "redis",
            "presence",
            "bus",
            "bus-subscription",
            "metrics",
            "store",
            "bans",
            "receipts",
            "presence-hub",
            "search-indexer",
            "vertx",
            "gateway",
            "http");

    /** How long closing Vert.x may take when a start fails or a node stops; a close that hangs must not hang stop. */
    private static final long VERTX_CLOSE_SECONDS = 30;

    /** How long a start waits for the first JWKS fetch before going on without its keys. */
    private static final long JWKS_START_SECONDS = 5;

    private final Config config;
    private final Scheduler given;
    private final Consumer<String> afterStep;
    private final Lifecycle lifecycle = new Lifecycle();
    /** Set by {@link #build}, used by {@link #deploy}. */
    private Vertx vertx;

    private Router router;

    /** {@code afterStep}: called with each step's name once its part is owned (tests throw from it). */
    NodeBuilder(Config config, Scheduler given, Consumer<String> afterStep) {
        this.config = config;
        this.given = given;
        this.afterStep = afterStep;
    }

    /** Everything the running node needs to stop; the rest is reachable only through the parts. */
    record Node(
            Config config,
            Lifecycle lifecycle,
            NodeTimers timers,
            JdbcChatStore store,
            SessionRegistry registry,
            WsGateway gateway,
            PresenceHub presenceHub,
            AtomicBoolean stopping,
            int port) {}

    Future<ParleyServer> start() {
        Node node;
        try {
            node = build();
        } catch (Throwable e) {
            // On the calling thread, which is not one of this node's event loops: Vert.x can be closed here.
            return Future.failedFuture(lifecycle.closeAfter(e));
        }
        return deploy(node);
    }

    /** HS256 always (built-in accounts); RS256/ES256 too when a PEM public key or a JWKS URL is configured. */
    private TokenVerifier verifier(HmacJwt jwt, NodeTimers timers) {
        Config.Auth auth = config.auth();
        Config.PublicKeys keys = auth.publicKeys();
        if (keys.pemFile() != null) {
            return new ByAlgorithm(
                    jwt,
                    PublicKeyJwt.fromPem(
                            keys.pemFile(), auth.issuer(), auth.audience(), timers.clock(), auth.clockSkew()));
        }
        if (keys.jwksUrl() == null) {
            return jwt;
        }
        Jwks jwks = lifecycle.own(
                "jwks",
                new Jwks(
                        keys.jwksUrl(),
                        HttpClient.newBuilder()
                                .connectTimeout(Duration.ofSeconds(5))
                                .build(),
                        timers.thread("parley-jwks"),
                        keys.jwksRefresh(),
                        keys.jwksMinRefetch()));
        // Not fatal: an identity provider that is down at start only delays RS256/ES256 logins; each token with a
        // key id not in hand fetches again (rate-limited), and the refresh keeps trying.
        try {
            if (!jwks.firstFetch().get(JWKS_START_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("JWKS {} not fetched at start; RS256/ES256 tokens are refused until it is", keys.jwksUrl());
            }
        } catch (TimeoutException e) {
            LOG.warn("JWKS {} did not answer within {} s at start; fetching on", keys.jwksUrl(), JWKS_START_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the JWKS", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("JWKS fetch failed unexpectedly", e.getCause());
        }
        return new ByAlgorithm(
                jwt, PublicKeyJwt.fromJwks(jwks, auth.issuer(), auth.audience(), timers.clock(), auth.clockSkew()));
    }

    private <T> T owned(String step, T part) {
        afterStep.accept(step);
        return part;
    }

    private Node build() {
        NodeTimers timers = owned(
                "timers",
                lifecycle.own(
                        "timers", given == null ? NodeTimers.threads(Clock.systemUTC()) : NodeTimers.shared(given)));
        Clock clock = timers.clock();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data dir " + config.dataDir(), e);
        }
        // Before anything reads or writes the data dir: a second node on it is refused, naming the first.
        owned("data-dir-lock", lifecycle.own("data-dir-lock", DataDirLock.acquire(config.dataDir(), clock.instant())));
        byte[] secret = config.auth().jwtSecret() != null
                ? config.auth().jwtSecret().getBytes(StandardCharsets.UTF_8)
                : SecretFile.loadOrCreate(config.dataDir());
        FrameCodec codec = new FrameCodec();
        RedisConnections redis = null;
        if (config.redis().enabled()) {
            redis = owned(
                    "redis",
                    lifecycle.own(
                            "redis",
                            new RedisConnections(
                                    config.redis().url(), config.redis().prefix())));
        }
        long ttl = config.presence().ttl().toMillis();
        Scheduler sweeper = timers.thread("parley-presence-sweeper");
        Presence presence = owned(
                "presence",
                lifecycle.own(
                        "presence",
                        redis != null ? new RedisPresence(redis, ttl, sweeper) : new LocalPresence(ttl, sweeper)));
        SessionRegistry registry = new SessionRegistry(
                codec, presence, new DeliveryLog(config.log().deliveredSample(), clock));
        Bus bus = owned(
                "bus", lifecycle.own("bus", redis != null ? new RedisBus(redis, codec, Ids.nodeId()) : new LocalBus()));
        // The node's sessions hear the bus from here until the stop closes this (before the bus, after the store,
        // whose last commits still reach them).
        owned("bus-subscription", lifecycle.own("bus-subscription", bus.subscribe(registry)));
        Metrics metrics = new Metrics();
        owned("metrics", lifecycle.own("metrics", metrics, metrics::close));
        int maxConnections = config.ws().maxConnections();
        metrics.connections(
                registry::size,
                maxConnections > 0
                        ? maxConnections
                        : Metrics.heapCapacity(Runtime.getRuntime().maxMemory()));
        // Each commit's frame is encoded once, here, and travels with the event through the bus to every session.
        JdbcChatStore store = owned("store", lifecycle.own("store", openStore(new EventPublisher(codec, bus), timers)));
        store.observeCommits(metrics::committed);
        // Bans are written by `parley admin ban` from outside the node: read at start and every BanList.REFRESH, and
        // the live sessions of banned users closed with 4001 after each read.
        BanList bans = owned(
                "bans",
                lifecycle.own(
                        "bans",
                        BanList.start(
                                store,
                                timers.thread("parley-bans"),
                                ids -> registry.closeUsers(ids, CloseCodes.UNAUTHORIZED, "user is banned"))));
        ReceiptBatcher receipts = owned(
                "receipts",
                lifecycle.own(
                        "receipts",
                        new ReceiptBatcher(
                                store,
                                bus,
                                config.receipts().window().toMillis(),
                                config.receipts().maxFanoutMembers(),
                                timers.thread("parley-receipts"))));
        PresenceHub presenceHub = owned(
                "presence-hub",
                lifecycle.own(
                        "presence-hub",
                        new PresenceHub(
                                presence,
                                store,
                                config.presence(),
                                codec,
                                registry,
                                metrics::presenceUpdates,
                                metrics::presenceLag,
                                timers.thread("parley-presence"))));
        // Search: the store queues every committed message change; the indexer works through that backlog after
        // commit on a thread of its own, so the send path never waits for the index.
        if (config.search().indexing()) {
            owned(
                    "search-indexer",
                    lifecycle.own(
                            "search-indexer",
                            new Indexer(
                                    store.searchIndex(),
                                    timers.thread("parley-search-indexer"),
                                    config.search().indexInterval(),
                                    config.search().indexBatch())));
        }
        vertx = Vertx.vertx();
        owned(
                "vertx",
                lifecycle.own(
                        "vertx",
                        vertx,
                        () -> vertx.close()
                                .toCompletionStage()
                                .toCompletableFuture()
                                .get(VERTX_CLOSE_SECONDS, TimeUnit.SECONDS)));

        HmacJwt jwt = new HmacJwt(
                secret,
                config.auth().issuer(),
                config.auth().audience(),
                clock,
                config.auth().clockSkew());
        ChatService chat = new ChatService(store, config, bus, presence, receipts, clock);
        Authenticator authenticator = new Authenticator(verifier(jwt, timers), store, bans);
        // The WebSocket face's timers are Vert.x's (one per connection for the auth deadline: no thread hand-off).
        Scheduler loopTimers = timers.sharedOrNull() != null ? timers.sharedOrNull() : new LoopScheduler(vertx, clock);
        WsGateway gateway = new WsGateway(
                vertx, config, chat, registry, codec, authenticator::authenticate, loopTimers, presenceHub, metrics);
        // Owned after Vert.x, so closed before it: its heartbeat ticks stop while the loops still take tasks.
        owned("gateway", lifecycle.own("gateway", gateway, gateway::close));
        AtomicBoolean stopping = new AtomicBoolean();
        router = Router.router(vertx);
        router.route().handler(RequestLog::handle);
        HttpRoutes.health(router, stopping, store, redis);
        HttpRoutes.metrics(router, metrics, config.http().metricsToken());
        router.get("/ws").handler(gateway);
        new RestApi(chat, presenceHub, authenticator, config).mount(router);
        new SearchApi(new MessageSearch(chat, store.searchIndex()), config).mount(router);
        new AuthApi(vertx, store, new PasswordHasher(config.auth().bcryptCost()), jwt, config.auth(), clock)
                .mount(router);
        HttpRoutes.webApp(router);
        HttpRoutes.errors(router);
        int port;
        try {
            port = config.http().port() != 0
                    ? config.http().port()
                    : freePort(config.http().host());
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + config.http().host(), e);
        }
        return new Node(config, lifecycle, timers, store, registry, gateway, presenceHub, stopping, port);
    }

    private JdbcChatStore openStore(CommitListener published, NodeTimers timers) {
        return config.store().url() instanceof StoreUrl.Postgres pg
                ? JdbcChatStore.openPostgres(
                        PostgresOptions.of(
                                pg, config.store().readers() + 1, config.store().maxBatch()),
                        published)
                : JdbcChatStore.openSqlite(
                        config.store().sqliteFile(config.dataDir()),
                        new SqliteOptions(
                                config.store().fsync(),
                                config.store().maxBatch(),
                                config.store().readers()),
                        published,
                        timers.thread("parley-sqlite-checkpoint"));
    }

    /**
     * Deploys one HTTP server per event loop, all on the node's port. A failed deployment (the port is taken) is
     * reported once the node is closed; the close runs on a thread of its own, since closing Vert.x from one of its
     * event loops (where this callback runs) could not finish.
     */
    private Future<ParleyServer> deploy(Node node) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.http().host())
                .setPort(node.port())
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
        Router routes = router;
        Vertx loops = vertx;
        Promise<ParleyServer> started = Promise.promise();
        loops.deployVerticle(() -> new HttpVerticle(options, routes), new DeploymentOptions().setInstances(instances))
                .onComplete(deployed -> {
                    if (deployed.failed()) {
                        failAfterClosing(started, listenFailure(deployed.cause(), node.port()));
                        return;
                    }
                    String id = deployed.result();
                    try {
                        owned(
                                "http",
                                lifecycle.own(
                                        "http",
                                        id,
                                        () -> loops.undeploy(id)
                                                .toCompletionStage()
                                                .toCompletableFuture()
                                                .get(VERTX_CLOSE_SECONDS, TimeUnit.SECONDS)));
                    } catch (Throwable e) {
                        failAfterClosing(started, e);
                        return;
                    }
                    LOG.info(
                            "Parley listening on http://{}:{} (data dir {})",
                            config.http().host(),
                            node.port(),
                            config.dataDir().toAbsolutePath().normalize());
                    started.complete(new ParleyServer(node));
                });
        return started.future();
    }

    /**
     * A bind failure with the address in its message: the JDK's says only "Address already in use". Other failures
     * are returned as they are.
     */
    private Throwable listenFailure(Throwable cause, int port) {
        String address = config.http().host() + ":" + port;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof BindException || message.contains("Address already in use")) {
                String hint = message.contains("in use")
                        ? " (another process listens there: stop it, or set http.port / PARLEY_HTTP_PORT)"
                        : "";
                return new IllegalStateException("cannot listen on " + address + ": " + message + hint, cause);
            }
        }
        return cause;
    }

    /** Closes the node on a thread of its own (not this event loop), then fails the start with {@code cause}. */
    private void failAfterClosing(Promise<ParleyServer> started, Throwable cause) {
        new Thread(() -> started.fail(lifecycle.closeAfter(cause)), "parley-failed-start").start();
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
            return vertx.createHttpServer(options).requestHandler(router).listen();
        }
    }
}
