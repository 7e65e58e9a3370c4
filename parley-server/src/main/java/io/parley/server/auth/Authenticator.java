package io.parley.server.auth;

import io.parley.server.store.ChatStore;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a bearer token into a user id: verifies it, then provisions the user on first sight (tokens minted by an
 * application backend name users Parley has never seen). Provisioned ids are remembered so that a known user costs
 * no store write; the memory is bounded by clearing it when it grows past {@link #MAX_REMEMBERED}. A banned user's
 * valid token is refused like an invalid one ({@link BanList}: a set lookup, no store read).
 */
public final class Authenticator {
    static final int MAX_REMEMBERED = 200_000;

    private final TokenVerifier verifier;
    private final ChatStore store;
    private final BanList bans;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public Authenticator(TokenVerifier verifier, ChatStore store, BanList bans) {
        this.verifier = verifier;
        this.store = store;
        this.bans = bans;
    }

    /** Fails with {@link TokenVerifier.InvalidTokenException} for a bad token and for a banned user's token. */
    public CompletableFuture<String> authenticate(String token) {
        return verifier.verifyAsync(token).thenCompose(id -> {
            String userId = id.userId();
            if (bans.isBanned(userId)) {
                return CompletableFuture.failedFuture(new TokenVerifier.InvalidTokenException("user is banned"));
            }
            if (known.contains(userId)) {
                return CompletableFuture.completedFuture(userId);
            }
            return store.provisionUser(userId).thenApply(u -> {
                if (known.size() >= MAX_REMEMBERED) {
                    known.clear();
                }
                known.add(userId);
                return userId;
            });
        });
    }
}
