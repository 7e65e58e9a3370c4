package io.parley.server.api;

import static io.parley.server.api.Http.guard;
import static io.parley.server.api.Http.respond;
import static io.parley.server.api.Http.user;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.server.chat.ChatService;
import io.parley.server.config.Config;
import io.parley.server.limits.RateLimits;
import io.parley.server.store.Appended;
import io.parley.server.store.AuditEntry;
import io.parley.server.store.Changed;
import io.parley.server.store.LogEntry;
import io.parley.server.store.Member;
import io.parley.server.store.MessageVersion;
import io.parley.server.store.MessageView;
import io.parley.server.wire.Frames;
import io.parley.server.wire.RestShapes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** Messages of a conversation: history, send, edit, delete, reactions, replies, receipts, typing, audit log. */
final class MessageApi {
    private final ChatService chat;
    private final Config config;
    private final RateLimits limits;

    MessageApi(ChatService chat, Config config, RateLimits limits) {
        this.limits = limits;
        this.chat = chat;
        this.config = config;
    }

    void mount(Router router) {
        String c = "/api/v1/conversations/:id";
        String m = c + "/messages/:messageId";
        router.get(c + "/messages").handler(this::history);
        router.get(c + "/events").handler(this::events);
        router.post(c + "/messages").handler(this::send);
        router.get(m)
                .handler(ctx -> respond(
                        ctx,
                        chat.message(user(ctx), ctx.pathParam("id"), ctx.pathParam("messageId")),
                        v -> Http.json(ctx, 200, RestShapes.message(v))));
        router.patch(m).handler(this::edit);
        router.delete(m)
                .handler(ctx -> respond(
                        ctx,
                        limits.edit(
                                user(ctx),
                                () -> chat.delete(user(ctx), ctx.pathParam("id"), ctx.pathParam("messageId"))),
                        ch -> changed(ctx, ch)));
        router.get(m + "/edits")
                .handler(ctx -> respond(
                        ctx, chat.editHistory(user(ctx), ctx.pathParam("id"), ctx.pathParam("messageId")), versions -> {
                            JsonArray a = new JsonArray();
                            for (MessageVersion v : versions) {
                                a.add(new JsonObject()
                                        .put("seq", v.seq())
                                        .put("body", v.body())
                                        .put("at", Frames.time(v.at())));
                            }
                            Http.json(
                                    ctx,
                                    200,
                                    new JsonObject()
                                            .put("messageId", ctx.pathParam("messageId"))
                                            .put("versions", a));
                        }));
        router.get(m + "/replies").handler(this::replies);
        router.put(m + "/reactions/:emoji").handler(ctx -> react(ctx, true));
        router.delete(m + "/reactions/:emoji").handler(ctx -> react(ctx, false));
        router.get(m + "/receipts").handler(this::messageReceipts);
        router.get(c + "/receipts")
                .handler(ctx -> respond(
                        ctx,
                        chat.receipts(user(ctx), ctx.pathParam("id")),
                        members ->
                                Http.json(ctx, 200, new JsonObject().put("receipts", RestShapes.receipts(members)))));
        router.post(c + "/read").handler(this::markRead);
        router.post(c + "/typing").handler(this::typing);
        router.get(c + "/audit").handler(this::audit);
    }

    private int limit(RoutingContext ctx) {
        Long limitParam = Http.longParam(ctx, "limit");
        return limitParam == null
                ? config.limits().defaultPageSize()
                : (int) Math.max(1, Math.min(limitParam, config.limits().maxPageSize()));
    }

    private void history(RoutingContext ctx) {
        if (ctx.request().getParam("around") != null) {
            around(ctx);
            return;
        }
        paged(
                ctx,
                (before, after, limit) -> chat.messages(user(ctx), ctx.pathParam("id"), before, after, limit),
                "messages",
                MessageView::seq,
                RestShapes::message);
    }

    /**
     * {@code ?around=N}: the page with the message at seq N in its context (opening a search hit): up to limit/2
     * messages before N, and N with the ones after it filling the rest; hasMoreBefore and hasMoreAfter say whether
     * the conversation goes on beyond the page on each side.
     */
    private void around(RoutingContext ctx) {
        guard(ctx, () -> {
            if (ctx.request().getParam("before") != null || ctx.request().getParam("after") != null) {
                throw new Http.BadRequest(ErrorCode.BAD_REQUEST, "give 'around' without 'before' or 'after'");
            }
            long around = Http.longParam(ctx, "around");
            int limit = limit(ctx);
            int older = limit / 2;
            int newer = limit - older;
            String user = user(ctx);
            String id = ctx.pathParam("id");
            // Each read gives one row more than it asked for (the one furthest from N), which only says "more".
            java.util.concurrent.CompletableFuture<List<MessageView>> before =
                    chat.messages(user, id, around, null, older);
            respond(
                    ctx,
                    before.thenCombine(chat.messages(user, id, null, Math.max(0, around - 1), newer), List::of),
                    sides -> {
                        List<MessageView> up = sides.get(0);
                        List<MessageView> down = sides.get(1);
                        boolean moreBefore = up.size() > older;
                        boolean moreAfter = down.size() > newer;
                        List<MessageView> page = new ArrayList<>(up.subList(moreBefore ? 1 : 0, up.size()));
                        page.addAll(down.subList(0, moreAfter ? newer : down.size()));
                        JsonArray a = new JsonArray();
                        page.forEach(v -> a.add(RestShapes.message(v)));
                        JsonObject out = new JsonObject()
                                .put("messages", a)
                                .put("hasMore", moreBefore || moreAfter)
                                .put("hasMoreBefore", moreBefore)
                                .put("hasMoreAfter", moreAfter)
                                .put("limit", limit);
                        if (!page.isEmpty()) {
                            out.put("firstSeq", page.get(0).seq())
                                    .put("lastSeq", page.get(page.size() - 1).seq());
                        }
                        Http.json(ctx, 200, out);
                    });
        });
    }

    private void events(RoutingContext ctx) {
        paged(
                ctx,
                (before, after, limit) -> chat.events(user(ctx), ctx.pathParam("id"), before, after, limit),
                "events",
                LogEntry::seq,
                RestShapes::event);
    }

    /** Reads limit+1 rows around a before/after seq cursor; the extra row only says that there is more. */
    private interface PageRead<T> {
        java.util.concurrent.CompletableFuture<List<T>> read(Long before, Long after, int limit);
    }

    private <T> void paged(
            RoutingContext ctx,
            PageRead<T> read,
            String field,
            java.util.function.ToLongFunction<T> seq,
            java.util.function.Function<T, JsonObject> json) {
        guard(ctx, () -> {
            Long before = Http.longParam(ctx, "before");
            Long after = Http.longParam(ctx, "after");
            if (before != null && after != null) {
                throw new Http.BadRequest(ErrorCode.BAD_REQUEST, "give at most one of 'before' and 'after'");
            }
            int limit = limit(ctx);
            respond(
                    ctx,
                    read.read(before, after, limit),
                    rows -> Http.json(ctx, 200, page(rows, limit, after != null, field, seq, json)));
        });
    }

    private void replies(RoutingContext ctx) {
        guard(ctx, () -> {
            Long after = Http.longParam(ctx, "after");
            int limit = limit(ctx);
            respond(
                    ctx,
                    chat.replies(
                            user(ctx),
                            ctx.pathParam("id"),
                            ctx.pathParam("messageId"),
                            after == null ? 0 : after,
                            limit),
                    rows -> Http.json(
                            ctx, 200, page(rows, limit, true, "messages", MessageView::seq, RestShapes::message)));
        });
    }

    /** limit+1 rows were read: the extra one, furthest from the cursor, only tells that there is more. */
    private static <T> JsonObject page(
            List<T> rows,
            int limit,
            boolean ascendingFromCursor,
            String field,
            java.util.function.ToLongFunction<T> seq,
            java.util.function.Function<T, JsonObject> json) {
        boolean hasMore = rows.size() > limit;
        List<T> page = new ArrayList<>(rows);
        if (hasMore) {
            page.remove(ascendingFromCursor ? page.size() - 1 : 0);
        }
        JsonArray a = new JsonArray();
        page.forEach(v -> a.add(json.apply(v)));
        JsonObject out = new JsonObject().put(field, a).put("hasMore", hasMore).put("limit", limit);
        if (!page.isEmpty()) {
            out.put("firstSeq", seq.applyAsLong(page.get(0)))
                    .put("lastSeq", seq.applyAsLong(page.get(page.size() - 1)));
        }
        return out;
    }

    private void send(RoutingContext ctx) {
        guard(ctx, () -> {
            JsonObject body = Http.body(ctx);
            String clientMsgId = Http.string(body, "clientMsgId", FrameCodec.MAX_ID_LENGTH);
            if (clientMsgId.isEmpty()) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field 'clientMsgId' must not be empty");
            }
            String text = Http.string(body, "body", Integer.MAX_VALUE);
            String replyTo = Http.optString(body, "replyTo", FrameCodec.MAX_ID_LENGTH);
            respond(
                    ctx,
                    limits.send(
                            user(ctx),
                            ctx.pathParam("id"),
                            () -> chat.send(user(ctx), ctx.pathParam("id"), clientMsgId, text, replyTo)),
                    (Appended a) -> {
                        if (a.isHeld()) {
                            // Held for review: 202, the held frame's fields (docs/api.md, "The moderation queue").
                            Http.json(ctx, 202, JsonObject.mapFrom(Frames.held(a.held(), a.duplicate())));
                        } else {
                            Http.json(ctx, a.duplicate() ? 200 : 201, JsonObject.mapFrom(Frames.ack(a)));
                        }
                    });
        });
    }

    private void edit(RoutingContext ctx) {
        guard(ctx, () -> {
            String text = Http.string(Http.body(ctx), "body", Integer.MAX_VALUE);
            respond(
                    ctx,
                    limits.edit(
                            user(ctx),
                            () -> chat.edit(user(ctx), ctx.pathParam("id"), ctx.pathParam("messageId"), text)),
                    ch -> changed(ctx, ch));
        });
    }

    private void react(RoutingContext ctx, boolean add) {
        // The path parameter arrives percent-decoded.
        respond(
                ctx,
                limits.reaction(
                        user(ctx),
                        () -> chat.react(
                                user(ctx),
                                ctx.pathParam("id"),
                                ctx.pathParam("messageId"),
                                ctx.pathParam("emoji"),
                                add)),
                ch -> changed(ctx, ch));
    }

    private static void changed(RoutingContext ctx, Changed ch) {
        JsonObject out = new JsonObject().put("messageId", ch.messageId()).put("changed", ch.changed());
        if (ch.changed()) {
            out.put("event", RestShapes.event(ch.event()));
        }
        Http.json(ctx, 200, out);
    }

    /**
     * Who has received and who has read one message: members whose cursors reached its seq, the sender and those who
     * joined after it was sent left out (their cursors start past it; they never received it live).
     */
    private void messageReceipts(RoutingContext ctx) {
        String conversationId = ctx.pathParam("id");
        String messageId = ctx.pathParam("messageId");
        respond(ctx, chat.messageWithMembers(user(ctx), conversationId, messageId), mm -> {
            JsonArray delivered = new JsonArray();
            JsonArray read = new JsonArray();
            for (Member member : mm.members()) {
                if (member.userId().equals(mm.message().senderId())
                        || member.joinedSeq() >= mm.message().seq()) {
                    continue;
                }
                if (member.deliveredSeq() >= mm.message().seq()) {
                    delivered.add(member.userId());
                }
                if (member.readSeq() >= mm.message().seq()) {
                    read.add(member.userId());
                }
            }
            Http.json(
                    ctx,
                    200,
                    new JsonObject()
                            .put("messageId", messageId)
                            .put("seq", mm.message().seq())
                            .put("deliveredTo", delivered)
                            .put("readBy", read));
        });
    }

    private void markRead(RoutingContext ctx) {
        guard(ctx, () -> {
            Object seq = Http.body(ctx).getValue("seq");
            if (seq == null) {
                throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing field 'seq'");
            }
            if (!(seq instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field 'seq' must be a non-negative integer");
            }
            respond(
                    ctx,
                    chat.markRead(user(ctx), ctx.pathParam("id"), ((Number) seq).longValue()),
                    r -> Http.json(ctx, 200, new JsonObject().put("readSeq", r)));
        });
    }

    private void typing(RoutingContext ctx) {
        guard(ctx, () -> {
            Object active = Http.body(ctx).getValue("active");
            if (active != null && !(active instanceof Boolean)) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field 'active' must be a boolean");
            }
            respond(
                    ctx,
                    limits.typing(
                            user(ctx),
                            () -> chat.typing(user(ctx), ctx.pathParam("id"), active == null || (Boolean) active)),
                    sent -> Http.json(ctx, 200, new JsonObject().put("sent", sent)));
        });
    }

    private void audit(RoutingContext ctx) {
        guard(ctx, () -> {
            Long before = Http.longParam(ctx, "before");
            int limit = limit(ctx);
            respond(
                    ctx,
                    chat.auditLog(user(ctx), ctx.pathParam("id"), before == null ? Long.MAX_VALUE : before, limit),
                    rows -> {
                        boolean hasMore = rows.size() > limit;
                        JsonArray a = new JsonArray();
                        for (AuditEntry e : hasMore ? rows.subList(0, limit) : rows) {
                            a.add(new JsonObject()
                                    .put("id", e.id())
                                    .put("actorId", e.actorId())
                                    .put("action", e.action())
                                    .put("targetMessageId", e.targetMessageId())
                                    .put("targetUserId", e.targetUserId())
                                    .put("seq", e.seq())
                                    .put("at", Frames.time(e.createdAt())));
                        }
                        Http.json(ctx, 200, new JsonObject().put("entries", a).put("hasMore", hasMore));
                    });
        });
    }
}
