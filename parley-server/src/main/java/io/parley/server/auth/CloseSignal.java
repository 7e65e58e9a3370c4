package io.parley.server.auth;

import io.parley.server.store.Revocation;
import java.util.List;
import java.util.function.Consumer;

/**
 * Carries "close these sessions now" orders (revocations: a session, a user's logout everywhere, a ban) to every node
 * at once. What it promises: an order published on one node reaches the handler of every subscribed node, the
 * publishing one included, at most once and without blocking the publisher; it may be lost (Redis down), which is
 * why every node also reads the store's revocation log ({@link Revocations}, within {@link Revocations#POLL}), so
 * an order is carried out either way and handlers must accept the same order twice.
 * <p>
 * Implementations: {@link LocalCloseSignal} (one node: hands the order over on the caller's thread) and
 * {@code redis.RedisCloseSignal} (a channel of its own, {@code {prefix}:close}).
 */
public interface CloseSignal extends AutoCloseable {

    /** Sends the orders to every node (this one too). Never blocks. */
    void publish(List<Revocation> orders);

    /** The one handler of this node's orders; it runs on the signal's thread and must not block. */
    void subscribe(Consumer<Revocation> handler);

    @Override
    void close();
}
