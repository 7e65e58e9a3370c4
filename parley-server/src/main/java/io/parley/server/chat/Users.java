package io.parley.server.chat;

import io.parley.server.store.ChatStore;
import io.parley.server.store.User;
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
}
