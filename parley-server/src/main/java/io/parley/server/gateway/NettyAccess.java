package io.parley.server.gateway;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The one place where the gateway reaches under Vert.x 5's public API: the Netty channel of an HTTP connection, which
 * {@link WsGateway} takes over on a WebSocket upgrade (see {@link WsConnection}). {@code ConnectionBase} is a public
 * class of Vert.x's implementation packages; if an upgrade of Vert.x removes it, this returns null and upgrades are
 * refused with HTTP 500 and a logged error, which the gateway tests catch.
 */
final class NettyAccess {
    private NettyAccess() {}

    /** The connection's Netty channel, or null if this Vert.x does not expose it. */
    static Channel channel(HttpConnection connection) {
        return connection instanceof ConnectionBase base ? base.channel() : null;
    }
}
