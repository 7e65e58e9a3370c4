package io.parley.server.api;

import io.parley.server.log.AccessLog;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler of every request: when request logs are on ({@link AccessLog}), logs the request once its
 * response is written, with the user a route authenticated. A WebSocket upgrade is logged with the status of its
 * handshake answer only when the gateway refused it (a taken-over connection writes no HTTP response here).
 */
public final class RequestLog {
    private RequestLog() {}

    public static void handle(RoutingContext ctx) {
        if (!AccessLog.enabled()) {
            ctx.next();
            return;
        }
        long started = System.nanoTime();
        ctx.addBodyEndHandler(v -> {
            SocketAddress remote = ctx.request().remoteAddress();
            AccessLog.request(
                    ctx.request().method().name(),
                    ctx.request().path(),
                    ctx.response().getStatusCode(),
                    (System.nanoTime() - started) / 1e6,
                    Http.user(ctx),
                    remote == null ? null : remote.hostAddress());
        });
        ctx.next();
    }
}
