package io.parley.server.tls;

import io.vertx.ext.web.Router;
import java.time.Duration;

/**
 * Strict-Transport-Security on every answer of a TLS listener (RFC 6797): a browser that saw it once goes to this
 * host over HTTPS only, for {@code tls.hsts-max-age}. Sent only when TLS is on here; behind a TLS-terminating proxy,
 * the proxy sends it (docs/operations.md).
 */
public final class Hsts {
    private Hsts() {}

    /** Before every other route, so the router's own errors (404, 405, 413) carry it too. Zero: no header. */
    public static void mount(Router router, Duration maxAge) {
        if (maxAge.isZero()) {
            return;
        }
        String value = "max-age=" + maxAge.toSeconds();
        router.route().handler(ctx -> {
            ctx.response().putHeader("Strict-Transport-Security", value);
            ctx.next();
        });
    }
}
