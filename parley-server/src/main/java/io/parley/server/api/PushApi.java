package io.parley.server.api;

import io.parley.protocol.ErrorCode;
import io.parley.server.chat.ChatException;
import io.parley.server.push.PushSettings;
import io.parley.server.push.VapidKeys;
import io.parley.server.store.NotifyLevel;
import io.parley.server.store.StoreException;
import io.parley.server.wire.Frames;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The caller's notification settings and the Web Push key (docs/api.md, "Notifications"): the notify level per
 * conversation, do-not-disturb, and the VAPID public key a browser subscribes with. Mounted after {@link RestApi}, so
 * every route is authenticated. Input is checked before anything is stored: a level other than all, mentions, none
 * or default, or a {@code doNotDisturbUntil} that is neither null nor an ISO-8601 instant, is 400 {@code
 * invalid_field}; a conversation the caller is not a member of is 404 {@code conversation_not_found}.
 */
public final class PushApi {
    /** The latest do-not-disturb end accepted: a year ahead (longer is "mute", a notify level). */
    static final long MAX_DND_MILLIS = 366L * 24 * 3600 * 1000;

    private final PushSettings store;
    private final VapidKeys vapid;
    private final Clock clock;

    public PushApi(PushSettings store, VapidKeys vapid, Clock clock) {
        this.store = store;
        this.vapid = vapid;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.put("/api/v1/conversations/:id/notifications").handler(this::setLevel);
        router.get("/api/v1/me/notifications").handler(this::dnd);
        router.put("/api/v1/me/notifications").handler(this::setDnd);
        router.get("/api/v1/push/vapid-public-key")
                .handler(ctx -> Http.json(ctx, 200, new JsonObject().put("publicKey", vapid.publicKeyBase64Url())));
    }

    private void setLevel(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            String me = Http.principal(ctx).userId();
            String id = ctx.pathParam("id");
            String wire = Http.string(Http.body(ctx), "level", 16);
            NotifyLevel level = NotifyLevel.of(wire);
            if (level == null && !wire.equals("default")) {
                throw new Http.BadRequest(
                        ErrorCode.INVALID_FIELD, "field 'level' must be one of all, mentions, none, default");
            }
            CompletableFuture<JsonObject> done = store.setNotify(id, me, level)
                    .thenApply(kind -> new JsonObject()
                            .put("level", wire)
                            .put(
                                    "effectiveLevel",
                                    NotifyLevel.effective(level, kind).wire()))
                    .exceptionallyCompose(err -> {
                        Throwable c =
                                err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                        if (c instanceof StoreException.NotFound) {
                            return CompletableFuture.failedFuture(new ChatException(
                                    ErrorCode.CONVERSATION_NOT_FOUND, "no conversation '" + id + "' of yours"));
                        }
                        return CompletableFuture.failedFuture(c);
                    });
            Http.respond(ctx, done, body -> Http.json(ctx, 200, body));
        });
    }

    private void dnd(RoutingContext ctx) {
        String me = Http.principal(ctx).userId();
        Http.respond(ctx, store.doNotDisturbUntil(me), until -> Http.json(ctx, 200, dndBody(until)));
    }

    private void setDnd(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            String me = Http.principal(ctx).userId();
            JsonObject body = Http.body(ctx);
            if (!body.containsKey("doNotDisturbUntil")) {
                throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing field 'doNotDisturbUntil'");
            }
            Object raw = body.getValue("doNotDisturbUntil");
            Long until = null;
            if (raw != null) {
                if (!(raw instanceof String s)) {
                    throw new Http.BadRequest(
                            ErrorCode.INVALID_FIELD,
                            "field 'doNotDisturbUntil' must be an ISO-8601 instant (2026-01-02T03:04:05Z) or null");
                }
                until = instant(s);
            }
            Long stored = until;
            Http.respond(ctx, store.setDoNotDisturbUntil(me, stored), v -> Http.json(ctx, 200, dndBody(stored)));
        });
    }

    private long instant(String s) {
        long at;
        try {
            at = Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new Http.BadRequest(
                    ErrorCode.INVALID_FIELD,
                    "field 'doNotDisturbUntil' must be an ISO-8601 instant (2026-01-02T03:04:05Z) or null");
        }
        if (at > clock.millis() + MAX_DND_MILLIS) {
            throw new Http.BadRequest(
                    ErrorCode.INVALID_FIELD,
                    "field 'doNotDisturbUntil' must be at most a year ahead (to silence a conversation for good, "
                            + "set its notify level to none)");
        }
        return at;
    }

    private static JsonObject dndBody(Long until) {
        return new JsonObject().put("doNotDisturbUntil", until == null ? null : Frames.time(until));
    }
}
