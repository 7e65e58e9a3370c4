package io.parley.server.api;

import io.parley.protocol.ErrorCode;
import io.parley.server.auth.Authenticator;
import io.parley.server.auth.Principal;
import io.parley.server.auth.TokenVerifier;
import io.parley.server.chat.ChatException;
import io.parley.server.wire.ErrorBody;
import io.parley.server.wire.Pseudonyms;
import io.vertx.core.Context;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST plumbing every handler shares: reading request input, answering on the request's context, and mapping
 * failures to the error body ({@link ErrorBody}) with the status of their code ({@link ErrorCode#httpStatus()}).
 */
final class Http {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.api");
    private static final String USER = "parley.userId";
    private static final String PRINCIPAL = "parley.principal";
    private static final String PSEUDONYMS = "parley.pseudonyms";

    private Http() {}

    /**
     * Answers with {@code body}; a body showing a stranger conversation goes out masked
     * ({@link Pseudonyms#maskBody}: the conversation of the path, the body's own, or its items').
     */
    static void json(RoutingContext ctx, int status, Object body) {
        Pseudonyms pseudonyms = ctx.get(PSEUDONYMS);
        if (pseudonyms == null || !(body instanceof JsonObject j)) {
            ErrorBody.json(ctx, status, body);
            return;
        }
        String path = ctx.request().path();
        String scope = path.startsWith("/api/v1/conversations/") ? ctx.pathParam("id") : null;
        CompletableFuture<JsonObject> shown = pseudonyms.maskBody(scope, j);
        if (shown.isDone() && !shown.isCompletedExceptionally()) {
            ErrorBody.json(ctx, status, shown.join());
            return;
        }
        shown.whenCompleteAsync(
                (masked, err) -> {
                    if (err != null) {
                        fail(ctx, err);
                    } else {
                        ErrorBody.json(ctx, status, masked);
                    }
                },
                onContext(ctx));
    }

    /** Makes {@link #json} mask what it shows of stranger conversations for the rest of this request. */
    static void showThrough(RoutingContext ctx, Pseudonyms pseudonyms) {
        ctx.put(PSEUDONYMS, pseudonyms);
    }

    static void error(RoutingContext ctx, ErrorCode code, String message) {
        ErrorBody.send(ctx, code, message);
    }

    /** Maps a failed future's cause to its documented code; anything unexpected is a 503 "unavailable". */
    static void fail(RoutingContext ctx, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof ChatException ce) {
            error(ctx, ce.code(), ce.getMessage());
        } else if (cause instanceof io.parley.server.limits.RateLimitedException rl) {
            if (!ctx.response().headWritten()) {
                ctx.response().putHeader("Retry-After", Long.toString(rl.retryAfterSeconds()));
            }
            error(ctx, rl.code(), rl.getMessage());
        } else if (cause instanceof io.parley.server.store.AttachmentRefused ar) {
            error(ctx, ar.code(), ar.getMessage());
        } else if (cause instanceof BadRequest br) {
            error(ctx, br.code, br.getMessage());
        } else if (cause instanceof Authenticator.RevokedTokenException rte) {
            error(ctx, ErrorCode.SESSION_REVOKED, rte.getMessage());
        } else if (cause instanceof TokenVerifier.InvalidTokenException ite) {
            error(ctx, ErrorCode.UNAUTHORIZED, ite.getMessage());
        } else {
            LOG.warn("{} {} failed", ctx.request().method(), ctx.request().path(), cause);
            error(ctx, ErrorCode.UNAVAILABLE, "the store is unavailable; retry");
        }
    }

    /** The longest id a path may carry: the same bound as ids in frames (docs/protocol.md). */
    private static final int MAX_ID_LENGTH = io.parley.protocol.FrameCodec.MAX_ID_LENGTH;

    /**
     * Checks what every /api/v1 request carries before its route reads it: a body is JSON
     * ({@code Content-Type: application/json}, else 415 unsupported_media_type), and the ids in the path (a
     * conversation, message or user id after its collection's name) are 1 to 128 characters (else 400 invalid_field,
     * as in frames).
     */
    static void checkRequest(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        boolean hasBody =
                (length != null && !length.equals("0")) || ctx.request().getHeader("Transfer-Encoding") != null;
        if (hasBody && !isJson(ctx.request().getHeader("Content-Type"))) {
            error(ctx, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "request bodies must be application/json");
            return;
        }
        String[] parts = ctx.request().path().split("/", -1);
        // ["", "api", "v1", collection, id, collection, id, ...]
        for (int i = 3; i + 1 < parts.length; i += 2) {
            if (!ID_COLLECTIONS.contains(parts[i])) {
                continue;
            }
            String id = java.net.URLDecoder.decode(
                    parts[i + 1].replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
            if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
                error(
                        ctx,
                        ErrorCode.INVALID_FIELD,
                        "the " + parts[i] + " id in the path must be 1 to " + MAX_ID_LENGTH + " characters");
                return;
            }
        }
        ctx.next();
    }

    private static final java.util.Set<String> ID_COLLECTIONS =
            java.util.Set.of("conversations", "messages", "members");

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        return type.equalsIgnoreCase("application/json");
    }

    /** The client's address (the balancer's, behind one), or null. */
    static String remote(RoutingContext ctx) {
        io.vertx.core.net.SocketAddress a = ctx.request().remoteAddress();
        return a == null ? null : a.hostAddress();
    }

    /** The authenticated user of the request (set by RestApi's authentication handler). */
    static String user(RoutingContext ctx) {
        return ctx.get(USER);
    }

    static void authenticated(RoutingContext ctx, String userId) {
        ctx.put(USER, userId);
    }

    /** The request's principal (user, device session, token time), set with {@link #user}. */
    static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    static void authenticated(RoutingContext ctx, Principal p) {
        ctx.put(USER, p.userId());
        ctx.put(PRINCIPAL, p);
    }

    /** Runs {@code body}, turning a thrown BadRequest into its error response. */
    static void guard(RoutingContext ctx, Runnable body) {
        try {
            body.run();
        } catch (BadRequest e) {
            fail(ctx, e);
        }
    }

    /** Store futures complete on store threads; route handling continues on the request's event loop. */
    static Executor onContext(RoutingContext ctx) {
        Context c = ctx.vertx().getOrCreateContext();
        return r -> c.runOnContext(v -> r.run());
    }

    static <T> void respond(RoutingContext ctx, CompletableFuture<T> f, Consumer<T> ok) {
        f.whenCompleteAsync(
                (v, err) -> {
                    if (err != null) {
                        fail(ctx, err);
                        return;
                    }
                    try {
                        ok.accept(v);
                    } catch (RuntimeException e) {
                        fail(ctx, e);
                    }
                },
                onContext(ctx));
    }

    /** Invalid request input: a code whose status is 400 (bad_json, missing_field, invalid_field, bad_request). */
    static final class BadRequest extends RuntimeException {
        final ErrorCode code;

        BadRequest(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    static JsonObject body(RoutingContext ctx) {
        try {
            JsonObject o = ctx.body().asJsonObject();
            if (o == null) {
                throw new BadRequest(ErrorCode.BAD_JSON, "request body must be a JSON object");
            }
            return o;
        } catch (DecodeException | ClassCastException e) {
            throw new BadRequest(ErrorCode.BAD_JSON, "request body must be a JSON object");
        }
    }

    static String string(JsonObject o, String field, int maxLength) {
        Object v = o.getValue(field);
        if (v == null) {
            throw new BadRequest(ErrorCode.MISSING_FIELD, "missing field '" + field + "'");
        }
        if (!(v instanceof String s)) {
            throw new BadRequest(ErrorCode.INVALID_FIELD, "field '" + field + "' must be a string");
        }
        if (s.length() > maxLength) {
            throw new BadRequest(ErrorCode.INVALID_FIELD, "field '" + field + "' is longer than " + maxLength);
        }
        return s;
    }

    static String optString(JsonObject o, String field, int maxLength) {
        return o.getValue(field) == null ? null : string(o, field, maxLength);
    }

    static Long longParam(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        if (v == null) {
            return null;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest(
                    ErrorCode.INVALID_FIELD, "query parameter '" + name + "' must be a non-negative integer");
        }
    }
}
