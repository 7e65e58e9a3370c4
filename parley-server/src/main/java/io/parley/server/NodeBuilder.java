package io.parley.server;

import io.parley.protocol.CloseCodes;
import io.parley.protocol.FrameCodec;
import io.parley.server.api.AttachmentApi;
import io.parley.server.api.AuthApi;
import io.parley.server.api.BlobRoutes;
import io.parley.server.api.DeviceApi;
import io.parley.server.api.MatchApi;
import io.parley.server.api.ModerationApi;
import io.parley.server.api.PushApi;
import io.parley.server.api.RequestLog;
import io.parley.server.api.RestApi;
import io.parley.server.api.SearchApi;
import io.parley.server.api.SessionApi;
import io.parley.server.attach.Attachments;
import io.parley.server.auth.Authenticator;
import io.parley.server.auth.BanList;
import io.parley.server.auth.ByAlgorithm;
import io.parley.server.auth.CloseSignal;
import io.parley.server.auth.HmacJwt;
import io.parley.server.auth.Jwks;
import io.parley.server.auth.LocalCloseSignal;
import io.parley.server.auth.PasswordHasher;
import io.parley.server.auth.PublicKeyJwt;
import io.parley.server.auth.Revocations;
import io.parley.server.auth.SecretFile;
import io.parley.server.auth.SessionTokens;
import io.parley.server.auth.TokenVerifier;
import io.parley.server.blob.BlobStore;
import io.parley.server.blob.FileBlobStore;
import io.parley.server.bus.Bus;
import io.parley.server.bus.LocalBus;
import io.parley.server.chat.Appends;
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
import io.parley.server.limits.Admission;
import io.parley.server.limits.LocalRateLimiter;
import io.parley.server.limits.RateLimiter;
import io.parley.server.limits.RateLimits;
import io.parley.server.log.DeliveryLog;
import io.parley.server.match.LocalMatcher;
import io.parley.server.match.Matcher;
import io.parley.server.metrics.Metrics;
import io.parley.server.moderation.ModerationQueue;
import io.parley.server.moderation.ModerationService;
import io.parley.server.presence.LastSeenKeeper;
import io.parley.server.presence.LastSeenStore;
import io.parley.server.presence.LocalPresence;
import io.parley.server.presence.Presence;
import io.parley.server.presence.PresenceHub;
import io.parley.server.push.ApnsProvider;
import io.parley.server.push.FcmProvider;
import io.parley.server.push.PushProvider;
import io.parley.server.push.PushWorkers;
import io.parley.server.push.VapidKeys;
import io.parley.server.push.WebPushProvider;
import io.parley.server.redis.RedisBus;
import io.parley.server.redis.RedisCloseSignal;
import io.parley.server.redis.RedisConnections;
import io.parley.server.redis.RedisMatcher;
import io.parley.server.redis.RedisPresence;
import io.parley.server.redis.RedisRateLimiter;
import io.parley.server.redis.WriteRouting;
import io.parley.server.scan.Scanner;
import io.parley.server.search.Indexer;
import io.parley.server.store.CommitListener;
import io.parley.server.store.PushDevice;
import io.parley.server.store.SessionStore;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.JdbcSessionStore;
import io.parley.server.store.jdbc.PostgresOptions;
import io.parley.server.store.jdbc.SqliteOptions;
import io.parley.server.stranger.StrangerService;
import io.parley.server.time.NodeTimers;
import io.parley.server.time.Scheduler;
import io.parley.server.tls.CertificateReloader;
import io.parley.server.tls.Hsts;
import io.parley.server.tls.ServedCertificate;
import io.parley.server.wire.Pseudonyms;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
            "rate-limits",
            "store",
            "bans",
            "sessions",
            "revocations",
            "receipts",
            "presence-hub",
            "blobs",
            "attachments",
            "search-indexer",
            "push",
            "vertx",
            "moderation",
            "gateway",
            "matching",
            "http");

    /** How often the embedded default writes the last seen of users who went offline (LastSeenKeeper). */
    static final java.time.Duration LAST_SEEN_WRITE_PERIOD = java.time.Duration.ofSeconds(5);

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

    /** The certificate the listener starts with when TLS is on (tls.cert-file), else null. */
    private ServedCertificate served;

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
            int port,
            Attachments attachments,
            Metrics metrics) {}

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
        String nodeId = Ids.nodeId();
        Bus bus =
                owned("bus", lifecycle.own("bus", redis != null ? new RedisBus(redis, codec, nodeId) : new LocalBus()));
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
        // Rate limits: in Redis when there is one (a limit holds across nodes), with this node's own buckets as the
        // fallback while Redis does not answer.
        LocalRateLimiter localLimiter = new LocalRateLimiter(timers.thread("parley-rate-limits"));
        RedisConnections redisForLimits = redis;
        RateLimiter limiter = owned(
                "rate-limits",
                lifecycle.own(
                        "rate-limits",
                        redisForLimits != null
                                ? newRedisLimiter(redisForLimits, localLimiter, metrics)
                                : localLimiter));
        RateLimits limits = new RateLimits(limiter, config.rates(), metrics);
        // Each commit's frame is encoded once, here, and travels with the event through the bus to every session.
        // Stranger conversations show their members by pseudonym on every face (wire.Pseudonyms); the commit
        // listener masks with it, so it exists before the store it reads the pseudonyms from.
        java.util.concurrent.atomic.AtomicReference<JdbcChatStore> storeOfPseudonyms =
                new java.util.concurrent.atomic.AtomicReference<>();
        Pseudonyms pseudonyms = new Pseudonyms(id -> storeOfPseudonyms.get().strangerAliases(id));
        JdbcChatStore store =
                owned("store", lifecycle.own("store", openStore(new EventPublisher(codec, bus, pseudonyms), timers)));
        storeOfPseudonyms.set(store);
        store.observeCommits(metrics::committed);
        if (presence instanceof LocalPresence local) {
            // Last seen across restarts (a cluster keeps it in Redis). Created after the store, so a stop writes the
            // last batch before the store closes.
            lifecycle.own(
                    "last-seen",
                    new LastSeenKeeper(
                            local,
                            new LastSeenStore() {
                                @Override
                                public CompletableFuture<Void> record(Map<String, Long> seen) {
                                    return store.recordLastSeen(seen);
                                }

                                @Override
                                public CompletableFuture<Map<String, Long>> load(Collection<String> userIds) {
                                    return store.lastSeen(userIds);
                                }
                            },
                            sweeper,
                            LAST_SEEN_WRITE_PERIOD));
        }
        // Bans are written by `parley admin ban` from outside the node: read at start and every BanList.REFRESH; a ban
        // also writes a revocation log entry in its transaction, which closes the user's live sessions with 4001
        // within Revocations.POLL (below).
        BanList bans = owned(
                "bans",
                lifecycle.own(
                        "bans",
                        BanList.start(
                                store,
                                timers.thread("parley-bans"),
                                ids -> registry.closeUsers(ids, CloseCodes.UNAUTHORIZED, "user is banned"))));
        // Device sessions (issue 15): their own connection beside the store's writer; revocations reach every node
        // through the close signal (Redis: its own channel) and, for what it lost or other processes wrote, through
        // the store's revocation log.
        SessionStore sessionStore = owned("sessions", lifecycle.own("sessions", openSessions()));
        CloseSignal closeSignal =
                lifecycle.own("close-signal", redis != null ? new RedisCloseSignal(redis) : new LocalCloseSignal());
        Revocations revocations = owned(
                "revocations",
                lifecycle.own(
                        "revocations",
                        Revocations.start(sessionStore, closeSignal, timers.thread("parley-revocations"), r -> {
                            switch (r.kind()) {
                                case SESSION:
                                    registry.closeAuthSession(
                                            r.userId(), r.target(), CloseCodes.SESSION_REVOKED, "session revoked");
                                    break;
                                case USER:
                                    registry.closeIssuedBefore(
                                            r.target(), r.at(), CloseCodes.SESSION_REVOKED, "session revoked");
                                    break;
                                case BAN:
                                    bans.add(r.target());
                                    registry.closeUsers(Set.of(r.target()), CloseCodes.UNAUTHORIZED, "user is banned");
                                    break;
                            }
                        })));
        ReceiptBatcher receipts = owned(
                "receipts",
                lifecycle.own(
                        "receipts",
                        new ReceiptBatcher(
                                store,
                                bus,
                                pseudonyms,
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
        // Attachments (issue 16): the blob store, the scanner, and the rules over them, on the store's own database.
        BlobStore blobs = owned("blobs", lifecycle.own("blobs", AttachmentParts.blobs(config, secret, clock)));
        Scanner scanner = AttachmentParts.scanner(config.attachments(), lifecycle);
        Attachments attachments = owned(
                "attachments",
                lifecycle.own(
                        "attachments",
                        new Attachments(
                                config.attachments(),
                                config.limits().maxBodyChars(),
                                store.attachments(),
                                store,
                                blobs,
                                scanner,
                                timers.thread("parley-attachments"),
                                metrics.registry())));
        attachments.resumePending().whenComplete((v, err) -> {
            if (err != null) {
                LOG.warn("could not list the attachments left pending; they are scanned when next touched", err);
            }
        });
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
                                    config.search().indexBatch(),
                                    clock,
                                    metrics::searchIndexLag)));
        }
        // Push: the store queues every conversation a message touched (in the message's transaction); the workers
        // plan and send from there on a thread of their own. The VAPID keys are kept like the JWT secret.
        VapidKeys vapid = VapidKeys.loadOrCreate(config.dataDir());
        if (config.push().enabled()) {
            WebPushProvider webPush = lifecycle.own(
                    "webpush",
                    new WebPushProvider(
                            vapid,
                            config.push().webPushSubject(),
                            config.push().webPushTimeout(),
                            config.push().webPushTtl(),
                            clock));
            Map<PushDevice.Platform, PushProvider> providers = new java.util.EnumMap<>(PushDevice.Platform.class);
            providers.put(PushDevice.Platform.WEBPUSH, webPush);
            // FCM and APNs only where configured; their devices are skipped (counted as no_provider) otherwise.
            if (config.fcm().enabled()) {
                providers.put(PushDevice.Platform.FCM, lifecycle.own("fcm", FcmProvider.create(config.fcm())));
            }
            if (config.apns().enabled()) {
                providers.put(PushDevice.Platform.APNS, lifecycle.own("apns", ApnsProvider.create(config.apns())));
            }
            owned(
                    "push",
                    lifecycle.own(
                            "push",
                            new PushWorkers(
                                    store.pushStore(),
                                    Map.copyOf(providers),
                                    config.push(),
                                    // push.rate in the node's limiter: in Redis, one bucket per user for the cluster.
                                    userId -> limiter.acquire(
                                            "push", config.push().rate(), userId),
                                    metrics,
                                    timers.thread("parley-push"))));
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
        // Server admins and mutes (issue 18): kept in memory, read again every ModerationService.REFRESH, so the send
        // path asks a map whether a member is muted.
        ModerationService moderation = owned(
                "moderation",
                lifecycle.own(
                        "moderation",
                        ModerationService.start(
                                store.moderation(),
                                store,
                                sessionStore,
                                closeSignal,
                                timers.thread("parley-moderation"),
                                clock)));
        grantConfiguredAdmins(moderation, store);
        // The moderation queue (issue 18 item 3): with moderation.enabled, a low-reputation sender's message is held
        // in the store instead of the log until an admin decides; the reputation costs no store read per send.
        ModerationQueue moderationQueue = owned(
                "moderation-queue",
                lifecycle.own(
                        "moderation-queue",
                        ModerationQueue.start(
                                moderation,
                                store.moderation(),
                                store,
                                bus,
                                config.moderation(),
                                timers.thread("parley-moderation-queue"),
                                // moderation.send-rate in the node's limiter: in Redis, one bucket per user for the
                                // cluster, as push.rate and the rate limits.
                                limiter)));
        // With redis.route-writes, each send is appended by the node that owns its conversation's writes (closed before
        // the
        // store: a stopping node leaves the live nodes, then appends what it still waited for itself).
        Appends appends = store::appendMessage;
        if (redis != null && config.redis().routeWrites()) {
            WriteRouting routing = owned(
                    "write-routing",
                    lifecycle.own(
                            "write-routing",
                            new WriteRouting(
                                    redis,
                                    nodeId,
                                    store::appendMessage,
                                    timers.thread("parley-write-routing"),
                                    config.redis().routeTimeout())));
            metrics.writeRouting(routing::forwarded, routing::fallbacks, routing::served);
            appends = routing;
        }
        ChatService chat = new ChatService(
                store, config, bus, presence, receipts, pseudonyms, clock, moderation, moderationQueue, appends);
        Authenticator authenticator =
                new Authenticator(verifier(jwt, timers), store, bans, sessionStore, revocations, clock);
        SessionTokens sessionTokens = new SessionTokens(
                sessionStore,
                jwt,
                closeSignal,
                config.auth().tokenTtl(),
                config.auth().refreshTokenTtl(),
                config.auth().refreshReuseGrace(),
                clock);
        // The WebSocket face's timers are Vert.x's (one per connection for the auth deadline: no thread hand-off).
        Scheduler loopTimers = timers.sharedOrNull() != null ? timers.sharedOrNull() : new LoopScheduler(vertx, clock);
        WsGateway gateway = new WsGateway(
                vertx,
                config,
                chat,
                registry,
                codec,
                authenticator::principal,
                loopTimers,
                presenceHub,
                metrics,
                limits,
                new Admission(config.ws().maxConnections(), config.rates(), clock, Admission.RANDOM));
        // Owned after Vert.x, so closed before it: its heartbeat ticks stop while the loops still take tasks.
        owned("gateway", lifecycle.own("gateway", gateway, gateway::close));
        // Talk to a stranger: pairing in Redis (one Lua script per step) in a cluster, in this process otherwise.
        Matcher.Settings matchSettings = StrangerService.settings(config.match());
        Scheduler matchTimers = timers.thread("parley-match");
        Matcher matcher = lifecycle.own(
                "matcher",
                redis != null
                        ? new RedisMatcher(redis, matchSettings, store::matchBlocks)
                        : new LocalMatcher(matchSettings, matchTimers, store::matchBlocks));
        StrangerService strangers = owned(
                "matching",
                lifecycle.own(
                        "matching",
                        new StrangerService(
                                matcher,
                                store,
                                bus,
                                pseudonyms,
                                config.match(),
                                matchTimers,
                                moderationQueue::strangerReport)));
        gateway.matching(strangers);
        AtomicBoolean stopping = new AtomicBoolean();
        router = Router.router(vertx);
        router.route().handler(RequestLog::handle);
        if (config.tls().enabled()) {
            // Read and checked here, on the calling thread: a bad pair fails the start naming the file.
            served =
                    ServedCertificate.read(config.tls().certFile(), config.tls().keyFile(), vertx);
            Hsts.mount(router, config.tls().hstsMaxAge());
        }
        HttpRoutes.health(router, stopping, store, redis);
        HttpRoutes.metrics(router, metrics, config.http().metricsToken());
        router.get("/ws").handler(gateway);
        new RestApi(chat, presenceHub, authenticator, config, limits).mount(router);
        new AttachmentApi(attachments).mount(router);
        new MatchApi(strangers).mount(router);
        new SearchApi(new MessageSearch(chat, store.searchIndex()), config).mount(router);
        if (blobs instanceof FileBlobStore files) {
            new BlobRoutes(vertx, files).mount(router);
        }
        PasswordHasher hasher = new PasswordHasher(config.auth().bcryptCost(), metrics::passwordVerified);
        new AuthApi(vertx, store, hasher, config.auth(), sessionTokens, limits).mount(router);
        new SessionApi(vertx, store, hasher, sessionTokens).mount(router);
        new ModerationApi(moderation, moderationQueue, config).mount(router);
        new DeviceApi(sessionStore, clock).mount(router);
        new PushApi(store.pushSettings(), vapid, clock).mount(router);
        HttpRoutes.webApp(router, AttachmentParts.browserOrigin(blobs, clock));
        HttpRoutes.errors(router);
        int port;
        try {
            port = config.http().port() != 0
                    ? config.http().port()
                    : freePort(config.http().host());
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + config.http().host(), e);
        }
        return new Node(
                config, lifecycle, timers, store, registry, gateway, presenceHub, stopping, port, attachments, metrics);
    }

    /** After {@link #openStore}, which migrated the schema. */
    /**
     * Grants the admin role to the users {@code auth.admins} names (blocking, at start; never revokes). A name no
     * user has is logged and skipped: the account may be created later, and the next start grants it.
     */
    private void grantConfiguredAdmins(ModerationService moderation, JdbcChatStore store) {
        for (String name : config.auth().admins()) {
            try {
                java.util.Optional<io.parley.server.store.User> u =
                        store.findUserByUsername(name).get(30, TimeUnit.SECONDS);
                if (u.isEmpty()) {
                    LOG.warn("auth.admins: no user named '{}' (skipped; the next start grants it)", name);
                    continue;
                }
                moderation.setAdmin("config", u.get().id(), true).get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while granting auth.admins", e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot grant auth.admins to '" + name + "': " + e, e);
            }
        }
    }

    private SessionStore openSessions() {
        return config.store().url() instanceof StoreUrl.Postgres pg
                ? JdbcSessionStore.openPostgres(PostgresOptions.of(pg, 1, 1))
                : JdbcSessionStore.openSqlite(config.store().sqliteFile(config.dataDir()));
    }

    /** The Redis limiter; the local one is closed here when it cannot be made (nothing owns it yet). */
    private static RateLimiter newRedisLimiter(RedisConnections redis, LocalRateLimiter local, Metrics metrics) {
        try {
            return new RedisRateLimiter(redis, local, metrics);
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    private JdbcChatStore openStore(CommitListener published, NodeTimers timers) {
        return config.store().url() instanceof StoreUrl.Postgres pg
                ? JdbcChatStore.openPostgres(
                        PostgresOptions.of(
                                pg,
                                config.store().readers() + config.store().writers(),
                                config.store().maxBatch(),
                                config.store().writers()),
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
        if (served != null) {
            options.setSsl(true).setKeyCertOptions(served.options().getKeyCertOptions());
        }
        List<HttpServer> servers = new CopyOnWriteArrayList<>();
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        Router routes = router;
        Vertx loops = vertx;
        Promise<ParleyServer> started = Promise.promise();
        loops.deployVerticle(
                        () -> new HttpVerticle(options, routes, servers),
                        new DeploymentOptions().setInstances(instances))
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
                        if (served != null) {
                            // The verticles' servers share one listener: an update through any one of them
                            // replaces the certificate for all.
                            HttpServer listener = servers.get(0);
                            lifecycle.own(
                                    "tls-reloader",
                                    new CertificateReloader(
                                            config.tls(),
                                            loops,
                                            node.timers().thread("parley-tls"),
                                            served,
                                            listener::updateSSLOptions));
                        }
                    } catch (Throwable e) {
                        failAfterClosing(started, e);
                        return;
                    }
                    LOG.info(
                            "Parley listening on {}://{}:{} (data dir {})",
                            served != null ? "https" : "http",
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
        private final List<HttpServer> servers;

        HttpVerticle(HttpServerOptions options, Router router, List<HttpServer> servers) {
            this.options = options;
            this.router = router;
            this.servers = servers;
        }

        @Override
        public Future<?> start() {
            HttpServer server = vertx.createHttpServer(options)
                    .requestHandler(InvalidRequests.checked(router))
                    .invalidRequestHandler(InvalidRequests::answer);
            servers.add(server);
            return server.listen();
        }
    }
}
