package io.parley.server.redis;

import io.parley.server.auth.CloseSignal;
import io.parley.server.store.Revocation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CloseSignal} of a cluster: one PUBLISH per batch of orders on a channel of its own,
 * {@code {prefix}:close} (beside, not inside, the bus's channel), as a small JSON array of revocation log entries.
 * Every node, the publisher included, hears it on its subscription connection and hands each entry to its handler.
 * Pub/sub is at-most-once: an order lost while a node's subscription was down reaches it through the store's log
 * within {@code auth.Revocations.POLL}.
 */
public final class RedisCloseSignal implements CloseSignal {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCloseSignal.class);

    private final RedisConnections redis;
    private final String channel;
    private volatile Consumer<Revocation> handler;
    private volatile boolean closed;

    public RedisCloseSignal(RedisConnections redis) {
        this.redis = redis;
        this.channel = redis.key("close");
    }

    @Override
    public void publish(List<Revocation> orders) {
        if (orders.isEmpty() || closed) {
            return;
        }
        JsonArray a = new JsonArray();
        for (Revocation r : orders) {
            a.add(new JsonObject()
                    .put("id", r.id())
                    .put("kind", r.kind().column())
                    .put("target", r.target())
                    .put("user", r.userId())
                    .put("at", r.at()));
        }
        redis.async().publish(channel, a.encode()).whenComplete((n, err) -> {
            if (err != null) {
                LOG.warn(
                        "publishing {} close orders failed (the nodes read them from the store): {}",
                        orders.size(),
                        err.toString());
            }
        });
    }

    @Override
    public void subscribe(Consumer<Revocation> h) {
        if (handler != null) {
            throw new IllegalStateException("the close signal has a handler already");
        }
        handler = h;
        redis.handle(channel, this::onMessage);
        try {
            redis.subscribe(channel).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while subscribing to " + channel, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot subscribe to the Redis close channel " + channel + ": " + e, e);
        }
    }

    private void onMessage(String from, String message) {
        Consumer<Revocation> h = handler;
        if (h == null || closed || !from.equals(channel)) {
            return;
        }
        JsonArray a;
        try {
            a = new JsonArray(message);
        } catch (RuntimeException e) {
            LOG.warn("ignoring a malformed close order on {}: {}", channel, e.toString());
            return;
        }
        for (int i = 0; i < a.size(); i++) {
            try {
                JsonObject o = a.getJsonObject(i);
                h.accept(new Revocation(
                        o.getLong("id"),
                        Revocation.Kind.of(o.getString("kind")),
                        o.getString("target"),
                        o.getString("user"),
                        o.getLong("at")));
            } catch (RuntimeException e) {
                LOG.warn("ignoring a malformed close order on {}: {}", channel, e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            redis.unsubscribe(channel).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("unsubscribing from {} failed: {}", channel, e.toString());
        }
    }
}
