package io.parley.server.api;

import io.parley.protocol.ErrorCode;
import io.parley.server.auth.TokenVerifier;
import io.parley.server.chat.ChatException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;

/**
 * Small helpers for JSON responses and the REST error shape {"error": {"code", "message"}} (also used by the WebSocket
 * gateway for an upgrade it refuses).
 */
public final class Http {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.api");

    private Http() {
    }

    static void json(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        String text = body instanceof JsonObject j ? j.encode() : io.vertx.core.json.Json.encode(body);
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(text);
    }

    public static void error(RoutingContext ctx, int status, ErrorCode code, String message) {
        json(ctx, status, new JsonObject().put("error", new JsonObject().put("code", code.wire()).put("message", message)));
    }

    /** Maps a failed future's cause to its documented code; anything unexpected is a 503 "unavailable". */
    static void fail(RoutingContext ctx, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof ChatException ce) {
            error(ctx, ce.code().httpStatus(), ce.code(), ce.getMessage());
        } else if (cause instanceof BadRequest br) {
            error(ctx, 400, br.code, br.getMessage());
        } else if (cause instanceof TokenVerifier.InvalidTokenException ite) {
            error(ctx, 401, ErrorCode.UNAUTHORIZED, ite.getMessage());
        } else {
            LOG.warn("{} {} failed", ctx.request().method(), ctx.request().path(), cause);
            error(ctx, 503, ErrorCode.UNAVAILABLE, "the store is unavailable; retry");
        }
    }

    /** Invalid request input. */
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
        } catch (io.vertx.core.json.DecodeException | ClassCastException e) {
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
            throw new BadRequest(ErrorCode.INVALID_FIELD, "query parameter '" + name + "' must be a non-negative integer");
        }
    }
}
