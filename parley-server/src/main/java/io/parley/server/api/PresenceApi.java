package io.parley.server.api;

import static io.parley.server.api.Http.guard;
import static io.parley.server.api.Http.respond;
import static io.parley.server.api.Http.user;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.presence.PresenceHub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** Presence lookups: only of yourself and of users who share a conversation with you. */
final class PresenceApi {
    private final PresenceHub hub;

    PresenceApi(PresenceHub hub) {
        this.hub = hub;
    }

    void mount(Router router) {
        router.get("/api/v1/presence/:userId")
                .handler(ctx -> respond(ctx, hub.lookup(user(ctx), List.of(ctx.pathParam("userId"))), entries -> {
                    if (entries.isEmpty()) {
                        Http.error(ctx, ErrorCode.USER_NOT_FOUND, "no such user among your conversations");
                    } else {
                        Http.json(ctx, 200, entryJson(entries.get(0)));
                    }
                }));
        router.post("/api/v1/presence/query").handler(this::query);
    }

    private void query(RoutingContext ctx) {
        guard(ctx, () -> {
            Object v = Http.body(ctx).getValue("userIds");
            if (v == null) {
                throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing field 'userIds'");
            }
            if (!(v instanceof JsonArray arr) || arr.size() > FrameCodec.MAX_PRESENCE_QUERY) {
                throw new Http.BadRequest(
                        ErrorCode.INVALID_FIELD,
                        "field 'userIds' must be an array of at most " + FrameCodec.MAX_PRESENCE_QUERY + " user ids");
            }
            List<String> ids = new ArrayList<>();
            for (Object o : arr) {
                if (!(o instanceof String s) || s.isEmpty() || s.length() > FrameCodec.MAX_ID_LENGTH) {
                    throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field 'userIds' must hold user ids");
                }
                ids.add(s);
            }
            respond(ctx, hub.lookup(user(ctx), ids), entries -> {
                JsonArray a = new JsonArray();
                entries.forEach(e -> a.add(entryJson(e)));
                Http.json(ctx, 200, new JsonObject().put("users", a));
            });
        });
    }

    private static JsonObject entryJson(ServerFrame.PresenceEntry e) {
        return new JsonObject()
                .put("userId", e.userId())
                .put("status", e.status())
                .put("lastSeen", e.lastSeen());
    }
}
