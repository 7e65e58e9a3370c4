package io.parley.server.api;

import static io.parley.server.api.Http.guard;
import static io.parley.server.api.Http.respond;
import static io.parley.server.api.Http.user;

import io.parley.protocol.ErrorCode;
import io.parley.server.config.Config;
import io.parley.server.moderation.ModerationQueue;
import io.parley.server.moderation.ModerationService;
import io.parley.server.store.ModerationStore;
import io.parley.server.store.ModerationStore.AdminAudit;
import io.parley.server.store.ModerationStore.Mute;
import io.parley.server.store.ModerationStore.QueueItem;
import io.parley.server.store.ModerationStore.Report;
import io.parley.server.wire.Frames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;

/**
 * Server administration and moderation (docs/api.md, "Administration and moderation"): bans, the reports, the
 * moderation queue (list, approve, reject) and the server-wide audit log under {@code /api/v1/admin} (server admins only: anyone else gets 403 {@code forbidden},
 * whatever the target), mutes of conversation members and reports of messages. Mounted after {@link RestApi}, so
 * every route here is authenticated.
 */
public final class ModerationApi {
    private final ModerationService moderation;
    private final ModerationQueue queue;
    private final Config config;

    public ModerationApi(ModerationService moderation, ModerationQueue queue, Config config) {
        this.moderation = moderation;
        this.queue = queue;
        this.config = config;
    }

    public void mount(Router router) {
        router.put("/api/v1/admin/users/:userId/ban").handler(ctx -> ban(ctx, true));
        router.delete("/api/v1/admin/users/:userId/ban").handler(ctx -> ban(ctx, false));
        router.get("/api/v1/admin/audit").handler(this::audit);
        router.get("/api/v1/admin/reports").handler(this::reports);
        router.get("/api/v1/admin/queue").handler(this::queue);
        router.post("/api/v1/admin/queue/:itemId/approve").handler(ctx -> decide(ctx, true));
        router.post("/api/v1/admin/queue/:itemId/reject").handler(ctx -> decide(ctx, false));
        router.put("/api/v1/conversations/:id/members/:userId/mute").handler(this::mute);
        router.delete("/api/v1/conversations/:id/members/:userId/mute").handler(this::unmute);
        router.post("/api/v1/conversations/:id/messages/:messageId/report").handler(this::report);
    }

    private void ban(RoutingContext ctx, boolean banned) {
        String target = ctx.pathParam("userId");
        respond(
                ctx,
                moderation.ban(user(ctx), target, banned),
                changed -> Http.json(
                        ctx,
                        200,
                        new JsonObject()
                                .put("userId", target)
                                .put("banned", banned)
                                .put("changed", changed)));
    }

    private void audit(RoutingContext ctx) {
        paged(ctx, (before, limit) -> moderation.auditLog(user(ctx), before, limit), ModerationApi::audit, "entries");
    }

    private void reports(RoutingContext ctx) {
        paged(ctx, (before, limit) -> moderation.reports(user(ctx), before, limit), ModerationApi::report, "reports");
    }

    private static final java.util.Set<String> STATUSES =
            java.util.Set.of(ModerationStore.PENDING, ModerationStore.APPROVED, ModerationStore.REJECTED, "all");

    private void queue(RoutingContext ctx) {
        guard(ctx, () -> {
            String status = ctx.request().getParam("status");
            if (status == null) {
                status = ModerationStore.PENDING;
            }
            if (!STATUSES.contains(status)) {
                throw new Http.BadRequest(
                        ErrorCode.INVALID_FIELD, "query parameter 'status' must be pending, approved, rejected or all");
            }
            String wanted = status.equals("all") ? null : status;
            paged(
                    ctx,
                    (before, limit) -> queue.queue(user(ctx), wanted, before, limit),
                    ModerationApi::queueItem,
                    "items");
        });
    }

    /** {@code itemId}: a queue entry's id; anything that is not one is an unknown id (after the admin check). */
    private void decide(RoutingContext ctx, boolean approve) {
        guard(ctx, () -> {
            String note = null;
            if (ctx.body() != null && ctx.body().length() > 0) {
                note = Http.optString(Http.body(ctx), "note", 4 * ModerationQueue.MAX_NOTE);
            }
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("itemId"));
            } catch (NumberFormatException e) {
                id = -1;
            }
            respond(
                    ctx,
                    queue.decide(user(ctx), id, approve, note),
                    d -> Http.json(ctx, 200, new JsonObject().put("item", queueItem(d.item()))));
        });
    }

    private void mute(RoutingContext ctx) {
        guard(ctx, () -> {
            JsonObject body = Http.body(ctx);
            if (!body.containsKey("until")) {
                throw new Http.BadRequest(
                        ErrorCode.MISSING_FIELD, "missing field 'until' (an ISO-8601 time, or null: until unmuted)");
            }
            Long until = null;
            Object v = body.getValue("until");
            if (v != null) {
                if (!(v instanceof String s)) {
                    throw new Http.BadRequest(
                            ErrorCode.INVALID_FIELD, "field 'until' must be an ISO-8601 time or null");
                }
                try {
                    until = Instant.parse(s).toEpochMilli();
                } catch (DateTimeParseException | ArithmeticException e) {
                    throw new Http.BadRequest(
                            ErrorCode.INVALID_FIELD,
                            "field 'until' must be an ISO-8601 time like 2030-01-01T00:00:00Z, got '" + s + "'");
                }
            }
            respond(
                    ctx,
                    moderation.mute(user(ctx), ctx.pathParam("id"), ctx.pathParam("userId"), until),
                    m -> Http.json(ctx, 200, mute(m)));
        });
    }

    private void unmute(RoutingContext ctx) {
        respond(
                ctx,
                moderation.unmute(user(ctx), ctx.pathParam("id"), ctx.pathParam("userId")),
                was -> Http.json(ctx, 200, new JsonObject().put("unmuted", was)));
    }

    private void report(RoutingContext ctx) {
        guard(ctx, () -> {
            String reason = Http.string(Http.body(ctx), "reason", 4 * ModerationService.MAX_REASON);
            respond(
                    ctx,
                    moderation.report(ctx.pathParam("id"), user(ctx), ctx.pathParam("messageId"), reason),
                    r -> Http.json(ctx, r.created() ? 201 : 200, new JsonObject().put("report", report(r))));
        });
    }

    /** A page newest first: {@code before} (an id, exclusive) and {@code limit}, then {@code hasMore}. */
    private <T> void paged(
            RoutingContext ctx,
            java.util.function.BiFunction<Long, Integer, java.util.concurrent.CompletableFuture<List<T>>> read,
            Function<T, JsonObject> shape,
            String field) {
        guard(ctx, () -> {
            Long before = Http.longParam(ctx, "before");
            Long limitParam = Http.longParam(ctx, "limit");
            int limit = limitParam == null
                    ? config.limits().defaultPageSize()
                    : (int) Math.max(1, Math.min(limitParam, config.limits().maxPageSize()));
            respond(ctx, read.apply(before == null ? Long.MAX_VALUE : before, limit + 1), rows -> {
                boolean hasMore = rows.size() > limit;
                JsonArray a = new JsonArray();
                for (T row : hasMore ? rows.subList(0, limit) : rows) {
                    a.add(shape.apply(row));
                }
                Http.json(ctx, 200, new JsonObject().put(field, a).put("hasMore", hasMore));
            });
        });
    }

    private static JsonObject audit(AdminAudit e) {
        return new JsonObject()
                .put("id", e.id())
                .put("actorId", e.actorId())
                .put("action", e.action())
                .put("targetUserId", e.targetUserId())
                .put("conversationId", e.conversationId())
                .put("targetMessageId", e.targetMessageId())
                .put("detail", e.detail())
                .put("at", Frames.time(e.createdAt()));
    }

    private static JsonObject report(Report r) {
        return new JsonObject()
                .put("id", r.id())
                .put("conversationId", r.conversationId())
                .put("messageId", r.messageId())
                .put("senderId", r.senderId())
                .put("reporterId", r.reporterId())
                .put("reason", r.reason())
                .put("at", Frames.time(r.createdAt()));
    }

    /** A queue entry as admins see it (docs/api.md, "The moderation queue"). */
    private static JsonObject queueItem(QueueItem i) {
        return new JsonObject()
                .put("id", i.id())
                .put("kind", i.kind())
                .put("status", i.status())
                .put("conversationId", i.conversationId())
                .put("senderId", i.senderId())
                .put("reporterId", i.reporterId())
                .put("clientMsgId", i.clientMsgId())
                .put("messageId", i.messageId())
                .put("body", i.body())
                .put("replyTo", i.replyTo())
                .put("reason", i.reason())
                .put("seq", i.seq())
                .put("decidedBy", i.decidedBy())
                .put("decidedAt", i.decidedAt() == null ? null : Frames.time(i.decidedAt()))
                .put("note", i.note())
                .put("at", Frames.time(i.createdAt()));
    }

    private static JsonObject mute(Mute m) {
        return new JsonObject()
                .put("conversationId", m.conversationId())
                .put("userId", m.userId())
                .put("until", m.untilMillis() == null ? null : Frames.time(m.untilMillis()))
                .put("mutedBy", m.mutedBy());
    }
}
