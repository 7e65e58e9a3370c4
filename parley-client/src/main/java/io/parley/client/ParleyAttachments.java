package io.parley.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Attachments over REST (docs/api.md "Attachments"): {@link #upload} asks for a slot, PUTs the file to its signed URL
 * (streamed from disk, with progress) and finalizes it; {@link #send} sends a message that refers to uploaded files;
 * {@link #download} streams one to a file (with progress) through the members-only download endpoint. Answers are the
 * server's JSON ({@code id}, {@code status}, ...); a refusal completes exceptionally with {@link ParleyException}
 * carrying the documented code.
 */
public final class ParleyAttachments {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final Supplier<String> tokens;
    private final HttpClient http;

    private ParleyAttachments(URI base, Supplier<String> tokens, HttpClient http) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.tokens = tokens;
        this.http = http;
    }

    public static ParleyAttachments create(URI base, Supplier<String> tokens) {
        return new ParleyAttachments(
                Objects.requireNonNull(base, "base"),
                Objects.requireNonNull(tokens, "tokens"),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    /** Slot, PUT (progress: bytes sent so far), finalize: the finalized attachment. Blocking parts run async. */
    public CompletableFuture<JsonNode> upload(
            String conversationId, Path file, String name, String contentType, LongConsumer progress) {
        return CompletableFuture.supplyAsync(() -> {
            long size = size(file);
            ObjectNode req = JSON.createObjectNode()
                    .put("name", name)
                    .put("contentType", contentType)
                    .put("size", size);
            JsonNode slot = api("POST", "/conversations/" + conversationId + "/attachments", req);
            JsonNode up = slot.get("upload");
            URI url = resolve(up.get("url").asText());
            HttpRequest put = HttpRequest.newBuilder(url)
                    .timeout(Duration.ofMinutes(30))
                    .header("Content-Type", contentType)
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(counting(file, progress), size))
                    .build();
            HttpResponse<String> r = send(put, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw refusal(r.statusCode(), r.body());
            }
            return api("POST", "/attachments/" + slot.get("id").asText() + "/finalize", null);
        });
    }

    /** Sends a message with these attachments and an optional caption: the ack, with the attachment events. */
    public CompletableFuture<JsonNode> send(
            String conversationId, String clientMsgId, String caption, List<String> attachmentIds) {
        return CompletableFuture.supplyAsync(() -> {
            ObjectNode req = JSON.createObjectNode().put("clientMsgId", clientMsgId);
            if (caption != null) {
                req.put("caption", caption);
            }
            ArrayNode ids = req.putArray("attachments");
            attachmentIds.forEach(ids::add);
            return api("POST", "/conversations/" + conversationId + "/attachment-messages", req);
        });
    }

    /** The attachment's metadata and status. */
    public CompletableFuture<JsonNode> info(String attachmentId) {
        return CompletableFuture.supplyAsync(() -> api("GET", "/attachments/" + attachmentId, null));
    }

    /** Streams the attachment (or its thumbnail) to {@code target}; progress gets the bytes received so far. */
    public CompletableFuture<Path> download(
            String attachmentId, boolean thumbnail, Path target, LongConsumer progress) {
        return CompletableFuture.supplyAsync(() -> {
            JsonNode d = api(
                    "GET",
                    "/attachments/" + attachmentId + "/download?redirect=false" + (thumbnail ? "&thumbnail=true" : ""),
                    null);
            HttpRequest get = HttpRequest.newBuilder(resolve(d.get("url").asText()))
                    .timeout(Duration.ofMinutes(30))
                    .GET()
                    .build();
            HttpResponse<InputStream> r = send(get, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw refusal(
                            r.statusCode(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                }
                try (OutputStream out = Files.newOutputStream(target)) {
                    byte[] buf = new byte[64 * 1024];
                    long total = 0;
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        total += n;
                        progress.accept(total);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return target;
        });
    }

    private URI resolve(String url) {
        URI u = URI.create(url);
        return u.isAbsolute() ? u : URI.create(base + url);
    }

    private JsonNode api(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1" + path))
                .timeout(TIMEOUT)
                .header("accept", "application/json");
        String token = tokens.get();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw refusal(r.statusCode(), r.body());
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new ParleyException("bad_response", method + " " + path + ": " + e.getMessage(), r.statusCode());
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new ParleyException(
                    "network", request.method() + " " + request.uri().getPath() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException("network", "interrupted");
        }
    }

    private static ParleyException refusal(int status, String body) {
        try {
            JsonNode e = JSON.readTree(body).get("error");
            if (e != null) {
                return new ParleyException(
                        e.path("code").asText(), e.path("message").asText(), status);
            }
        } catch (IOException | RuntimeException ignored) {
            // Not the API's JSON (an S3 error document): reported by status below.
        }
        return new ParleyException(status == 403 ? "forbidden" : "bad_response", "HTTP " + status, status);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's bytes as the PUT's body, counting what the HTTP client has taken. */
    private static Flow.Publisher<ByteBuffer> counting(Path file, LongConsumer progress) {
        HttpRequest.BodyPublisher inner;
        try {
            inner = HttpRequest.BodyPublishers.ofFile(file);
        } catch (java.io.FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
        return subscriber -> inner.subscribe(new Flow.Subscriber<>() {
            private long sent;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscriber.onSubscribe(s);
            }

            @Override
            public void onNext(ByteBuffer item) {
                sent += item.remaining();
                subscriber.onNext(item);
                progress.accept(sent);
            }

            @Override
            public void onError(Throwable t) {
                subscriber.onError(t);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        });
    }
}
