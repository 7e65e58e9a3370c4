package io.parley.server.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis side of a node: one connection for commands and one for subscriptions (a subscribed connection cannot
 * run other commands). Both reconnect by themselves; while Redis is down commands fail at once instead of queueing.
 * Subscribers register a handler per channel prefix; {@link #onResubscribed} hooks run when the subscription
 * connection comes back after a loss (events published meanwhile were not received).
 */
public final class RedisConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.redis");

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final String prefix;
    private final Map<String, BiConsumer<String, String>> handlers = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Runnable> resubscribed = new CopyOnWriteArrayList<>();
    private volatile boolean subscriptionLost;
    private volatile boolean closing;

    /**
     * Connects (blocking, at start-up). {@code prefix} namespaces every key and channel; it is wrapped in a hash tag
     * so all of a deployment's keys share one Redis Cluster slot (the Lua scripts touch several).
     */
    public RedisConnections(String url, String prefix) {
        this.prefix = "{" + prefix + "}";
        this.client = RedisClient.create(RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .build())
                .build());
        try {
            this.commands = client.connect();
            this.pubsub = client.connectPubSub();
        } catch (RuntimeException e) {
            client.shutdown();
            throw new IllegalStateException("cannot connect to Redis at " + url + ": " + e.getMessage(), e);
        }
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                dispatch(channel, message);
            }
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
                    for (Runnable r : resubscribed) {
                        r.run();
                    }
                }
            }
        });
    }

    /** A key or channel name in this deployment's namespace. */
    public String key(String suffix) {
        return prefix + ":" + suffix;
    }

    public RedisAsyncCommands<String, String> async() {
        return commands.async();
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

    /** Runs after the subscription connection was lost and is back (Lettuce has resubscribed by then). */
    public void onResubscribed(Runnable hook) {
        resubscribed.add(hook);
    }

    /** True when both connections are up (for /health/ready). */
    public CompletableFuture<Boolean> ping() {
        if (!pubsub.isOpen() || subscriptionLost) {
            return CompletableFuture.completedFuture(false);
        }
        return commands.async().ping().toCompletableFuture().thenApply("PONG"::equals);
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

    @Override
    public void close() {
        closing = true;
        pubsub.close();
        commands.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
