package io.parley.server.api;

import io.parley.protocol.ErrorCode;
import io.parley.server.auth.AccountRules;
import io.parley.server.auth.HmacJwt;
import io.parley.server.auth.PasswordHasher;
import io.parley.server.chat.ChatException;
import io.parley.server.chat.Ids;
import io.parley.server.config.Config;
import io.parley.server.limits.RateLimits;
import io.parley.server.log.AuthLog;
import io.parley.server.store.ChatStore;
import io.parley.server.store.StoreException;
import io.parley.server.wire.Frames;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
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
    private final HmacJwt jwt;
    private final Config.Auth config;
    private final Clock clock;
    private final RateLimits limits;

    public AuthApi(Vertx vertx, ChatStore store, PasswordHasher hasher, HmacJwt jwt, Config.Auth config, Clock clock) {
        this(vertx, store, hasher, jwt, config, clock, RateLimits.none());
    }

    /**
     * {@code limits}: each login and registration takes from the bucket of the client's address and from the bucket
     * of the username (429 when either is empty), before any password is hashed.
     */
    public AuthApi(
            Vertx vertx,
            ChatStore store,
            PasswordHasher hasher,
            HmacJwt jwt,
            Config.Auth config,
            Clock clock,
            RateLimits limits) {
        this.limits = limits;
        this.vertx = vertx;
        this.store = store;
        this.hasher = hasher;
        this.jwt = jwt;
        this.config = config;
        this.clock = clock;
    }

    /** Call after {@link RestApi#mount} so the body handler is in place. */
    public void mount(Router router) {
        router.post("/api/v1/auth/register").handler(this::register);
        router.post("/api/v1/auth/login").handler(this::login);
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
            CompletableFuture<JsonObject> done = hash.thenCompose(h -> store.createUser(userId, username, h))
                    .thenApply(u -> tokenJson(u.id(), u.username()))
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
                                        return tokenJson(
                                                cred.get().userId(), cred.get().username());
                                    },
                                    false)
                            .toCompletionStage()
                            .toCompletableFuture());
            done.whenComplete((j, err) -> {
                Throwable cause = err != null && err.getCause() != null ? err.getCause() : err;
                if (cause instanceof ChatException ce && ce.code() == ErrorCode.BAD_CREDENTIALS) {
                    AuthLog.loginFailed(username, "wrong username or password", Http.remote(ctx));
                }
            });
            Http.respond(ctx, done, j -> Http.json(ctx, 200, j));
        });
    }

    private JsonObject tokenJson(String userId, String username) {
        long expiresAt = clock.millis() + config.tokenTtl().toMillis();
        return new JsonObject()
                .put("userId", userId)
                .put("username", username)
                .put("token", jwt.issue(userId, config.tokenTtl()))
                .put("expiresAt", Frames.time(expiresAt));
    }
}
