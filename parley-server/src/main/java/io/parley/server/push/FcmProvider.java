package io.parley.server.push;

import io.parley.server.config.Config;
import io.parley.server.store.PushDevice;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Firebase Cloud Messaging, HTTP v1 API: {@code POST {endpoint}/v1/projects/{project_id}/messages:send} with a
 * service account's OAuth2 bearer token ({@link GoogleAccessTokens}).
 * <p>
 * The message: a notification ({@code notification.title}/{@code body}, Android {@code tag} and {@code collapse_key}
 * = the conversation id, {@code notification_count} = the user's unread total, {@link PushMessage#badge}) with the same
 * facts as string {@code data} ({@code type=message}, {@code conversationId}, {@code latestSeq}, {@code count},
 * {@code badge}) for the app; a {@code clear} is a data-only message ({@code type=clear}, with the new {@code badge})
 * the app handles by removing that conversation's notifications and setting its badge.
 * <p>
 * Verdicts: 200 delivered; 404 or the FCM error {@code UNREGISTERED} gone; 429 and 5xx retry (with Retry-After);
 * 401 makes a new access token and sends once more, a second 401 is failed; any other 4xx failed with the error's
 * {@code status} (e.g. {@code INVALID_ARGUMENT}) as reason.
 */
public final class FcmProvider implements PushProvider {
    private final URI sendUri;
    private final HttpClient http;
    private final GoogleAccessTokens tokens;
    private final ExecutorService executor = ProviderHttp.executor("parley-fcm");
    private final Config.Fcm config;
    private final Clock clock;

    /** {@code http}: the client's settings (tests add their trust); the provider adds its executor. */
    FcmProvider(Config.Fcm config, GoogleServiceAccount account, HttpClient.Builder http, Clock clock) {
        this.config = config;
        this.http = http.connectTimeout(config.timeout()).executor(executor).build();
        this.clock = clock;
        this.sendUri = URI.create(config.endpoint() + "/v1/projects/" + account.projectId() + "/messages:send");
        this.tokens = new GoogleAccessTokens(
                account,
                config.tokenUri() == null ? account.tokenUri() : config.tokenUri(),
                this.http,
                config.timeout(),
                clock);
    }

    /**
     * The provider {@code config} describes (it must be {@link Config.Fcm#enabled}): reads the service account file
     * now, so a bad file is a start error ({@link io.parley.server.config.ConfigException} naming the key).
     */
    public static FcmProvider create(Config.Fcm config) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("FCM is not configured (push.fcm.service-account-file)");
        }
        return new FcmProvider(
                config,
                GoogleServiceAccount.read(config.serviceAccountFile()),
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2),
                Clock.systemUTC());
    }

    @Override
    public PushDevice.Platform platform() {
        return PushDevice.Platform.FCM;
    }

    @Override
    public CompletableFuture<PushResult> send(PushDevice device, PushMessage message) {
        String body = message(device.token(), message).encode();
        return attempt(body, true);
    }

    private CompletableFuture<PushResult> attempt(String body, boolean mayRefresh) {
        return tokens.token()
                .thenCompose(token -> http.sendAsync(
                                HttpRequest.newBuilder(sendUri)
                                        .timeout(config.timeout())
                                        .header("Authorization", "Bearer " + token)
                                        .header("Content-Type", "application/json; charset=UTF-8")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .handle((r, t) -> new Answer(token, r, t)))
                .handle((a, t) -> {
                    if (t != null) {
                        Throwable c = t.getCause() != null ? t.getCause() : t;
                        if (c instanceof GoogleAccessTokens.Unavailable u) {
                            return CompletableFuture.completedFuture(u.result);
                        }
                        return CompletableFuture.<PushResult>failedFuture(c);
                    }
                    if (a.failure != null) {
                        return CompletableFuture.completedFuture(ProviderHttp.transportFailure(a.failure));
                    }
                    if (a.response.statusCode() == 401 && mayRefresh) {
                        tokens.invalidate(a.token);
                        return attempt(body, false);
                    }
                    return CompletableFuture.completedFuture(verdict(a.response));
                })
                .thenCompose(f -> f);
    }

    private record Answer(String token, HttpResponse<String> response, Throwable failure) {}

    private PushResult verdict(HttpResponse<String> r) {
        int s = r.statusCode();
        if (s == 200) {
            return PushResult.delivered(s);
        }
        JsonObject error = error(r.body());
        String status = error.getString("status", "HTTP " + s);
        String code = fcmErrorCode(error);
        if (s == 404 || "UNREGISTERED".equals(code)) {
            return new PushResult(PushResult.Kind.GONE, s, null, code != null ? code : status);
        }
        if (s == 429 || s >= 500) {
            return new PushResult(
                    PushResult.Kind.RETRY, s, ProviderHttp.retryAfter(r, clock), code != null ? code : status);
        }
        return new PushResult(PushResult.Kind.FAILED, s, null, code != null ? status + " " + code : status);
    }

    /** {@code {"error": {"code", "message", "status", "details": [...]}}} (google.rpc.Status), or empty. */
    private static JsonObject error(String body) {
        try {
            Object e = new JsonObject(body).getValue("error");
            return e instanceof JsonObject o ? o : new JsonObject();
        } catch (DecodeException | ClassCastException e) {
            return new JsonObject();
        }
    }

    /** The FcmError detail's {@code errorCode} (UNREGISTERED, QUOTA_EXCEEDED, ...), or null. */
    private static String fcmErrorCode(JsonObject error) {
        if (!(error.getValue("details") instanceof JsonArray details)) {
            return null;
        }
        for (Object d : details) {
            if (d instanceof JsonObject o
                    && String.valueOf(o.getValue("@type")).endsWith("google.firebase.fcm.v1.FcmError")
                    && o.getValue("errorCode") instanceof String c) {
                return c;
            }
        }
        return null;
    }

    /** The v1 {@code {"message": ...}} for one device (FCM data values are strings). */
    static JsonObject message(String token, PushMessage m) {
        JsonObject data = new JsonObject()
                .put("type", m.clear() ? "clear" : "message")
                .put("conversationId", m.conversationId())
                .put("latestSeq", Long.toString(m.latestSeq()))
                .put("count", Integer.toString(m.count()))
                .put("badge", Integer.toString(m.badge()));
        JsonObject msg = new JsonObject().put("token", token).put("data", data);
        JsonObject android = new JsonObject().put("collapse_key", m.conversationId());
        if (m.clear()) {
            android.put("priority", "NORMAL");
        } else {
            msg.put("notification", new JsonObject().put("title", m.title()).put("body", m.body()));
            android.put("priority", "HIGH")
                    .put(
                            "notification",
                            new JsonObject().put("tag", m.conversationId()).put("notification_count", m.badge()));
        }
        return new JsonObject().put("message", msg.put("android", android));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
