package io.parley.server.wire;

import io.parley.protocol.ErrorCode;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The one error shape of Parley's HTTP face, {@code {"error": {"code", "message"}}}, written by the REST API and by
 * the WebSocket gateway for an upgrade it refuses, so that a client reads both the same way.
 */
public final class ErrorBody {
    private ErrorBody() {}

    public static JsonObject of(ErrorCode code, String message) {
        return new JsonObject()
                .put("error", new JsonObject().put("code", code.wire()).put("message", message));
    }

    /** Answers with the code's own status ({@link ErrorCode#httpStatus()}). */
    public static void send(RoutingContext ctx, ErrorCode code, String message) {
        send(ctx, code.httpStatus(), code, message);
    }

    /** For a status that belongs to HTTP rather than to the code, e.g. 426 for an unsupported WebSocket version. */
    public static void send(RoutingContext ctx, int status, ErrorCode code, String message) {
        json(ctx, status, of(code, message));
    }

    /** A JSON response; nothing when one was already sent or the client is gone (a late store answer, say). */
    public static void json(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        String text = body instanceof JsonObject j ? j.encode() : Json.encode(body);
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(text);
    }
}
