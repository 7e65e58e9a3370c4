package io.parley.server.api;

import io.parley.protocol.ErrorCode;
import io.parley.server.auth.AccountRules;
import io.parley.server.auth.PasswordHasher;
import io.parley.server.auth.Principal;
import io.parley.server.auth.SessionTokens;
import io.parley.server.chat.ChatException;
import io.parley.server.store.ChatStore;
import io.parley.server.store.Credentials;
import io.parley.server.store.DeviceSession;
import io.parley.server.wire.Frames;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The caller's device sessions (docs/api.md, "Sessions"): list them, sign one out (or the current one: logout), sign
 * out everywhere, and change the password, which signs out every other session. Mounted after {@link RestApi}, so every
 * route here is authenticated. bcrypt runs on worker threads.
 */
public final class SessionApi {
    private final Vertx vertx;
    private final ChatStore store;
    private final PasswordHasher hasher;
    private final SessionTokens sessions;

    public SessionApi(Vertx vertx, ChatStore store, PasswordHasher hasher, SessionTokens sessions) {
        this.vertx = vertx;
        this.store = store;
        this.hasher = hasher;
        this.sessions = sessions;
    }

    public void mount(Router router) {
        router.get("/api/v1/sessions").handler(this::list);
        router.delete("/api/v1/sessions").handler(this::logoutEverywhere);
        router.delete("/api/v1/sessions/:id").handler(this::revoke);
        router.post("/api/v1/me/password").handler(this::changePassword);
    }

    private void list(RoutingContext ctx) {
        Principal me = Http.principal(ctx);
        Http.respond(ctx, sessions.list(me.userId()), list -> {
            JsonArray a = new JsonArray();
            for (DeviceSession s : list) {
                a.add(new JsonObject()
                        .put("id", s.id())
                        .put("name", s.name())
                        .put("platform", s.platform())
                        .put("createdAt", Frames.time(s.createdAt()))
                        .put("lastSeenAt", Frames.time(s.lastSeenAt()))
                        .put("ip", s.ip())
                        .put("userAgent", s.userAgent())
                        .put("external", s.external())
                        .put("current", s.id().equals(me.sessionId())));
            }
            Http.json(ctx, 200, new JsonObject().put("sessions", a));
        });
    }

    /** {@code DELETE /api/v1/sessions/{id}}; the id {@code current} is the caller's own session (logout). */
    private void revoke(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            Principal me = Http.principal(ctx);
            String id = ctx.pathParam("id");
            if ("current".equals(id)) {
                if (me.sessionId() == null) {
                    throw new Http.BadRequest(
                            ErrorCode.BAD_REQUEST,
                            "this token names no session (no sid or jti claim): use DELETE /api/v1/sessions");
                }
                id = me.sessionId();
            }
            String target = id;
            CompletableFuture<Boolean> done = sessions.revoke(me.userId(), target);
            Http.respond(ctx, done, revoked -> {
                if (!revoked) {
                    Http.error(ctx, ErrorCode.SESSION_NOT_FOUND, "no session '" + target + "' of yours");
                    return;
                }
                ctx.response().setStatusCode(204).end();
            });
        });
    }

    private void logoutEverywhere(RoutingContext ctx) {
        Principal me = Http.principal(ctx);
        Http.respond(
                ctx,
                sessions.revokeAll(me.userId()),
                n -> Http.json(ctx, 200, new JsonObject().put("revokedSessions", n)));
    }

    private void changePassword(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            Principal me = Http.principal(ctx);
            JsonObject body = Http.body(ctx);
            String current = Http.string(body, "currentPassword", 1024);
            String next = Http.string(body, "newPassword", 1024);
            if (!AccountRules.validPassword(next)) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, AccountRules.PASSWORD_RULE);
            }
            CompletableFuture<Integer> done = store.findUser(me.userId())
                    .thenCompose(u -> u.isEmpty() || u.get().username() == null
                            ? CompletableFuture.<Optional<Credentials>>failedFuture(
                                    new ChatException(ErrorCode.FORBIDDEN, "this account has no password"))
                            : store.findCredentials(u.get().username()))
                    .thenCompose(cred -> vertx.executeBlocking(
                                    () -> {
                                        if (cred.isEmpty()
                                                || !hasher.verify(
                                                        current, cred.get().passwordHash())) {
                                            throw new ChatException(
                                                    ErrorCode.BAD_CREDENTIALS, "the current password is wrong");
                                        }
                                        return hasher.hash(next);
                                    },
                                    false)
                            .toCompletionStage()
                            .toCompletableFuture())
                    .thenCompose(hash -> store.setPasswordHash(me.userId(), hash))
                    .thenCompose(v -> sessions.revokeOthers(me.userId(), me.sessionId()));
            Http.respond(ctx, done, n -> Http.json(ctx, 200, new JsonObject().put("revokedSessions", n)));
        });
    }
}
