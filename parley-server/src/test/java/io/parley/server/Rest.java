package io.parley.server;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A tiny blocking REST client for tests (java.net.http). Every response is checked against the OpenAPI document
 * ({@link OpenApiContract}): a status, content type or body it does not describe fails the call.
 */
public final class Rest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public record Response(int status, JsonObject json) {
        public String errorCode() {
            return json.getJsonObject("error") == null
                    ? null
                    : json.getJsonObject("error").getString("code");
        }
    }

    private final String base;
    private final String token;

    public Rest(String base, String token) {
        this.base = base;
        this.token = token;
    }

    public Response get(String path) {
        return call("GET", path, null);
    }

    public Response post(String path, JsonObject body) {
        return call("POST", path, body);
    }

    public Response put(String path, JsonObject body) {
        return call("PUT", path, body);
    }

    public Response delete(String path) {
        return call("DELETE", path, null);
    }

    public Response call(String method, String path, JsonObject body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r;
        try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " was interrupted", e);
        }
        String text = r.body();
        String contentType = r.headers().firstValue("content-type").orElse(null);
        // Every response a test receives must be one the OpenAPI document describes (status, type and body).
        OpenApiContract.DOCUMENT.check(method, path, r.statusCode(), contentType, text);
        return new Response(r.statusCode(), text == null || text.isBlank() ? new JsonObject() : new JsonObject(text));
    }

    /** Opens (or finds) the DM between the token's user and {@code peer}; returns its id. */
    public String direct(String peer) {
        Response r = post(
                "/api/v1/conversations", new JsonObject().put("type", "direct").put("userId", peer));
        if (r.status() != 200 && r.status() != 201) {
            throw new IllegalStateException("direct: " + r);
        }
        return r.json().getString("id");
    }

    public String group(String title, String... members) {
        Response r = post(
                "/api/v1/conversations",
                new JsonObject()
                        .put("type", "group")
                        .put("title", title)
                        .put("members", new io.vertx.core.json.JsonArray(java.util.List.of((Object[]) members))));
        if (r.status() != 201) {
            throw new IllegalStateException("group: " + r);
        }
        return r.json().getString("id");
    }
}
