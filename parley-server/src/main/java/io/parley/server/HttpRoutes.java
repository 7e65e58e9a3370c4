package io.parley.server;

import io.parley.protocol.ErrorCode;
import io.parley.server.api.RestApi;
import io.parley.server.metrics.Metrics;
import io.parley.server.redis.RedisConnections;
import io.parley.server.store.ChatStore;
import io.parley.server.wire.ErrorBody;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's own routes beside the two faces: health, metrics and the browser app. */
final class HttpRoutes {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.api");

    private HttpRoutes() {}

    /**
     * Every error the router itself answers (no route, wrong method, a body over the limit, a handler that threw)
     * has the one JSON error shape of docs/api.md, as the handlers' own errors do.
     */
    static void errors(Router router) {
        router.errorHandler(
                404,
                ctx -> ErrorBody.send(
                        ctx,
                        ErrorCode.NOT_FOUND,
                        "no such path: " + ctx.request().path()));
        router.errorHandler(
                405,
                ctx -> ErrorBody.send(
                        ctx,
                        ErrorCode.METHOD_NOT_ALLOWED,
                        ctx.request().method() + " is not allowed on "
                                + ctx.request().path()));
        router.route().failureHandler(HttpRoutes::failed);
    }

    private static void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            ErrorBody.send(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than the limit");
        } else if (status == 405) {
            ErrorBody.send(
                    ctx,
                    ErrorCode.METHOD_NOT_ALLOWED,
                    ctx.request().method() + " is not allowed on "
                            + ctx.request().path());
        } else if (status == 404) {
            ErrorBody.send(
                    ctx, ErrorCode.NOT_FOUND, "no such path: " + ctx.request().path());
        } else if (status == 400) {
            ErrorBody.send(ctx, ErrorCode.BAD_REQUEST, "the request could not be read");
        } else {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
            ErrorBody.send(ctx, ErrorCode.INTERNAL, "unexpected server failure");
        }
    }

    /**
     * /health/live, and /health/ready: 503 from the start of a stop (load balancers stop routing here), else UP when
     * the store and Redis (if used; {@code redis} null otherwise) answer.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the answer's chain ends in a handler that fails the request
    static void health(Router router, AtomicBoolean stopping, ChatStore store, RedisConnections redis) {
        router.get("/health/live")
                .handler(ctx -> ctx.response()
                        .putHeader("content-type", "application/json")
                        .end(new JsonObject().put("status", "UP").encode()));
        router.get("/health/ready").handler(ctx -> {
            if (stopping.get()) {
                ctx.response()
                        .setStatusCode(503)
                        .putHeader("content-type", "application/json")
                        .end(new JsonObject()
                                .put("status", "DOWN")
                                .put("checks", new JsonObject().put("node", "STOPPING"))
                                .encode());
                return;
            }
            CompletableFuture<Boolean> storeUp = store.ping().exceptionally(err -> false);
            CompletableFuture<Boolean> redisUp = redis == null
                    ? CompletableFuture.completedFuture(true)
                    : redis.ping().exceptionally(err -> false);
            // The answer is written on the request's event loop (the server runs in strict thread mode).
            storeUp.thenCombineAsync(
                            redisUp,
                            (s, r) -> {
                                boolean ready = s && r;
                                JsonObject checks = new JsonObject().put("store", s ? "UP" : "DOWN");
                                if (redis != null) {
                                    checks.put("redis", r ? "UP" : "DOWN");
                                }
                                ctx.response()
                                        .setStatusCode(ready ? 200 : 503)
                                        .putHeader("content-type", "application/json")
                                        .end(new JsonObject()
                                                .put("status", ready ? "UP" : "DOWN")
                                                .put("checks", checks)
                                                .encode());
                                return null;
                            },
                            RestApi.onContext(ctx))
                    .exceptionally(err -> {
                        ctx.fail(err); // answered by the router's failure handler (500 internal, logged)
                        return null;
                    });
        });
    }

    /**
     * Prometheus text at /metrics; with {@code token} (metrics.token) set, only for {@code Authorization: Bearer
     * <token>} (compared in constant time), else 401 unauthorized in the error shape.
     */
    static void metrics(Router router, Metrics metrics, String token) {
        byte[] expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        router.get("/metrics").handler(ctx -> {
            if (expected != null) {
                String given = ctx.request().getHeader("Authorization");
                if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
                    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
                    ErrorBody.send(ctx, ErrorCode.UNAUTHORIZED, "/metrics needs the metrics.token bearer token");
                    return;
                }
            }
            ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape());
        });
    }

    /**
     * The browser app (src/main/resources/webroot, inside the jar) at {@code /}, after the API routes so it only
     * answers what they did not. The policy headers keep user text inert even if a rendering bug slipped through:
     * scripts, styles and the service worker ({@code /sw.js}, scope {@code /}) only from this origin, no inline
     * script, no framing. {@code blobOrigin}: where attachments live when not on this server (an S3 origin): the app
     * uploads to it and shows its images, nothing else.
     */
    static void webApp(Router router, java.util.Optional<String> blobOrigin) {
        String extra = blobOrigin.map(o -> " " + o).orElse("");
        router.route()
                .method(HttpMethod.GET)
                .method(HttpMethod.HEAD)
                .handler(ctx -> {
                    ctx.response()
                            .putHeader(
                                    "Content-Security-Policy",
                                    "default-src 'self'; script-src 'self'; "
                                            + "style-src 'self'; img-src 'self' data:" + extra + "; connect-src 'self'"
                                            + extra + "; worker-src 'self'; object-src 'none'; "
                                            + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
                            .putHeader("X-Content-Type-Options", "nosniff")
                            .putHeader("Referrer-Policy", "no-referrer");
                    ctx.next();
                })
                .handler(StaticHandler.create("webroot").setMaxAgeSeconds(300).setIndexPage("index.html"));
    }
}
