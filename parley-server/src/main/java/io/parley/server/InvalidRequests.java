package io.parley.server;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.parley.protocol.ErrorCode;
import io.parley.server.wire.ErrorBody;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

/**
 * What reaches the node before the router can answer it, answered in the one JSON error shape of docs/api.md like
 * everything else (found by FuzzTest): a request HTTP/1.1 cannot decode (Vert.x's own answer is a bare 414, 431 or
 * 400 without a body) and a query string that is not valid percent-encoding (Vert.x-web throws while matching routes,
 * logs the exception with its stack trace at ERROR and answers a plain-text 400).
 */
final class InvalidRequests {
    private InvalidRequests() {}

    /** {@code HttpServer.invalidRequestHandler}: the status HTTP gives the failure, code {@code bad_request}. */
    static void answer(HttpServerRequest req) {
        Throwable cause = req.decoderResult().cause();
        int status;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            message = "the request line (method, path and query) is longer than the server reads";
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            status = 431;
            message = "the request headers are larger than the server reads";
        } else {
            status = 400;
            message = "the request is not valid HTTP/1.1";
        }
        // The decoder cannot go on after a failure: the connection closes once this answer is out.
        req.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .putHeader("connection", "close")
                .end(ErrorBody.of(ErrorCode.BAD_REQUEST, message).encode());
    }

    /** The router behind a check that the query string decodes; 400 {@code bad_request} when it does not. */
    static Handler<HttpServerRequest> checked(Router router) {
        return req -> {
            try {
                req.params();
            } catch (IllegalArgumentException e) {
                req.response()
                        .setStatusCode(400)
                        .putHeader("content-type", "application/json")
                        .end(ErrorBody.of(ErrorCode.BAD_REQUEST, "the query string is not valid percent-encoding")
                                .encode());
                return;
            }
            router.handle(req);
        };
    }
}
