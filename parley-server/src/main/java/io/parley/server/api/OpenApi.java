package io.parley.server.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.1 document of every route (src/main/resources/openapi/openapi.json, docs/api.md), served as it is in
 * the jar at {@value #PATH} without a token. The tests keep it true: every response they receive is validated
 * against it, and every route the router has must be in it.
 */
public final class OpenApi {
    public static final String PATH = "/api/v1/openapi.json";
    /** Where the document is on the class path. */
    public static final String RESOURCE = "openapi/openapi.json";

    private final byte[] document;

    /** Reads the document once, at start (on the starting thread, never on an event loop). */
    public OpenApi() {
        try (InputStream in = OpenApi.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Mount before the /api/v1 checks (token, Content-Type), which this route does not need. */
    void mount(Router router) {
        router.get(PATH)
                .handler(ctx -> ctx.response()
                        .putHeader("content-type", "application/json")
                        .end(Buffer.buffer(document)));
    }
}
