package io.parley.server.api;

import io.parley.protocol.ErrorCode;
import io.parley.server.auth.AccountRules;
import io.parley.server.auth.PasswordHasher;
import io.parley.server.auth.SessionTokens;
import io.parley.server.chat.ChatException;
import io.parley.server.chat.Ids;
import io.parley.server.config.Config;
import io.parley.server.limits.RateLimits;
import io.parley.server.log.AuthLog;
import io.parley.server.store.ChatStore;
import io.parley.server.store.RefreshOutcome;
import io.parley.server.store.StoreException;
import io.parley.server.wire.Frames;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Built-in accounts: register and log in, answering with a signed token. bcrypt runs on Vert.x worker threads
 * ({@code executeBlocking}), never on an event loop.
 */
public final class AuthApi {
    private final Vertx vertx;
    private final ChatStore store;
    private final PasswordHasher hasher;
    private final Config.Auth config;
    private final SessionTokens sessions;
    private final RateLimits limits;

    public AuthApi(Vertx vertx, ChatStore store, PasswordHasher hasher, Config.Auth config, SessionTokens sessions) {
        this(vertx, store, hasher, config, sessions, RateLimits.none());
    }

    /**
     * {@code limits}: each login and registration takes from the bucket of the client's address and from the bucket
     * of the username (429 when either is empty), before any password is hashed.
     */
    public AuthApi(
            Vertx vertx,
            ChatStore store,
            PasswordHasher hasher,
            Config.Auth config,
            SessionTokens sessions,
            RateLimits limits) {
        this.limits = limits;
        this.vertx = vertx;
        this.store = store;
        this.hasher = hasher;
        this.config = config;
        this.sessions = sessions;
    }

    /** Call after {@link RestApi#mount} so the body handler is in place. */
    public void mount(Router router) {
        router.post("/api/v1/auth/register").handler(this::register);
        router.post("/api/v1/auth/login").handler(this::login);
        router.post("/api/v1/auth/refresh").handler(this::refresh);
    }

    private void register(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            if (!config.registrationEnabled()) {
                Http.error(ctx, ErrorCode.FORBIDDEN, "registration is disabled on this server");
                return;
            }
            JsonObject body = Http.body(ctx);
            String username = Http.string(body, "username", 64);
            String password = Http.string(body, "password", 1024);
            if (!AccountRules.validUsername(username)) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, AccountRules.USERNAME_RULE);
            }
            if (AccountRules.reservedName(username)) {
                throw new Http.BadRequest(ErrorCode.NAME_RESERVED, AccountRules.RESERVED_RULE);
            }
            if (!AccountRules.validPassword(password)) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, AccountRules.PASSWORD_RULE);
            }
            CompletableFuture<String> hash = limits.login(
                    Http.remote(ctx),
                    username,
                    () -> vertx.executeBlocking(() -> hasher.hash(password), false)
                            .toCompletionStage()
                            .toCompletableFuture());
            String userId = Ids.userId();
            SessionTokens.Device device = device(ctx, body);
            CompletableFuture<JsonObject> done = hash.thenCompose(h -> store.createUser(userId, username, h))
                    .thenCompose(u -> tokenJson(u.id(), u.username(), device))
                    .exceptionallyCompose(err -> {
                        Throwable c =
                                err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                        if (c instanceof StoreException.Conflict) {
                            return CompletableFuture.failedFuture(
                                    new ChatException(ErrorCode.CONFLICT, "username is taken"));
                        }
                        return CompletableFuture.failedFuture(c);
                    });
            Http.respond(ctx, done, j -> Http.json(ctx, 201, j));
        });
    }

    private void login(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            JsonObject body = Http.body(ctx);
            String username = Http.string(body, "username", 64);
            String password = Http.string(body, "password", 1024);
            SessionTokens.Device device = device(ctx, body);
            CompletableFuture<JsonObject> done = limits.login(
                            Http.remote(ctx), username, () -> store.findCredentials(username))
                    .thenCompose(cred -> vertx.executeBlocking(
                                    () -> {
                                        // Verify against a dummy hash when the user is unknown, so timing does not
                                        // tell.
                                        boolean ok = hasher.verify(
                                                password,
                                                cred.map(c -> c.passwordHash()).orElse(null));
                                        if (!ok || cred.isEmpty()) {
                                            throw new ChatException(
                                                    ErrorCode.BAD_CREDENTIALS, "wrong username or password");
                                        }
                                        if (cred.get().banned()) {
                                            // Said only to whoever knows the password.
                                            throw new ChatException(ErrorCode.FORBIDDEN, "this account is banned");
                                        }
                                        return cred.get();
                                    },
                                    false)
                            .toCompletionStage()
                            .toCompletableFuture())
                    .thenCompose(c -> tokenJson(c.userId(), c.username(), device));
            done.whenComplete((j, err) -> {
                Throwable cause = err != null && err.getCause() != null ? err.getCause() : err;
                if (cause instanceof ChatException ce && ce.code() == ErrorCode.BAD_CREDENTIALS) {
                    AuthLog.loginFailed(username, "wrong username or password", Http.remote(ctx));
                }
            });
            Http.respond(ctx, done, j -> Http.json(ctx, 200, j));
        });
    }

    private void refresh(RoutingContext ctx) {
        Http.guard(ctx, () -> {
            JsonObject body = Http.body(ctx);
            String token = Http.string(body, "refreshToken", SessionTokens.MAX_REFRESH_TOKEN);
            CompletableFuture<JsonObject> done = sessions.refresh(token)
                    .thenCompose(issued -> store.findUser(issued.userId())
                            .thenApply(
                                    u -> json(issued, u.map(x -> x.username()).orElse(null))))
                    .exceptionallyCompose(err -> {
                        Throwable c =
                                err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                        if (c instanceof SessionTokens.RefreshRefused rr) {
                            AuthLog.tokenRejected(
                                    "refresh", rr.result().name().toLowerCase(Locale.ROOT), Http.remote(ctx));
                            return CompletableFuture.failedFuture(refusal(rr.result()));
                        }
                        return CompletableFuture.failedFuture(c);
                    });
            Http.respond(ctx, done, j -> Http.json(ctx, 200, j));
        });
    }

    private static ChatException refusal(RefreshOutcome.Result result) {
        switch (result) {
            case REUSED:
                return new ChatException(
                        ErrorCode.REFRESH_TOKEN_REUSED, "refresh token used twice: the session is revoked");
            case REVOKED:
                return new ChatException(ErrorCode.SESSION_REVOKED, "the session was revoked");
            case EXPIRED:
                return new ChatException(ErrorCode.INVALID_REFRESH_TOKEN, "refresh token expired");
            default:
                return new ChatException(ErrorCode.INVALID_REFRESH_TOKEN, "unknown refresh token");
        }
    }

    /** What the login or registration says of the device: optional {@code deviceName} and {@code platform}. */
    private static SessionTokens.Device device(RoutingContext ctx, JsonObject body) {
        return new SessionTokens.Device(
                Http.optString(body, "deviceName", 128),
                Http.optString(body, "platform", 32),
                Http.remote(ctx),
                truncate(ctx.request().getHeader("User-Agent"), 512));
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private CompletableFuture<JsonObject> tokenJson(String userId, String username, SessionTokens.Device device) {
        return sessions.open(userId, device).thenApply(issued -> json(issued, username));
    }

    private static JsonObject json(SessionTokens.Issued issued, String username) {
        return new JsonObject()
                .put("userId", issued.userId())
                .put("username", username)
                .put("token", issued.accessToken())
                .put("expiresAt", Frames.time(issued.expiresAt()))
                .put("refreshToken", issued.refreshToken())
                .put("sessionId", issued.sessionId());
    }
}
