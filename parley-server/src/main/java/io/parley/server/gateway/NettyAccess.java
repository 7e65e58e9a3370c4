package io.parley.server.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;

/**
 * The two places where the gateway reaches under Vert.x 5's public API, both for the cost of a connection:
 * <ul>
 *   <li>{@link #channel}: the Netty channel of a connection, so {@link WsTransport} can write pre-encoded frames (and
 *   flush a replayed page once);</li>
 *   <li>{@link #directWrites}: a WebSocket connection gets the direct outbound queue that Vert.x gives connections of
 *   a server in strict thread mode. Vert.x 5.0 does not pass strict mode on to the connection an upgrade creates, so
 *   each WebSocket would keep an MPSC queue whose first 1,024-slot chunk alone is about 4 KiB per connection. Every
 *   write of the gateway happens on the connection's event loop, which is what the direct queue requires.</li>
 * </ul>
 * If a Vert.x upgrade removes what these rely on, both do nothing (one warning at the first connection) and the
 * gateway works as before, just with more memory per connection.
 */
final class NettyAccess {
    private static final Field OUTBOUND;
    private static final Constructor<?> DIRECT;

    static {
        Field f = null;
        Constructor<?> c = null;
        try {
            f = VertxConnection.class.getDeclaredField("outboundMessageQueue");
            f.setAccessible(true);
            c = Class.forName(VertxConnection.class.getName() + "$DirectOutboundMessageQueue")
                    .getDeclaredConstructor(VertxConnection.class);
            c.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            GatewayLog.LOG.warn("Vert.x internals changed: WebSocket connections keep Vert.x's write queue ({})",
                    e.toString());
            f = null;
            c = null;
        }
        OUTBOUND = f;
        DIRECT = c;
    }

    private NettyAccess() {
    }

    /** The connection's Netty channel, or null if this Vert.x does not expose it. */
    static Channel channel(HttpConnection connection) {
        return connection instanceof ConnectionBase base ? base.channel() : null;
    }

    /**
     * Gives the channel's WebSocket connection Vert.x's direct outbound queue. Call on the channel's event loop, right
     * after the upgrade, before anything is written. True if it was done.
     */
    static boolean directWrites(Channel channel) {
        if (OUTBOUND == null || channel == null || !channel.eventLoop().inEventLoop()) {
            return false;
        }
        ChannelHandler h = channel.pipeline().get("handler");
        if (!(h instanceof VertxHandler<?> vh) || vh.getConnection() == null) {
            return false;
        }
        VertxConnection conn = vh.getConnection();
        try {
            OUTBOUND.set(conn, DIRECT.newInstance(conn));
            return true;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot set the direct write queue of " + conn.getClass().getName(), e);
        }
    }
}
