package io.parley.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A token supplier for {@link ParleyClientBuilder#tokenSupplier} that keeps a login's short-lived access token fresh:
 * when the token expires within {@link #MARGIN}, {@link #get()} exchanges the refresh token for a new pair
 * ({@link ParleyRest#refresh}, waiting up to 10 s) and keeps the new refresh token (each is good once). When the
 * refresh is refused (the session was revoked, or the refresh token expired), {@code get()} keeps answering the last
 * token, so the client stops after the server's 4001/4003 with {@code onAuthFailed}: log in again.
 * Thread-safe.
 */
public final class RefreshingTokens implements Supplier<String> {
    /** How long before its expiry an access token is replaced. */
    public static final Duration MARGIN = Duration.ofSeconds(60);

    private final ParleyRest rest;
    private final Clock clock;
    private Rest.Auth current;
    private Throwable lastFailure;

    public RefreshingTokens(ParleyRest rest, Rest.Auth login) {
        this(rest, login, Clock.systemUTC());
    }

    /** As {@link #RefreshingTokens(ParleyRest, Rest.Auth)}, deciding expiry by {@code clock}. */
    public RefreshingTokens(ParleyRest rest, Rest.Auth login, Clock clock) {
        this.rest = Objects.requireNonNull(rest, "rest");
        this.current = Objects.requireNonNull(login, "login");
        this.clock = clock;
    }

    /** The latest pair (after the refreshes so far). */
    public synchronized Rest.Auth current() {
        return current;
    }

    @Override
    public synchronized String get() {
        Instant expires = Instant.parse(current.expiresAt());
        if (clock.instant().plus(MARGIN).isBefore(expires) || current.refreshToken() == null) {
            return current.token();
        }
        try {
            current = rest.refresh(current.refreshToken()).get(10, TimeUnit.SECONDS);
            lastFailure = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lastFailure = e;
        } catch (Exception e) {
            // Refused or unreachable: kept for lastFailure(); the last token stands and the server decides (4001 when
            // it expired, and the client then stops with onAuthFailed).
            lastFailure =
                    e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        }
        return current.token();
    }

    /** Why the last refresh failed ({@link ParleyException} with the server's code), or null when it did not. */
    public synchronized Throwable lastFailure() {
        return lastFailure;
    }
}
