package io.parley.server.chat;

import io.parley.protocol.ErrorCode;
import io.parley.server.auth.AccountRules;
import io.parley.server.store.ChatStore;
import io.parley.server.store.User;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Looking users up by id or username, for the REST API (any authenticated user may). Futures complete on store threads. */
public final class Users {
    private final ChatStore store;

    Users(ChatStore store) {
        this.store = store;
    }

    public CompletableFuture<Optional<User>> byId(String userId) {
        return store.findUser(userId);
    }

    public CompletableFuture<Optional<User>> byUsername(String username) {
        return store.findUserByUsername(username);
    }

    /** The longest display name, in code points. */
    public static final int MAX_DISPLAY_NAME = 64;

    public static final String DISPLAY_NAME_RULE =
            "displayName must be 1 to " + MAX_DISPLAY_NAME + " characters without control characters, or null to clear";

    /** The most users one search returns. */
    public static final int MAX_SEARCH_RESULTS = 50;

    /**
     * Sets the caller's display name (trimmed; 1-64 code points, no control characters) or clears it (null or blank).
     * An invalid name fails with {@link ChatException} invalid_field, one in the form of a stranger's pseudonym
     * ({@link AccountRules#reservedName}) with name_reserved; either changes nothing.
     */
    public CompletableFuture<User> setDisplayName(String userId, String displayName) {
        String name = displayName == null ? null : displayName.strip();
        if (name != null && name.isEmpty()) {
            name = null;
        }
        if (name != null
                && (name.codePointCount(0, name.length()) > MAX_DISPLAY_NAME
                        || name.codePoints().anyMatch(Character::isISOControl))) {
            return CompletableFuture.failedFuture(ChatException.invalid(DISPLAY_NAME_RULE));
        }
        if (AccountRules.reservedName(name)) {
            return CompletableFuture.failedFuture(
                    new ChatException(ErrorCode.NAME_RESERVED, "displayName: " + AccountRules.RESERVED_RULE));
        }
        return store.setDisplayName(userId, name);
    }

    /** Users whose username or display name starts with {@code prefix} (1-64 characters, ASCII case ignored). */
    public CompletableFuture<List<User>> search(String prefix, int limit) {
        String p = prefix == null ? "" : prefix.strip();
        if (p.isEmpty() || p.length() > MAX_DISPLAY_NAME) {
            return CompletableFuture.failedFuture(ChatException.invalid("q must be 1 to 64 characters"));
        }
        return store.searchUsers(p, Math.max(1, Math.min(limit, MAX_SEARCH_RESULTS)));
    }
}
