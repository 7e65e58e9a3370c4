package io.parley.server.push;

import io.parley.server.store.PushDevice;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * Web Push (RFC 8030) with the payload encrypted for the browser (RFC 8291) and the VAPID authorization (RFC 8292),
 * on a JDK HTTP client of its own. The device's token is the subscription JSON ({@code DeviceApi} stored it in one
 * canonical form). The body is the {@link PushMessage} as JSON ({@code type, conversationId, title, body, count,
 * latestSeq, clear, badge}; docs/api.md, "Push payloads"; {@code badge} is the user's unread total, which the service
 * worker sets as the app badge); the {@code Topic} is the conversation, so a later push (and a repeat after a
 * crash) replaces one the push service still holds; {@code Urgency} is {@code normal}, a clear's {@code low}.
 * Answers: 200, 201, 202 delivered; 404, 410 gone; 429 and 5xx retry (with Retry-After); other 4xx failed; no answer
 * retry.
 */
public final class WebPushProvider implements PushProvider {
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private final Duration timeout;
    private final Duration ttl;
    private final Clock clock;
    private final ExecutorService executor;
    private final HttpClient client;
    private final VapidTokens tokens;

    public WebPushProvider(VapidKeys vapid, String subject, Duration timeout, Duration ttl, Clock clock) {
        this.timeout = timeout;
        this.ttl = ttl;
        this.clock = clock;
        this.tokens = new VapidTokens(vapid, subject, clock);
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "parley-webpush");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder()
                .executor(executor)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public PushDevice.Platform platform() {
        return PushDevice.Platform.WEBPUSH;
    }

    @Override
    public CompletableFuture<PushResult> send(PushDevice device, PushMessage message) {
        HttpRequest request;
        try {
            JsonObject sub = new JsonObject(device.token());
            JsonObject keys = sub.getJsonObject("keys");
            WebPushRequest.Subscription s = WebPushRequest.Subscription.of(
                    sub.getString("endpoint"), keys.getString("p256dh"), keys.getString("auth"));
            HttpRequest built = WebPushRequest.build(
                    s,
                    payload(message).getBytes(StandardCharsets.UTF_8),
                    ttl,
                    message.clear() ? "low" : "normal",
                    topic(message.conversationId()),
                    tokens.authorization(s.endpoint()));
            request = HttpRequest.newBuilder(built, (n, v) -> true)
                    .timeout(timeout)
                    .build();
        } catch (RuntimeException e) {
            // A subscription that cannot be used (DeviceApi checks its shape; the keys may still be off the curve).
            return CompletableFuture.completedFuture(
                    new PushResult(PushResult.Kind.FAILED, 0, null, "unusable subscription: " + e.getMessage()));
        }
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((r, err) -> err != null
                        ? new PushResult(PushResult.Kind.RETRY, 0, null, rootMessage(err))
                        : result(
                                r.statusCode(),
                                r.headers().firstValue("Retry-After").orElse(null),
                                clock));
    }

    /** The body the service worker receives. */
    static String payload(PushMessage m) {
        return new JsonObject()
                .put("type", m.clear() ? "clear" : "message")
                .put("conversationId", m.conversationId())
                .put("title", m.title())
                .put("body", m.body())
                .put("count", m.count())
                .put("latestSeq", m.latestSeq())
                .put("clear", m.clear())
                .put("badge", m.badge())
                .encode();
    }

    /** The conversation id as an RFC 8030 topic: itself when it fits, else 32 characters of its SHA-256. */
    static String topic(String conversationId) {
        if (TOPIC.matcher(conversationId).matches()) {
            return conversationId;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(conversationId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(h).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }

    static PushResult result(int status, String retryAfter, Clock clock) {
        if (status >= 200 && status < 300) {
            return PushResult.delivered(status);
        }
        if (status == 404 || status == 410) {
            return new PushResult(PushResult.Kind.GONE, status, null, "subscription expired or unsubscribed");
        }
        if (status == 429 || status >= 500) {
            return new PushResult(PushResult.Kind.RETRY, status, retryAfter(retryAfter, clock), "HTTP " + status);
        }
        return new PushResult(PushResult.Kind.FAILED, status, null, "HTTP " + status);
    }

    /** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3); null when absent or unreadable. */
    static Duration retryAfter(String v, Clock clock) {
        if (v == null || v.isBlank()) {
            return null;
        }
        String t = v.trim();
        if (t.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        try {
            Duration d = Duration.between(
                    clock.instant(),
                    ZonedDateTime.parse(t, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String rootMessage(Throwable err) {
        Throwable c = err;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
