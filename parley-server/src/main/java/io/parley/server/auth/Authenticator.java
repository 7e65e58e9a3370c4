package io.parley.server.auth;

import io.parley.server.store.ChatStore;
import io.parley.server.store.DeviceSession;
import io.parley.server.store.SessionStore;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a bearer token into a {@link Principal}: verifies it, then provisions the user on first sight (tokens minted
 * by an application backend name users Parley has never seen). Provisioned ids are remembered so that a known user
 * costs no store write; the memory is bounded by clearing it when it grows past {@link #MAX_REMEMBERED}. A banned
 * user's valid token is refused like an invalid one ({@link BanList}: a set lookup, no store read), and so is a token
 * of a revoked session or one issued before its user's logout everywhere ({@link Revocations}, {@link
 * RevokedTokenException}).
 * <p>
 * Sessions: the first token of an external backend naming a session ({@code sid} or {@code jti}) creates it, so that it
 * is listed and can be revoked; every session's last-seen time is written at most once per {@link #TOUCH_MILLIS}.
 * Both writes are off the answer's path (a failure is logged, the connection proceeds).
 */
public final class Authenticator {
    static final int MAX_REMEMBERED = 200_000;
    /** How stale a session's last-seen time may get. */
    static final long TOUCH_MILLIS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);

    private final TokenVerifier verifier;
    private final ChatStore store;
    private final BanList bans;
    private final SessionStore sessions;
    private final Revocations revocations;
    private final Clock clock;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Session id to the last time this node wrote its last-seen time. */
    private final Map<String, Long> touched = new ConcurrentHashMap<>();

    /** Without sessions (tests of the token checks alone): no revocation, no session rows. */
    public Authenticator(TokenVerifier verifier, ChatStore store, BanList bans) {
        this(verifier, store, bans, null, null, Clock.systemUTC());
    }

    public Authenticator(
            TokenVerifier verifier,
            ChatStore store,
            BanList bans,
            SessionStore sessions,
            Revocations revocations,
            Clock clock) {
        this.verifier = verifier;
        this.store = store;
        this.bans = bans;
        this.sessions = sessions;
        this.revocations = revocations;
        this.clock = clock;
    }

    /** As {@link #principal}, naming only the user. */
    public CompletableFuture<String> authenticate(String token) {
        return principal(token).thenApply(Principal::userId);
    }

    /** Fails with {@link TokenVerifier.InvalidTokenException} for a bad token, a banned user's or a revoked one. */
    public CompletableFuture<Principal> principal(String token) {
        return verifier.verifyAsync(token).thenCompose(id -> {
            String userId = id.userId();
            if (bans.isBanned(userId)) {
                return CompletableFuture.failedFuture(new TokenVerifier.InvalidTokenException("user is banned"));
            }
            Principal p = new Principal(userId, id.sessionId(), id.issuedAt());
            if (revocations != null) {
                String refusal = revocations.refusal(p);
                if (refusal != null) {
                    return CompletableFuture.failedFuture(new RevokedTokenException(refusal));
                }
            }
            CompletableFuture<Principal> user = known.contains(userId)
                    ? CompletableFuture.completedFuture(p)
                    : store.provisionUser(userId).thenApply(u -> {
                        if (known.size() >= MAX_REMEMBERED) {
                            known.clear();
                        }
                        known.add(userId);
                        return p;
                    });
            return user.thenApply(x -> {
                seen(x);
                return x;
            });
        });
    }

    /** Creates an external token's session on first sight, and keeps last-seen fresh; never delays the caller. */
    private void seen(Principal p) {
        if (sessions == null || p.sessionId() == null) {
            return;
        }
        long now = clock.millis();
        Long last = touched.get(p.sessionId());
        if (last != null && now - last < TOUCH_MILLIS) {
            return;
        }
        if (touched.size() >= MAX_REMEMBERED) {
            touched.clear();
        }
        touched.put(p.sessionId(), now);
        CompletableFuture<?> write = last == null
                ? sessions.ensureSession(
                                new DeviceSession(p.sessionId(), p.userId(), null, null, now, now, null, null, true, 0))
                        .thenCompose(s -> sessions.touch(s.id(), now))
                : sessions.touch(p.sessionId(), now);
        write.whenComplete((v, err) -> {
            if (err != null) {
                touched.remove(p.sessionId());
                LOG.warn("recording session {} as seen failed: {}", p.sessionId(), err.toString());
            }
        });
    }

    /** A token refused because its session was revoked (REST answers {@code session_revoked}, WebSocket 4003). */
    public static final class RevokedTokenException extends TokenVerifier.InvalidTokenException {
        private static final long serialVersionUID = 1L;

        public RevokedTokenException(String message) {
            super(message);
        }
    }
}
