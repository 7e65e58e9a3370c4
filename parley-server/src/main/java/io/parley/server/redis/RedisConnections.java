package io.parley.server.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis side of a node: one connection for commands and one for subscriptions (a subscribed connection cannot
 * run other commands). Both reconnect by themselves; while Redis is down commands fail at once instead of queueing.
 * Subscribers register a handler per channel prefix; {@link #onResubscribed} hooks run when a subscription was lost
 * and is back (events published meanwhile were not received).
 *
 * <p><b>Topologies.</b> {@code redis://host:port} (or {@code rediss://}) is one Redis (standalone, or a Sentinel-less
 * primary). {@code redis-cluster://host:port[,host:port...]} (or {@code rediss-cluster://}) is a Redis Cluster, any
 * of whose nodes may be named: commands are routed by slot, the topology is refreshed every 5 s and whenever Redis
 * redirects a command or a node connection drops, and sharded subscriptions ({@link #ssubscribe}) go to the master of
 * their channel's slot. When the cluster moves a slot or fails a master over, Redis unsubscribes that slot's sharded
 * channels ({@code sunsubscribe} from the server); this class subscribes them again on the slot's new master and
 * then runs the {@link #onResubscribed} hooks, since what was published during the move was not received.
 */
public final class RedisConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.redis");

    private final String rawPrefix;
    private final String prefix;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisClusterConnection<String, String> clusterCommands;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final StatefulRedisClusterPubSubConnection<String, String> clusterPubsub;
    private final RedisAsyncCommands<String, String> async;
    private final Map<String, BiConsumer<String, String>> handlers = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Runnable> resubscribed = new CopyOnWriteArrayList<>();
    /** The sharded channels this node wants: what a server-side sunsubscribe is repaired for. */
    private final Set<String> sharded = ConcurrentHashMap.newKeySet();
    /** Sharded channels Redis dropped that are not subscribed again yet. */
    private final Set<String> shardedLost = ConcurrentHashMap.newKeySet();

    private final Set<StatefulRedisPubSubConnection<String, String>> watched = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    private final ScheduledExecutorService repair;
    private volatile boolean subscriptionLost;
    private volatile boolean closing;

    /**
     * Connects (blocking, at start-up). {@code prefix} namespaces every key and channel; {@link #key} wraps it in a
     * hash tag so all of a deployment's keys share one Redis Cluster slot (the Lua scripts touch several); channels
     * that should spread over the cluster are made by {@link #shardChannel}.
     */
    public RedisConnections(String url, String prefix) {
        this.rawPrefix = prefix;
        this.prefix = "{" + prefix + "}";
        boolean cluster = url.startsWith("redis-cluster://") || url.startsWith("rediss-cluster://");
        SocketOptions socket =
                SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();
        if (cluster) {
            this.client = null;
            this.clusterClient = RedisClusterClient.create(clusterUris(url));
            clusterClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(5))
                            .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                            .build())
                    .build());
            StatefulRedisClusterConnection<String, String> c;
            StatefulRedisClusterPubSubConnection<String, String> p;
            try {
                c = clusterClient.connect();
                p = clusterClient.connectPubSub();
            } catch (RuntimeException e) {
                clusterClient.shutdown();
                throw new IllegalStateException(
                        "cannot connect to the Redis Cluster at " + redact(url) + ": " + e.getMessage(), e);
            }
            this.commands = null;
            this.clusterCommands = c;
            this.pubsub = p;
            this.clusterPubsub = p;
            this.async = clusterView(c.async());
            try {
                connectMasters();
            } catch (RuntimeException e) {
                p.close();
                c.close();
                clusterClient.shutdown();
                throw new IllegalStateException(
                        "cannot connect to the masters of the Redis Cluster at " + redact(url) + ": " + e.getMessage(),
                        e);
            }
            p.setNodeMessagePropagation(true);
            p.addListener(new RedisClusterPubSubAdapter<String, String>() {
                @Override
                public void message(RedisClusterNode node, String channel, String message) {
                    dispatch(channel, message);
                }

                @Override
                public void smessage(RedisClusterNode node, String channel, String message) {
                    dispatch(channel, message);
                }

                @Override
                public void sunsubscribed(RedisClusterNode node, String channel, long count) {
                    onShardUnsubscribed(channel);
                }
            });
        } else {
            this.clusterClient = null;
            this.client = RedisClient.create(RedisURI.create(url));
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .build());
            try {
                this.commands = client.connect();
                this.pubsub = client.connectPubSub();
            } catch (RuntimeException e) {
                client.shutdown();
                throw new IllegalStateException("cannot connect to Redis at " + url + ": " + e.getMessage(), e);
            }
            this.clusterCommands = null;
            this.clusterPubsub = null;
            this.async = commands.async();
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    dispatch(channel, message);
                }

                @Override
                public void smessage(String channel, String message) {
                    dispatch(channel, message);
                }

                @Override
                public void sunsubscribed(String channel, long count) {
                    onShardUnsubscribed(channel);
                }
            });
        }
        this.repair = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-redis-resubscribe");
            t.setDaemon(true);
            return t;
        });
        pubsub.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (closing) {
                    return;
                }
                if (!subscriptionLost) {
                    LOG.warn("lost the Redis subscription connection; sessions will resync when it is back");
                }
                subscriptionLost = true;
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (subscriptionLost) {
                    subscriptionLost = false;
                    LOG.info("Redis subscription connection is back");
                    runResubscribedHooks();
                }
            }
        });
    }

    /** True on a Redis Cluster ({@code redis-cluster://}). */
    public boolean cluster() {
        return clusterClient != null;
    }

    /** A key or channel name in this deployment's namespace. */
    public String key(String suffix) {
        return prefix + ":" + suffix;
    }

    /**
     * A channel (or key) of this deployment whose hash tag is its own, {@code {prefix:name:shard}}: shards of one
     * name land on different Redis Cluster slots, so their traffic spreads over the masters.
     */
    public String shardChannel(String name, int shard) {
        return "{" + rawPrefix + ":" + name + ":" + shard + "}";
    }

    /**
     * Commands on either topology (routed by slot on a cluster). On a cluster the view answers the commands a cluster
     * connection has (keys, scripts, pub/sub, server); the others ({@code SELECT}, {@code MULTI}) throw
     * {@link UnsupportedOperationException}. Keys made by {@link #key} share one slot, so multi-key commands and
     * scripts on them work on both.
     */
    public RedisAsyncCommands<String, String> async() {
        return async;
    }

    /** The same commands typed as what both topologies have. */
    public RedisClusterAsyncCommands<String, String> commands() {
        return cluster() ? clusterCommands.async() : commands.async();
    }

    /** Routes messages of channels starting with {@code channelPrefix} to {@code handler(channel, message)}. */
    public void handle(String channelPrefix, BiConsumer<String, String> handler) {
        handlers.put(channelPrefix, handler);
    }

    public CompletableFuture<Void> subscribe(String... channels) {
        return pubsub.async().subscribe(channels).toCompletableFuture();
    }

    public CompletableFuture<Void> unsubscribe(String... channels) {
        return pubsub.async().unsubscribe(channels).toCompletableFuture();
    }

    /**
     * SSUBSCRIBEs to sharded channels (on a cluster, each on its slot's master); they are subscribed again by this
     * class when the cluster moves their slot, until {@link #sunsubscribe}.
     */
    public CompletableFuture<Void> ssubscribe(String... channels) {
        sharded.addAll(List.of(channels));
        return ssubscribeEach(channels);
    }

    public CompletableFuture<Void> sunsubscribe(String... channels) {
        List.of(channels).forEach(sharded::remove);
        List.of(channels).forEach(shardedLost::remove);
        if (!cluster()) {
            return pubsub.async().sunsubscribe(channels).toCompletableFuture();
        }
        List<CompletableFuture<Void>> each = new ArrayList<>();
        for (String ch : channels) {
            each.add(onSlotMaster(ch, c -> c.async().sunsubscribe(ch).toCompletableFuture()));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
    }

    /**
     * Runs {@code command} on the subscription connection to the master that serves {@code channel}'s slot now (opened
     * if needed): its messages reach this class's listener (node message propagation), and Lettuce subscribes that
     * connection's channels again when it reconnects.
     */
    private CompletableFuture<Void> onSlotMaster(
            String channel,
            java.util.function.Function<StatefulRedisPubSubConnection<String, String>, CompletableFuture<Void>>
                    command) {
        RedisClusterNode master = clusterPubsub.getPartitions().getPartitionBySlot(SlotHash.getSlot(channel));
        if (master == null) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("no Redis Cluster master serves the slot of " + channel));
        }
        return clusterPubsub
                .getConnectionAsync(master.getNodeId())
                .thenApply(this::watch)
                .thenCompose(command);
    }

    /**
     * Watches a subscription connection to one master: when it drops and comes back, its sharded channels are
     * subscribed again and the resubscribed hooks run (what was published meanwhile did not arrive).
     */
    private StatefulRedisPubSubConnection<String, String> watch(StatefulRedisPubSubConnection<String, String> c) {
        if (watched.add(c)) {
            c.addListener(new RedisConnectionStateListener() {
                private volatile boolean lost;

                @Override
                public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                    if (!closing) {
                        lost = true;
                        LOG.warn("lost a Redis Cluster subscription connection; sessions will resync when it is back");
                    }
                }

                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                    if (lost && !closing) {
                        lost = false;
                        shardedLost.addAll(sharded);
                        repair.schedule(RedisConnections.this::repairShards, 100, TimeUnit.MILLISECONDS);
                    }
                }
            });
        }
        return c;
    }

    /** SPUBLISH: on a cluster to the master of the channel's slot (one hop; it reaches that shard's subscribers). */
    public CompletableFuture<Long> spublish(String channel, String message) {
        return commands().spublish(channel, message).toCompletableFuture();
    }

    /** Runs after a subscription was lost and is back (every channel is subscribed again by then). */
    public void onResubscribed(Runnable hook) {
        resubscribed.add(hook);
    }

    /** True when both connections are up and no sharded channel is waiting to be subscribed again. */
    public CompletableFuture<Boolean> ping() {
        if (!pubsub.isOpen() || subscriptionLost || !shardedLost.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        return commands().ping().toCompletableFuture().thenApply("PONG"::equals);
    }

    private RedisPubSubAsyncCommands<String, String> pubsubAsync() {
        return pubsub.async();
    }

    private CompletableFuture<Void> ssubscribeEach(String... channels) {
        if (!cluster()) {
            return pubsubAsync().ssubscribe(channels).toCompletableFuture();
        }
        // One command per channel, each on the connection to its own slot's master.
        List<CompletableFuture<Void>> each = new ArrayList<>();
        for (String ch : channels) {
            each.add(onSlotMaster(ch, c -> c.async().ssubscribe(ch).toCompletableFuture()));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
    }

    /**
     * Opens the command connection to every master now: the cluster connection opens them lazily, and while one is
     * still connecting a command routed to it would be rejected (REJECT_COMMANDS), not queued.
     */
    private void connectMasters() {
        List<CompletableFuture<?>> each = new ArrayList<>();
        for (RedisClusterNode n : clusterCommands.getPartitions()) {
            if (n.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                each.add(clusterCommands.getConnectionAsync(
                        n.getUri().getHost(), n.getUri().getPort()));
            }
        }
        CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .orTimeout(5, TimeUnit.SECONDS)
                .join();
    }

    /** Redis dropped a sharded channel (its slot moved, its master failed over); ours too when we sunsubscribed. */
    private void onShardUnsubscribed(String channel) {
        if (closing || !sharded.contains(channel) || !shardedLost.add(channel)) {
            return;
        }
        LOG.warn("Redis dropped the sharded subscription {} (slot moved or failed over); subscribing again", channel);
        repair.schedule(this::repairShards, 100, TimeUnit.MILLISECONDS);
    }

    /**
     * Subscribes every dropped sharded channel again on its slot's current master (refreshing the topology first),
     * retrying every 500 ms until it holds; then runs the resubscribed hooks once for the lot.
     */
    private void repairShards() {
        if (closing || shardedLost.isEmpty()) {
            return;
        }
        String[] lost = shardedLost.toArray(String[]::new);
        try {
            if (cluster()) {
                clusterClient.refreshPartitions();
                connectMasters();
            }
            List<String> still = new ArrayList<>();
            for (String ch : lost) {
                if (sharded.contains(ch)) {
                    still.add(ch);
                }
            }
            ssubscribeEach(still.toArray(String[]::new)).get(5, TimeUnit.SECONDS);
            List.of(lost).forEach(shardedLost::remove);
            LOG.info("sharded subscriptions are back: {}", still);
            runResubscribedHooks();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            LOG.warn("subscribing the sharded channels {} again failed, retrying: {}", List.of(lost), e.toString());
            if (!closing) {
                repair.schedule(this::repairShards, 500, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void runResubscribedHooks() {
        for (Runnable r : resubscribed) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("a resubscribed hook failed", e);
            }
        }
    }

    private void dispatch(String channel, String message) {
        for (Map.Entry<String, BiConsumer<String, String>> h : handlers.entrySet()) {
            if (channel.startsWith(h.getKey())) {
                try {
                    h.getValue().accept(channel, message);
                } catch (RuntimeException e) {
                    LOG.warn("handler for {} failed on a message", channel, e);
                }
                return;
            }
        }
    }

    /** {@code redis-cluster://[user:pass@]h1:p1,h2:p2[?query]} as one URI per seed node. */
    static List<RedisURI> clusterUris(String url) {
        boolean tls = url.startsWith("rediss-cluster://");
        String rest = url.substring(url.indexOf("://") + 3);
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q);
            rest = rest.substring(0, q);
        }
        String auth = "";
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            auth = rest.substring(0, at + 1);
            rest = rest.substring(at + 1);
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        List<RedisURI> uris = new ArrayList<>();
        for (String host : rest.split(",")) {
            if (!host.isBlank()) {
                uris.add(RedisURI.create((tls ? "rediss://" : "redis://") + auth + host.trim() + query));
            }
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("a redis-cluster:// URL names no node");
        }
        return uris;
    }

    private static String redact(String url) {
        return url.replaceAll("//[^@/]*@", "//***@");
    }

    /**
     * A {@link RedisAsyncCommands} over a cluster connection, so code written against one Redis runs on a cluster
     * unchanged: each call goes to the cluster connection's method of the same name and parameters.
     */
    @SuppressWarnings("unchecked")
    private static RedisAsyncCommands<String, String> clusterView(RedisClusterAsyncCommands<String, String> target) {
        Map<Method, java.util.Optional<Method>> resolved = new ConcurrentHashMap<>();
        return (RedisAsyncCommands<String, String>) Proxy.newProxyInstance(
                RedisConnections.class.getClassLoader(),
                new Class<?>[] {RedisAsyncCommands.class},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "RedisAsyncCommands over " + target;
                        };
                    }
                    java.util.Optional<Method> found = resolved.computeIfAbsent(method, k -> {
                        try {
                            return java.util.Optional.of(
                                    target.getClass().getMethod(k.getName(), k.getParameterTypes()));
                        } catch (NoSuchMethodException e) {
                            return java.util.Optional.empty();
                        }
                    });
                    Method m = found.orElse(null);
                    if (m == null) {
                        throw new UnsupportedOperationException(
                                method.getName() + " is not available on a Redis Cluster connection");
                    }
                    try {
                        return m.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public void close() {
        closing = true;
        repair.shutdownNow();
        pubsub.close();
        if (cluster()) {
            clusterCommands.close();
            clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } else {
            commands.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
