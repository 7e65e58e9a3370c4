package io.parley.server.auth;

import io.parley.server.store.DeviceSession;
import io.parley.server.store.RefreshOutcome;
import io.parley.server.store.Revocation;
import io.parley.server.store.SessionStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Device sessions of built-in accounts (docs/api.md, "Sessions"): a login opens one and answers with a short-lived
 * access token carrying its id ({@code sid}) and a refresh token; each refresh uses the refresh token up and answers
 * with a new pair; presenting a used refresh token again revokes the session (its whole token family), since one of
 * the two holders is not the device, unless it comes back within the reuse grace of its first use
 * ({@code auth.refresh-reuse-grace}): then the device most likely never got the answer (a lost response, a tab closed
 * mid-refresh) and is answered with another new pair. Every revocation goes out on the {@link CloseSignal}, so each node closes the
 * session's connections at once (and reads the store's log in case the signal lost it).
 * <p>
 * Refresh tokens are 256 random bits; only their SHA-256 is stored.
 */
public final class SessionTokens {
    /** Longest accepted refresh token (a bound on what is hashed; ours are 46 characters). */
    public static final int MAX_REFRESH_TOKEN = 256;

    private final SessionStore store;
    private final HmacJwt jwt;
    private final CloseSignal signal;
    private final Duration accessTtl;
    private final Duration refreshTtl;
    private final Duration reuseGrace;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public SessionTokens(
            SessionStore store,
            HmacJwt jwt,
            CloseSignal signal,
            Duration accessTtl,
            Duration refreshTtl,
            Duration reuseGrace,
            Clock clock) {
        this.store = store;
        this.jwt = jwt;
        this.signal = signal;
        this.accessTtl = accessTtl;
        this.refreshTtl = refreshTtl;
        this.reuseGrace = reuseGrace;
        this.clock = clock;
    }

    /** A new access and refresh token of one session; {@code expiresAt} is the access token's expiry. */
    public record Issued(String userId, String sessionId, String accessToken, long expiresAt, String refreshToken) {}

    /** What a login knows of the device; every field may be null. */
    public record Device(String name, String platform, String ip, String userAgent) {}

    /** The refused refresh, with the verdict ({@link RefreshOutcome.Result}, never ROTATED). */
    public static final class RefreshRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final RefreshOutcome.Result result;

        RefreshRefused(RefreshOutcome.Result result) {
            super(result.name(), null, false, false);
            this.result = result;
        }

        public RefreshOutcome.Result result() {
            return result;
        }
    }

    /** Opens a session for a user whose credentials were checked. */
    public CompletableFuture<Issued> open(String userId, Device device) {
        long now = clock.millis();
        String sessionId = "ses_" + randomToken(16);
        String refresh = newRefreshToken();
        DeviceSession s = new DeviceSession(
                sessionId,
                userId,
                device.name(),
                device.platform(),
                now,
                now,
                device.ip(),
                device.userAgent(),
                false,
                0);
        return store.createSession(s, hash(refresh), now + refreshTtl.toMillis())
                .thenApply(v -> new Issued(
                        userId,
                        sessionId,
                        jwt.issue(userId, sessionId, accessTtl),
                        now + accessTtl.toMillis(),
                        refresh));
    }

    /**
     * Exchanges a refresh token for a new pair. Fails with {@link RefreshRefused}: unknown, expired, revoked, or
     * reused (then the session is revoked now and its connections closed).
     */
    public CompletableFuture<Issued> refresh(String refreshToken) {
        long now = clock.millis();
        String next = newRefreshToken();
        return store.rotateRefreshToken(
                        hash(refreshToken), hash(next), now, now + refreshTtl.toMillis(), reuseGrace.toMillis())
                .thenApply(o -> {
                    if (o.revocation() != null) {
                        signal.publish(List.of(o.revocation()));
                    }
                    if (o.result() != RefreshOutcome.Result.ROTATED) {
                        throw new RefreshRefused(o.result());
                    }
                    DeviceSession s = o.session();
                    return new Issued(
                            s.userId(),
                            s.id(),
                            jwt.issue(s.userId(), s.id(), accessTtl),
                            now + accessTtl.toMillis(),
                            next);
                });
    }

    /** Revokes one of the user's sessions; false when the user has no such live session. */
    public CompletableFuture<Boolean> revoke(String userId, String sessionId) {
        return store.revokeSession(userId, sessionId, clock.millis()).thenApply((Optional<Revocation> r) -> {
            r.ifPresent(x -> signal.publish(List.of(x)));
            return r.isPresent();
        });
    }

    /** Revokes every session of the user but {@code keepSessionId} (after a password change). */
    public CompletableFuture<Integer> revokeOthers(String userId, String keepSessionId) {
        return store.revokeOtherSessions(userId, keepSessionId, clock.millis()).thenApply(list -> {
            signal.publish(list);
            return list.size();
        });
    }

    /** Logout everywhere: every session, and every token issued before now, also external ones. */
    public CompletableFuture<Integer> revokeAll(String userId) {
        return store.revokeUser(userId, clock.millis()).thenApply(list -> {
            signal.publish(list);
            return list.size() - 1;
        });
    }

    public CompletableFuture<List<DeviceSession>> list(String userId) {
        return store.sessions(userId);
    }

    private String newRefreshToken() {
        return "rt_" + randomToken(32);
    }

    private String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }
}
