package io.parley.server.api;

import static io.parley.server.api.Http.guard;
import static io.parley.server.api.Http.respond;
import static io.parley.server.api.Http.user;

import io.parley.protocol.ErrorCode;
import io.parley.server.auth.Authenticator;
import io.parley.server.auth.TokenVerifier;
import io.parley.server.chat.ChatException;
import io.parley.server.chat.ChatService;
import io.parley.server.config.Config;
import io.parley.server.limits.RateLimits;
import io.parley.server.log.AuthLog;
import io.parley.server.presence.PresenceHub;
import io.parley.server.store.Created;
import io.parley.server.store.Role;
import io.parley.server.wire.RestShapes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** REST routes under /api/v1 except auth (see {@link AuthApi}). docs/api.md is the reference. */
public final class RestApi {
    private final ChatService chat;
    private final Authenticator authenticator;
    private final Config config;

    private final PresenceHub presenceHub;
    private final RateLimits limits;

    public RestApi(ChatService chat, PresenceHub presenceHub, Authenticator authenticator, Config config) {
        this(chat, presenceHub, authenticator, config, RateLimits.none());
    }

    /** {@code limits}: every authenticated request takes from the user's REST bucket (429 when it is empty). */
    public RestApi(
            ChatService chat, PresenceHub presenceHub, Authenticator authenticator, Config config, RateLimits limits) {
        this.limits = limits;
        this.chat = chat;
        this.presenceHub = presenceHub;
        this.authenticator = authenticator;
        this.config = config;
    }

    public void mount(Router router) {
        router.route("/api/v1/*").handler(new Cors(config.http().corsOrigins()));
        // The document needs no token: mounted after CORS, ahead of the checks every other /api/v1 route passes.
        new OpenApi().mount(router);
        router.route("/api/v1/*").handler(Http::checkRequest);
        router.route("/api/v1/*")
                .handler(BodyHandler.create(false).setBodyLimit(config.limits().maxFrameBytes()));
        router.route("/api/v1/*").handler(this::authenticate);
        router.route("/api/v1/*").handler(ctx -> {
            Http.showThrough(ctx, chat.pseudonyms());
            ctx.next();
        });
        router.get("/api/v1/me")
                .handler(ctx -> respond(
                        ctx,
                        chat.users().byId(user(ctx)),
                        u -> Http.json(
                                ctx,
                                200,
                                new JsonObject()
                                        .put("userId", user(ctx))
                                        .put(
                                                "username",
                                                u.map(x -> x.username()).orElse(null))
                                        .put(
                                                "displayName",
                                                u.map(x -> x.displayName()).orElse(null)))));
        router.patch("/api/v1/me").handler(this::setDisplayName);
        router.get("/api/v1/users").handler(this::searchUsers);
        router.get("/api/v1/users/by-username/:username").handler(this::userByName);
        router.post("/api/v1/conversations").handler(this::createConversation);
        router.get("/api/v1/conversations")
                .handler(ctx -> respond(ctx, chat.conversations(user(ctx)), list -> {
                    JsonArray a = new JsonArray();
                    list.forEach(c -> a.add(RestShapes.conversation(c)));
                    Http.json(ctx, 200, new JsonObject().put("conversations", a));
                }));
        router.get("/api/v1/conversations/:id")
                .handler(ctx -> respond(
                        ctx,
                        chat.conversation(user(ctx), ctx.pathParam("id")),
                        c -> Http.json(ctx, 200, RestShapes.conversation(c))));
        router.get("/api/v1/conversations/:id/members")
                .handler(ctx -> respond(
                        ctx,
                        chat.members(user(ctx), ctx.pathParam("id")),
                        ms -> Http.json(ctx, 200, new JsonObject().put("members", RestShapes.members(ms)))));
        router.post("/api/v1/conversations/:id/members").handler(this::addMembers);
        router.delete("/api/v1/conversations/:id/members/:userId")
                .handler(ctx -> respond(
                        ctx,
                        chat.removeMember(user(ctx), ctx.pathParam("id"), ctx.pathParam("userId")),
                        e -> Http.json(ctx, 200, new JsonObject().put("event", RestShapes.event(e)))));
        router.put("/api/v1/conversations/:id/members/:userId/role").handler(this::setRole);
        router.patch("/api/v1/conversations/:id").handler(this::rename);
        new MessageApi(chat, config, limits).mount(router);
        new PresenceApi(presenceHub).mount(router);
    }

    private void authenticate(RoutingContext ctx) {
        String path = ctx.request().path();
        if (path.startsWith("/api/v1/auth/")) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            AuthLog.tokenRejected("rest", "missing bearer token", Http.remote(ctx));
            Http.error(ctx, ErrorCode.UNAUTHORIZED, "missing bearer token");
            return;
        }
        authenticator
                .principal(header.substring(7).trim())
                .whenCompleteAsync(
                        (uid, err) -> {
                            if (err != null) {
                                Throwable cause = err.getCause() != null ? err.getCause() : err;
                                if (cause instanceof TokenVerifier.InvalidTokenException) {
                                    AuthLog.tokenRejected("rest", cause.getMessage(), Http.remote(ctx));
                                }
                                Http.fail(ctx, err);
                                return;
                            }
                            Http.authenticated(ctx, uid);
                            limits.rest(uid.userId(), () -> PASS)
                                    .whenCompleteAsync(
                                            (v, limited) -> {
                                                if (limited != null) {
                                                    Http.fail(ctx, limited);
                                                } else {
                                                    ctx.next();
                                                }
                                            },
                                            Http.onContext(ctx));
                        },
                        Http.onContext(ctx));
    }

    /** What a REST bucket check runs when it allows the request: nothing but the route, which comes next. */
    private static final CompletableFuture<Void> PASS = CompletableFuture.completedFuture(null);

    private void userByName(RoutingContext ctx) {
        respond(ctx, chat.users().byUsername(ctx.pathParam("username")), u -> {
            if (u.isEmpty()) {
                Http.error(ctx, ErrorCode.USER_NOT_FOUND, "no such user");
            } else {
                Http.json(ctx, 200, RestShapes.user(u.get()));
            }
        });
    }

    private void setDisplayName(RoutingContext ctx) {
        guard(ctx, () -> {
            JsonObject body = Http.body(ctx);
            if (!body.containsKey("displayName")) {
                throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing field 'displayName'");
            }
            String name = Http.optString(body, "displayName", 1024);
            respond(ctx, chat.users().setDisplayName(user(ctx), name), u -> Http.json(ctx, 200, RestShapes.user(u)));
        });
    }

    private void searchUsers(RoutingContext ctx) {
        guard(ctx, () -> {
            String q = ctx.request().getParam("q");
            if (q == null) {
                throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing query parameter 'q'");
            }
            Long limit = Http.longParam(ctx, "limit");
            respond(ctx, chat.users().search(q, limit == null ? 20 : (int) Math.min(limit, 1000)), users -> {
                JsonArray a = new JsonArray();
                users.forEach(u -> a.add(RestShapes.user(u)));
                Http.json(ctx, 200, new JsonObject().put("users", a));
            });
        });
    }

    private void createConversation(RoutingContext ctx) {
        guard(ctx, () -> {
            JsonObject body = Http.body(ctx);
            String type = Http.string(body, "type", 16);
            String me = user(ctx);
            if (type.equals("direct")) {
                String peerId = Http.optString(body, "userId", 128);
                String peerName = Http.optString(body, "username", 64);
                if ((peerId == null) == (peerName == null)) {
                    throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "give exactly one of 'userId' or 'username'");
                }
                CompletableFuture<String> peer = peerId != null
                        ? CompletableFuture.completedFuture(peerId)
                        : chat.users()
                                .byUsername(peerName)
                                .thenApply(u -> u.orElseThrow(
                                                () -> new ChatException(ErrorCode.USER_NOT_FOUND, "no such user"))
                                        .id());
                respond(ctx, peer.thenCompose(p -> chat.openDirect(me, p)), c -> created(ctx, c));
            } else if (type.equals("group")) {
                String title = Http.string(body, "title", 200);
                List<String> members = stringList(body, "members");
                respond(ctx, chat.createGroup(me, title, members), c -> created(ctx, c));
            } else {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "type must be 'direct' or 'group'");
            }
        });
    }

    private void created(RoutingContext ctx, Created c) {
        Http.json(ctx, c.created() ? 201 : 200, RestShapes.conversation(c.conversation()));
    }

    private void addMembers(RoutingContext ctx) {
        guard(ctx, () -> {
            List<String> ids = stringList(Http.body(ctx), "userIds");
            respond(ctx, chat.addMembers(user(ctx), ctx.pathParam("id"), ids), events -> {
                JsonArray a = new JsonArray();
                events.forEach(e -> a.add(RestShapes.event(e)));
                Http.json(ctx, 200, new JsonObject().put("events", a));
            });
        });
    }

    private void setRole(RoutingContext ctx) {
        guard(ctx, () -> {
            String role = Http.string(Http.body(ctx), "role", 16);
            if (!role.equals("admin") && !role.equals("member")) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "role must be 'admin' or 'member'");
            }
            respond(
                    ctx,
                    chat.setRole(user(ctx), ctx.pathParam("id"), ctx.pathParam("userId"), Role.fromWire(role)),
                    e -> Http.json(ctx, 200, new JsonObject().put("event", RestShapes.event(e))));
        });
    }

    private void rename(RoutingContext ctx) {
        guard(ctx, () -> {
            String title = Http.string(Http.body(ctx), "title", 200);
            respond(
                    ctx,
                    chat.rename(user(ctx), ctx.pathParam("id"), title),
                    e -> Http.json(ctx, 200, new JsonObject().put("event", RestShapes.event(e))));
        });
    }

    /** For handlers outside the API (health): continue on the request's event loop, as the API's handlers do. */
    public static Executor onContext(RoutingContext ctx) {
        return Http.onContext(ctx);
    }

    // ---- input ----------------------------------------------------------------------------------------------------

    private static List<String> stringList(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) {
            throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing field '" + field + "'");
        }
        if (!(v instanceof JsonArray arr)) {
            throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field '" + field + "' must be an array of user ids");
        }
        List<String> out = new ArrayList<>();
        for (Object o : arr) {
            if (!(o instanceof String s) || s.isEmpty() || s.length() > 128) {
                throw new Http.BadRequest(
                        ErrorCode.INVALID_FIELD, "field '" + field + "' must be an array of user ids");
            }
            out.add(s);
        }
        return out;
    }
}
