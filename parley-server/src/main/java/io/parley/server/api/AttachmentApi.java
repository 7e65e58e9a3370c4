package io.parley.server.api;

import static io.parley.server.api.Http.respond;
import static io.parley.server.api.Http.user;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.server.attach.Attachments;
import io.parley.server.store.Attachment;
import io.parley.server.store.LogEntry;
import io.parley.server.wire.Frames;
import io.parley.server.wire.RestShapes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Attachments over REST (docs/api.md "Attachments"): upload slots, finalize, metadata, members-only downloads, and
 * messages that refer to attachments. The bytes never pass through here: they go to the blob store's signed URLs.
 */
public final class AttachmentApi {
    private final Attachments attachments;

    public AttachmentApi(Attachments attachments) {
        this.attachments = attachments;
    }

    public void mount(Router router) {
        router.post("/api/v1/conversations/:id/attachments").handler(this::slot);
        router.post("/api/v1/conversations/:id/attachment-messages").handler(this::send);
        router.post("/api/v1/attachments/:attachmentId/finalize")
                .handler(ctx -> respond(
                        ctx,
                        attachments.finalizeUpload(user(ctx), ctx.pathParam("attachmentId")),
                        a -> Http.json(ctx, 200, shape(a))));
        router.get("/api/v1/attachments/:attachmentId")
                .handler(ctx -> respond(
                        ctx,
                        attachments.visible(user(ctx), ctx.pathParam("attachmentId")),
                        a -> Http.json(ctx, 200, shape(a))));
        router.get("/api/v1/attachments/:attachmentId/download").handler(this::download);
    }

    private void slot(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            JsonObject body = Http.body(ctx);
            String name = Http.string(body, "name", 1024);
            String type = Http.string(body, "contentType", 255);
            Object size = body.getValue("size");
            if (size == null) {
                throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing field 'size'");
            }
            if (!(size instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue())) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field 'size' must be a whole number of bytes");
            }
            String sha = Http.optString(body, "sha256", 64);
            respond(
                    ctx,
                    attachments.createSlot(user(ctx), ctx.pathParam("id"), name, type, n.longValue(), sha),
                    s -> Http.json(
                            ctx,
                            201,
                            shape(s.attachment())
                                    .put(
                                            "upload",
                                            new JsonObject()
                                                    .put("url", s.uploadUrl().toString())
                                                    .put("method", "PUT")
                                                    .put(
                                                            "headers",
                                                            new JsonObject()
                                                                    .put(
                                                                            "Content-Type",
                                                                            s.attachment()
                                                                                    .declaredType()))
                                                    .put(
                                                            "expiresAt",
                                                            s.expiresAt().toString()))));
        });
    }

    private void send(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            JsonObject body = Http.body(ctx);
            String clientMsgId = Http.string(body, "clientMsgId", FrameCodec.MAX_ID_LENGTH);
            if (clientMsgId.isEmpty()) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field 'clientMsgId' must not be empty");
            }
            String caption = Http.optString(body, "caption", Integer.MAX_VALUE);
            Object ids = body.getValue("attachments");
            if (ids == null) {
                throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing field 'attachments'");
            }
            if (!(ids instanceof JsonArray arr)) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field 'attachments' must be an array of ids");
            }
            List<String> list = new ArrayList<>();
            for (Object o : arr) {
                if (!(o instanceof String s) || s.isEmpty() || s.length() > FrameCodec.MAX_ID_LENGTH) {
                    throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field 'attachments' must be an array of ids");
                }
                list.add(s);
            }
            respond(ctx, attachments.send(user(ctx), ctx.pathParam("id"), clientMsgId, caption, list), am -> {
                JsonArray events = new JsonArray();
                for (LogEntry.AttachmentChanged e : am.attachments()) {
                    events.add(RestShapes.event(e));
                }
                Http.json(
                        ctx,
                        am.appended().duplicate() ? 200 : 201,
                        JsonObject.mapFrom(Frames.ack(am.appended())).put("events", events));
            });
        });
    }

    private void download(RoutingContext ctx) {
        boolean thumbnail = "true".equals(ctx.request().getParam("thumbnail"));
        boolean redirect = !"false".equals(ctx.request().getParam("redirect"));
        respond(ctx, attachments.download(user(ctx), ctx.pathParam("attachmentId"), thumbnail), d -> {
            ctx.response().putHeader("Cache-Control", "no-store");
            if (redirect) {
                ctx.response()
                        .setStatusCode(302)
                        .putHeader("Location", d.url().toString())
                        .end();
            } else {
                Http.json(
                        ctx,
                        200,
                        new JsonObject()
                                .put("url", d.url().toString())
                                .put("expiresAt", d.expiresAt().toString()));
            }
        });
    }

    /** An attachment's REST shape: the event's attachment object, with where it belongs. Nulls are left out. */
    private static JsonObject shape(Attachment a) {
        JsonObject o = JsonObject.mapFrom(Frames.attachment(a.info()))
                .put("status", a.status().wire())
                .put("conversationId", a.conversationId())
                .put("uploaderId", a.uploaderId());
        if (a.messageId() != null) {
            o.put("messageId", a.messageId());
        }
        return o;
    }
}
