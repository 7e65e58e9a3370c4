package io.parley.server.api;

import io.parley.protocol.ErrorCode;
import io.parley.server.auth.Principal;
import io.parley.server.chat.ChatException;
import io.parley.server.store.PushDevice;
import io.parley.server.store.SessionStore;
import io.parley.server.store.StoreException;
import io.parley.server.wire.Frames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * Push targets of the caller's device session (docs/api.md, "Devices"): register, list, delete. Mounted after
 * {@link RestApi}, so every route is authenticated. Input is checked here, before anything is stored: a platform that
 * is not {@code webpush}, {@code fcm} or {@code apns}, a Web Push subscription that is not an https endpoint with a
 * P-256 public key and a 16-byte auth secret, or a token of the wrong shape or size is 400 {@code invalid_field}.
 */
public final class DeviceApi {
    /** Longest FCM registration token accepted (they are about 160 characters today). */
    static final int MAX_FCM_TOKEN = 1024;
    /** Longest Web Push endpoint URL accepted. */
    static final int MAX_ENDPOINT = 2000;

    private static final Pattern APNS_TOKEN = Pattern.compile("[0-9a-fA-F]{64,200}");
    private static final Pattern FCM_TOKEN = Pattern.compile("[A-Za-z0-9_:\\-.]+");

    private final SessionStore store;
    private final Clock clock;

    public DeviceApi(SessionStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.post("/api/v1/devices").handler(this::register);
        router.get("/api/v1/devices").handler(this::list);
        router.delete("/api/v1/devices/:id").handler(this::remove);
    }

    static JsonObject json(PushDevice d) {
        return new JsonObject()
                .put("id", d.id())
                .put("platform", d.platform().wire())
                .put("sessionId", d.sessionId())
                .put("createdAt", Frames.time(d.createdAt()));
    }

    private void register(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            Principal me = Http.principal(ctx);
            JsonObject body = Http.body(ctx);
            String platformName = Http.string(body, "platform", 16);
            PushDevice.Platform platform = PushDevice.Platform.of(platformName);
            if (platform == null) {
                throw new Http.BadRequest(
                        ErrorCode.INVALID_FIELD, "field 'platform' must be one of webpush, fcm, apns");
            }
            if (me.sessionId() == null) {
                throw new Http.BadRequest(
                        ErrorCode.BAD_REQUEST,
                        "this token names no session (no sid or jti claim): devices belong to" + " a session");
            }
            String token = platform == PushDevice.Platform.WEBPUSH ? subscription(body) : token(body, platform);
            PushDevice d = new PushDevice(
                    "dev_" + java.util.UUID.randomUUID(), me.userId(), me.sessionId(), platform, token, clock.millis());
            CompletableFuture<PushDevice> done = store.addDevice(d).exceptionallyCompose(err -> {
                Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                if (c instanceof StoreException.NotFound) {
                    return CompletableFuture.failedFuture(
                            new ChatException(ErrorCode.SESSION_REVOKED, "the session was revoked"));
                }
                return CompletableFuture.failedFuture(c);
            });
            Http.respond(ctx, done, stored -> Http.json(ctx, 201, json(stored)));
        });
    }

    private static String token(JsonObject body, PushDevice.Platform platform) {
        int max = platform == PushDevice.Platform.APNS ? 200 : MAX_FCM_TOKEN;
        String token = Http.string(body, "token", max);
        Pattern shape = platform == PushDevice.Platform.APNS ? APNS_TOKEN : FCM_TOKEN;
        if (!shape.matcher(token).matches()) {
            throw new Http.BadRequest(
                    ErrorCode.INVALID_FIELD,
                    platform == PushDevice.Platform.APNS
                            ? "field 'token' must be the APNs device token in hex (64 to 200 digits)"
                            : "field 'token' must be an FCM registration token (letters, digits, _ : - .)");
        }
        return platform == PushDevice.Platform.APNS ? token.toLowerCase(java.util.Locale.ROOT) : token;
    }

    /**
     * A Web Push subscription (the browser's PushSubscription.toJSON()), checked and stored in one canonical form, so
     * that the same subscription registered twice is one device.
     */
    static String subscription(JsonObject body) {
        Object raw = body.getValue("subscription");
        if (raw == null) {
            throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing field 'subscription'");
        }
        if (!(raw instanceof JsonObject sub)) {
            throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field 'subscription' must be an object");
        }
        String endpoint = Http.string(sub, "endpoint", MAX_ENDPOINT);
        try {
            URI u = new URI(endpoint);
            if ((!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) || u.getHost() == null) {
                throw new URISyntaxException(endpoint, "not an http(s) URL");
            }
        } catch (URISyntaxException e) {
            throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "subscription.endpoint must be an http(s) URL");
        }
        Object keysRaw = sub.getValue("keys");
        if (!(keysRaw instanceof JsonObject keys)) {
            throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "subscription.keys must be an object");
        }
        String p256dh = Http.string(keys, "p256dh", 200);
        String auth = Http.string(keys, "auth", 100);
        byte[] pub = base64url(p256dh, "subscription.keys.p256dh");
        if (pub.length != 65 || pub[0] != 0x04) {
            throw new Http.BadRequest(
                    ErrorCode.INVALID_FIELD,
                    "subscription.keys.p256dh must be an uncompressed P-256 public key (65 bytes, base64url)");
        }
        if (base64url(auth, "subscription.keys.auth").length != 16) {
            throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "subscription.keys.auth must be 16 bytes, base64url");
        }
        return new JsonObject()
                .put("endpoint", endpoint)
                .put("keys", new JsonObject().put("p256dh", p256dh).put("auth", auth))
                .encode();
    }

    private static byte[] base64url(String s, String field) {
        try {
            return Base64.getUrlDecoder().decode(s.replace("=", ""));
        } catch (IllegalArgumentException e) {
            throw new Http.BadRequest(ErrorCode.INVALID_FIELD, field + " must be base64url");
        }
    }

    private void list(RoutingContext ctx) {
        Principal me = Http.principal(ctx);
        Http.respond(ctx, store.devices(me.userId()), list -> {
            JsonArray a = new JsonArray();
            list.forEach(d -> a.add(json(d)));
            Http.json(ctx, 200, new JsonObject().put("devices", a));
        });
    }

    private void remove(RoutingContext ctx) {
        Principal me = Http.principal(ctx);
        String id = ctx.pathParam("id");
        Http.respond(ctx, store.removeDevice(me.userId(), id), removed -> {
            if (!removed) {
                Http.error(ctx, ErrorCode.DEVICE_NOT_FOUND, "no device '" + id + "' of yours");
                return;
            }
            ctx.response().setStatusCode(204).end();
        });
    }
}
