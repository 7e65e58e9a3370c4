package io.parley.server.api;

import io.parley.protocol.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * CORS for the REST API: a page served from an origin in {@code http.cors-origins} may call /api/v1 from a browser.
 * A preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) is answered here, before authentication
 * (browsers send it without the token): 204 with the methods and headers the API takes, or 403 {@code forbidden}
 * for an origin not in the list. Other requests from a listed origin get {@code Access-Control-Allow-Origin};
 * requests from any other origin are served as if CORS did not exist, so the browser keeps their answers from the
 * page (they cannot carry a bearer token without a preflight anyway). No credentials: the API takes bearer tokens,
 * not cookies.
 */
final class Cors implements Handler<RoutingContext> {
    private static final String METHODS = "GET, POST, PUT, PATCH, DELETE";
    private static final String HEADERS = "Authorization, Content-Type";
    private static final String EXPOSED = "Retry-After";
    private static final int MAX_AGE_SECONDS = 600;

    private final List<String> origins;
    private final boolean any;

    Cors(List<String> origins) {
        this.origins = origins;
        this.any = origins.contains("*");
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        String origin = req.getHeader("Origin");
        boolean preflight =
                HttpMethod.OPTIONS.equals(req.method()) && req.getHeader("Access-Control-Request-Method") != null;
        if (origin == null) {
            ctx.next();
            return;
        }
        boolean allowed = any || origins.contains(origin.toLowerCase(Locale.ROOT));
        if (!allowed) {
            if (preflight) {
                Http.error(ctx, ErrorCode.FORBIDDEN, "origin " + origin + " may not call this API (http.cors-origins)");
            } else {
                ctx.next();
            }
            return;
        }
        ctx.response()
                .putHeader("Access-Control-Allow-Origin", any ? "*" : origin)
                .putHeader("Vary", "Origin");
        if (preflight) {
            ctx.response()
                    .putHeader("Access-Control-Allow-Methods", METHODS)
                    .putHeader("Access-Control-Allow-Headers", HEADERS)
                    .putHeader("Access-Control-Max-Age", Integer.toString(MAX_AGE_SECONDS))
                    .setStatusCode(204)
                    .end();
            return;
        }
        ctx.response().putHeader("Access-Control-Expose-Headers", EXPOSED);
        ctx.next();
    }
}
